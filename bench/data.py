"""A fresh benchmark database: schema by migrations, the demo consultation, then bulk data.

Everything goes through the app's own code where it matters (Alembic revisions, `flask consulta load-demo`,
`flask consulta import-draft`, the demo workshops, `services.recount()`); only the bulk rows (accounts,
contributions, replies, supports) are inserted with SQLAlchemy core ``insert()`` executemany, and votes as
plain tuples (COPY on PostgreSQL, the driver's executemany on SQLite), so loading 100,000 contributions and
1,000,000 votes takes well under a minute.

`load()` builds the participation benchmark's data; the other benchmarks compose their own from the
building blocks below (`bench_app`, `prepare`, `demo_copy`, `insert_participants`, `insert_contributions`,
`insert_votes`, `finish`).
"""

import logging
import random
import shutil
import tempfile
import time
from bisect import bisect
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import accumulate
from pathlib import Path

from sqlalchemy import func, insert, select, text

from bench import textgen

PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_DATABASE = "consulta_bench"
VOTER_PASSWORD = "bench-eleitor-senha-longa-2026"  # noqa: S105 (a benchmark account on a throw-away database)


@dataclass
class Dataset:
    """What the load generator needs to know about the loaded data."""

    url: str
    slug: str
    article_small: int  # recommendation with `small` contributions
    article_large: int  # recommendation with `large` contributions
    small: int
    large: int
    replies: int
    supports: int
    authors: int
    vote_articles: list[int] = field(default_factory=list)
    voter_emails: list[str] = field(default_factory=list)
    load_seconds: float = 0.0
    db_version: str = ""


def database_url(kind: str, workdir: Path) -> str:
    """Create an empty database of `kind` ("sqlite" or "postgres") and return its URL."""
    if kind == "sqlite":
        path = workdir / "bench.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}"
    if kind == "postgres":
        import psycopg

        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {PG_DATABASE}")
        return f"postgresql://postgres@127.0.0.1:5432/{PG_DATABASE}"
    raise ValueError(f"unknown database kind {kind!r}")


def drop_database(kind: str) -> None:
    """Remove the PostgreSQL benchmark database (the SQLite file goes with its temporary folder)."""
    if kind != "postgres":
        return
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")


@contextmanager
def workspace(kind: str, name: str, keep: bool = False) -> Iterator[tuple[Path, Path]]:
    """(folder, its instance/ folder) for one benchmark run on `kind`; both go afterwards with the
    PostgreSQL benchmark database, unless `keep`."""
    workdir = Path(tempfile.mkdtemp(prefix=f"consulta-bench-{name}-{kind}-"))
    instance = workdir / "instance"
    instance.mkdir()
    try:
        yield workdir, instance
    finally:
        if not keep:
            shutil.rmtree(workdir, ignore_errors=True)
            drop_database(kind)


def bench_app(url: str, instance: Path):
    """The app on `url`, configured for loading (no rate limits, a throw-away instance folder)."""
    from consulta import create_app

    return create_app({"DATABASE_URL": url, "SECRET_KEY": "bench-loader", "RATELIMIT_ENABLED": False},
                      instance_path=str(instance))


def prepare(app) -> None:
    """Migrate the empty database and load the demo consultation (inside an app context)."""
    from flask_migrate import upgrade

    logging.disable(logging.INFO)  # env.py configures Alembic's INFO chatter; keep the table readable
    try:
        upgrade()
    finally:
        logging.disable(logging.NOTSET)
    _cli(app, "load-demo", "--no-accounts")


def _cli(app, *args: str) -> None:
    result = app.test_cli_runner().invoke(args=["consulta", *args])
    if result.exit_code != 0:
        raise RuntimeError(f"flask consulta {args[0]} failed: {result.output}") from result.exception


def demo_copy(app, slug: str, title: str):
    """The demo text as another open consultation (`flask consulta import-draft`, then opened)."""
    from importlib import resources

    from consulta.consultations import services

    with resources.as_file(resources.files("consulta.demo").joinpath("engd.md")) as draft:
        _cli(app, "import-draft", str(draft), "--consultation", slug, "--title", title)
    consultation = services.get_by_slug(slug)
    services.open_consultation(None, consultation)
    return consultation


def demo_workshops(db, consultation, password_hash: str) -> list[tuple[int, int]]:
    """The demo workshops (held, with attendance and input) under a new facilitator; [(workshop, facilitator)]."""
    from consulta.demo.workshops import load_demo_workshops
    from consulta.models import Role, User, Workshop

    facilitator = User(email=f"facilitador-{consultation.slug}@bench.example", password_hash=password_hash,
                       display_name=f"Facilitação {consultation.slug}", role=Role.FACILITATOR,
                       consent_at=datetime.now(UTC), consent_version="2026-11")
    db.session.add(facilitator)
    db.session.flush()
    load_demo_workshops(consultation, facilitator)
    ids = db.session.scalars(select(Workshop.id).where(Workshop.consultation_id == consultation.id)
                             .order_by(Workshop.id))
    return [(workshop_id, facilitator.id) for workshop_id in ids]


def recount(db, consultations: list | None = None) -> None:
    """Commit the bulk rows and set every tally and counter from them with the app's `recount()`."""
    from consulta.participation import services

    analyze(db)  # without statistics on the fresh rows, PostgreSQL runs the recount's subqueries for minutes
    for consultation in consultations or [None]:
        services.recount(consultation)
    db.session.commit()


def analyze(db) -> None:
    """Commit, then let PostgreSQL gather statistics as autovacuum does shortly after a bulk load."""
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE"))


def finish(db) -> str:
    """Commit and analyze; return the database's version label (checking SQLite runs in WAL mode)."""
    analyze(db)
    if db.engine.dialect.name == "postgresql":
        return f"PostgreSQL {db.session.scalar(text('SHOW server_version'))}"
    mode = db.session.scalar(text("PRAGMA journal_mode"))
    if mode != "wal":
        raise RuntimeError(f"SQLite journal_mode is {mode}, expected wal")
    return "SQLite " + db.session.scalar(text("select sqlite_version()")) + " (WAL)"


def release(db) -> None:
    """Close the loader's connections so the server under test is alone on the database."""
    db.session.remove()
    db.engine.dispose()


def load(url: str, instance: Path, *, small: int, large: int, authors: int, voters: int,
         seed: int = 2026) -> Dataset:
    """Migrate, load the demo consultation and the bulk data into `url`; return what was loaded."""
    from consulta.auth.passwords import hash_password
    from consulta.cli import DEMO_SLUG
    from consulta.extensions import db
    from consulta.models import Article, ArticleKind

    started = time.perf_counter()
    app = bench_app(url, instance)
    with app.app_context():
        prepare(app)
        recommendations = list(db.session.scalars(
            select(Article).where(Article.kind == ArticleKind.RECOMMENDATION, Article.accepts_votes.is_(True))
            .order_by(Article.position)
        ))
        if len(recommendations) < 3:
            raise RuntimeError("the demo consultation should have recommendations that take votes")
        article_small, article_large = recommendations[1], recommendations[2]
        consultation_id = article_small.consultation_id
        ids = {"small": article_small.id, "large": article_large.id, "votes": [a.id for a in recommendations]}

        rng = random.Random(seed)
        password_hash = hash_password(VOTER_PASSWORD)  # argon2id once; every account reuses it
        now = datetime.now(UTC)
        author_ids = insert_participants(db, rng, authors, "autor", password_hash,
                                         start=now - timedelta(days=60), end=now - timedelta(days=60))
        voter_emails = _insert_voters(db, voters, password_hash)
        replies = supports = 0
        for article, count in ((article_small, small), (article_large, large)):
            r, s = _insert_contributions(db, rng, article, consultation_id, count, author_ids)
            replies, supports = replies + r, supports + s
        recount(db)
        db_version = finish(db)
        release(db)
    return Dataset(
        url=url, slug=DEMO_SLUG, article_small=ids["small"], article_large=ids["large"],
        small=small, large=large, replies=replies, supports=supports, authors=authors,
        vote_articles=ids["votes"], voter_emails=voter_emails,
        load_seconds=time.perf_counter() - started, db_version=db_version,
    )


# -- accounts ----------------------------------------------------------------------------------------------

# Rough shares of Brazil's population by UF (IBGE), so the results map has a plausible shape.
UF_WEIGHTS = {
    "SP": 22.0, "MG": 10.0, "RJ": 8.0, "BA": 7.0, "PR": 5.6, "RS": 5.3, "PE": 4.5, "CE": 4.3, "PA": 4.0,
    "SC": 3.7, "GO": 3.5, "MA": 3.3, "AM": 1.9, "ES": 1.9, "PB": 1.9, "RN": 1.6, "MT": 1.8, "AL": 1.5,
    "PI": 1.6, "DF": 1.4, "MS": 1.4, "SE": 1.1, "RO": 0.8, "TO": 0.7, "AC": 0.4, "AP": 0.4, "RR": 0.3,
}
NO_UF_SHARE = 0.08  # profiles without a state
SECTOR_WEIGHTS = {  # None: the participant did not say
    "cidadao": 50, "sociedade_civil": 12, "setor_privado": 9, "academia": 7, "governo_federal": 4,
    "estados_municipios": 6, "empresa_publica_ti": 2, None: 10,
}
ORGANIZATION_SECTORS = ("sociedade_civil", "setor_privado", "academia", "empresa_publica_ti")


def _users_table():
    from consulta.models import User

    return User.__table__


def insert_participants(db, rng: random.Random, count: int, prefix: str, password_hash: str, *,
                        start: datetime, end: datetime) -> list[int]:
    """`count` participants (about 1 in 12 an organization with a CNPJ) of varied UF and sector, who
    signed up between `start` and `end`; returns their ids in order."""
    table = _users_table()
    first_id = db.session.scalar(select(func.coalesce(func.max(table.c.id), 0)))
    ufs, uf_weights = list(UF_WEIGHTS), list(UF_WEIGHTS.values())
    sectors, sector_weights = list(SECTOR_WEIGHTS), list(SECTOR_WEIGHTS.values())
    span = (end - start).total_seconds()
    rows = []
    for i in range(count):
        organization = i % 12 == 5
        uf = None if rng.random() < NO_UF_SHARE else rng.choices(ufs, uf_weights)[0]
        rows.append({
            "email": f"{prefix}{i:06d}@bench.example", "password_hash": password_hash,
            "display_name": textgen.organization_name(rng) if organization else textgen.person_name(rng),
            "kind": "organization" if organization else "person",
            "cnpj": textgen.cnpj(10_000 + first_id + i) if organization else None,
            "role": "participant", "uf": uf,
            "sector": rng.choice(ORGANIZATION_SECTORS) if organization else rng.choices(sectors, sector_weights)[0],
            "consent_at": start, "consent_version": "2026-11",
            "created_at": start + timedelta(seconds=rng.random() * span),
        })
    _chunked_insert(db, table, rows)
    return list(db.session.scalars(select(table.c.id).where(table.c.id > first_id).order_by(table.c.id)))


def _insert_voters(db, count: int, password_hash: str) -> list[str]:
    """Accounts the load generator logs in with (same password; the hash is computed once)."""
    now = datetime.now(UTC)
    emails = [f"eleitor{i:05d}@bench.example" for i in range(count)]
    db.session.execute(insert(_users_table()), [
        {"email": email, "password_hash": password_hash, "display_name": f"Eleitor {i}", "kind": "person",
         "role": "participant", "consent_at": now, "consent_version": "2026-11", "created_at": now}
        for i, email in enumerate(emails)
    ])
    return emails


# -- contributions -----------------------------------------------------------------------------------------

@dataclass
class Mix:
    """How generated top-level contributions vary (shares are probabilities per contribution)."""

    visibility: dict[str, int] = field(default_factory=lambda: {
        "visible": 970, "hidden": 15, "withdrawn": 10, "pending": 5})  # weights
    workshop_share: float = 0.0  # input logged by a workshop's facilitator (needs `workshops`)
    personal_data_share: float = 0.0  # texts quoting an e-mail, a phone number or a CPF
    response_share: float = 0.0  # with the drafting team's response
    render_html: bool = True  # store body_html as the app does (pages fall back to rendering when absent)


KINDS = ("comment", "new_wording", "removal")
STANCES = ("agree", "partly", "disagree", "none")
RESPONSES = ("under_review", "accepted", "partly_accepted", "not_accepted")
PERSONAL_DATA = (  # formats mask_personal_data must catch
    "Meu e-mail para contato é {name}.{n}@exemplo.com.br.", "Podem me ligar no ({ddd}) 9{n:04d}-{m:04d}.",
    "Meu CPF é {a:03d}.{b:03d}.{c:03d}-{d:02d}, caso precisem confirmar.", "Telefone: +55 {ddd} 3{n:03d}-{m:04d}.",
    "Escrevam para {name}{n}@exemplo.org e para o gabinete no {ddd}9{n:04d}{m:04d}.",
)


def _personal_data(rng: random.Random) -> str:
    """A sentence with an e-mail, a phone number or a CPF, as participants sometimes write."""
    return rng.choice(PERSONAL_DATA).format(
        name=rng.choice(("ana", "bruno", "carla", "joao", "marcia", "tiago")), n=rng.randint(1000, 9999),
        m=rng.randint(0, 9999), ddd=rng.choice((11, 21, 31, 41, 51, 61, 71, 81, 85, 91, 92)),
        a=rng.randint(100, 999), b=rng.randint(0, 999), c=rng.randint(0, 999), d=rng.randint(0, 99),
    )


def contribution_rows(rng: random.Random, consultation_id: int, articles: list, count: int, author_ids: list[int],
                      *, start: datetime, end: datetime, mix: Mix | None = None,
                      workshops: list[tuple[int, int]] = ()) -> list[dict]:
    """`count` top-level contributions on `articles`, spread evenly from `start` to `end`."""
    from consulta.models.participation import searchable_text

    mix = mix or Mix()
    visibilities, visibility_weights = list(mix.visibility), list(mix.visibility.values())
    step = (end - start) / max(count, 1)
    rows = []
    for i in range(count):
        article = articles[0] if len(articles) == 1 else rng.choice(articles)
        kind = rng.choices(KINDS, weights=(80, 15, 5))[0]
        visibility = rng.choices(visibilities, weights=visibility_weights)[0]
        body = textgen.contribution_body(rng)
        if mix.personal_data_share and rng.random() < mix.personal_data_share:
            body += " " + _personal_data(rng)
        row = {
            "consultation_id": consultation_id, "article_id": article.id, "section_id": article.section_id,
            "parent_id": None, "author_id": rng.choice(author_ids), "kind": kind,
            "stance": rng.choices(STANCES, weights=(35, 30, 20, 15))[0], "channel": "online", "body": body,
            "proposed_text": textgen.proposed_wording(rng, article.body) if kind == "new_wording" else None,
            "visibility": visibility,
            "moderation_reason": "Conteúdo ofensivo." if visibility == "hidden" else None,
            "created_at": start + step * i + timedelta(seconds=rng.randint(0, 59)),
            "withdrawn_at": end if visibility == "withdrawn" else None, "workshop_id": None, "head_count": None,
            "group_label": None, "response_status": None, "response_text": None, "responded_at": None,
        }
        row["search_text"] = searchable_text(body, row["proposed_text"])
        if workshops and rng.random() < mix.workshop_share:
            row["workshop_id"], row["author_id"] = rng.choice(workshops)
            row.update(channel="workshop", head_count=rng.randint(3, 40), group_label=f"Mesa {rng.randint(1, 6)}")
        if mix.response_share and rng.random() < mix.response_share:
            row.update(response_status=rng.choice(RESPONSES), responded_at=end,
                       response_text=f"A equipe analisou a contribuição: {textgen.sentence(rng)}")
        rows.append(row)
    if mix.render_html:
        _with_rendered_html(rows, {a.id: a.body for a in articles})
    return rows


def insert_contributions(db, rng: random.Random, consultation_id: int, articles: list, count: int,
                         author_ids: list[int], *, start: datetime, end: datetime, mix: Mix | None = None,
                         workshops: list[tuple[int, int]] = (), chunk: int = 10_000) -> int:
    """Generate and insert `count` top-level contributions (see `contribution_rows`) a chunk at a time."""
    from consulta.models import Contribution

    step = (end - start) / max(count, 1)
    for offset in range(0, count, chunk):
        n = min(chunk, count - offset)
        rows = contribution_rows(rng, consultation_id, articles, n, author_ids, start=start + step * offset,
                                 end=start + step * (offset + n), mix=mix, workshops=workshops)
        _chunked_insert(db, Contribution.__table__, rows)
    return count


def _insert_contributions(db, rng: random.Random, article, consultation_id: int, count: int,
                          author_ids: list[int]) -> tuple[int, int]:
    """`count` top-level contributions on `article`, then replies (about 1 per 10) and supports."""
    from consulta.models import Contribution, Support
    from consulta.models.participation import searchable_text

    table = Contribution.__table__
    end = datetime.now(UTC) - timedelta(hours=2)
    rows = contribution_rows(rng, consultation_id, [article], count, author_ids, start=end - timedelta(days=45),
                             end=end)
    _chunked_insert(db, table, rows)
    top = list(db.session.execute(
        select(table.c.id, table.c.created_at).where(table.c.article_id == article.id, table.c.parent_id.is_(None))
        .order_by(table.c.created_at.desc())
    ))
    replies = []
    for parent_id, created_at in top[3::10]:  # one thread in ten has replies, spread evenly over the pages
        for n in range(rng.choices((1, 2, 3), weights=(60, 30, 10))[0]):
            replies.append({
                "consultation_id": consultation_id, "article_id": article.id, "section_id": article.section_id,
                "parent_id": parent_id, "author_id": rng.choice(author_ids), "kind": "comment", "stance": "none",
                "channel": "online", "body": textgen.reply_body(rng), "visibility": "visible",
                "created_at": created_at + timedelta(minutes=5 + 15 * n),
            })
            replies[-1]["search_text"] = searchable_text(replies[-1]["body"], None)
    _with_rendered_html(replies, {article.id: article.body})
    _chunked_insert(db, table, replies)
    supports = []
    for contribution_id, _ in top:
        for user_id in rng.sample(author_ids, k=min(len(author_ids), int(rng.paretovariate(1.6)) - 1)):
            supports.append({"contribution_id": contribution_id, "user_id": user_id, "created_at": end})
    _chunked_insert(db, Support.__table__, supports)
    return len(replies), len(supports)


def _with_rendered_html(rows: list[dict], article_bodies: dict[int, str]) -> None:
    """Store each row's rendered HTML, as the app does when it writes a contribution."""
    from consulta.models import ContributionKind
    from consulta.models.participation import rendered_html

    for row in rows:
        row["body_html"], row["proposal_html"] = rendered_html(
            row["body"], row.get("proposed_text"), ContributionKind(row["kind"]), article_bodies[row["article_id"]]
        )


# -- votes -------------------------------------------------------------------------------------------------

VOTE_VALUES = ("agree", "disagree", "abstain")


def voters_needed(total: int, articles: int) -> int:
    """Accounts enough for `total` votes when each votes on half to all of `articles` (with a margin)."""
    return int(total / (0.75 * articles) * 1.1) + 10


def insert_votes(db, rng: random.Random, article_ids: list[int], voter_ids: list[int], total: int, *,
                 start: datetime, end: datetime, chunk: int = 50_000) -> int:
    """Exactly `total` votes, unique per (voter, article): voters in turn vote on half to all of
    `article_ids`, each article with its own lean, at moments spread from `start` to `end`.

    Returns how many voters voted. Tallies are not touched: run `recount()` afterwards.
    """
    from consulta.models import Vote

    columns = ("article_id", "user_id", "value", "created_at", "updated_at")
    cumulative = {a: list(accumulate((rng.uniform(0.5, 6), rng.uniform(0.5, 6), rng.uniform(0.2, 1.5))))
                  for a in article_ids}  # each article's lean: agree, disagree, abstain
    first, span = _naive_utc(start), (end - start).total_seconds()
    rows: list[tuple] = []
    done = voters = 0
    for user_id in voter_ids:
        k = min(total - done, rng.randint(len(article_ids) // 2, len(article_ids)))
        if k <= 0:
            break
        for article_id in rng.sample(article_ids, k):
            lean = cumulative[article_id]
            moment = first + timedelta(seconds=rng.random() * span)
            rows.append((article_id, user_id, VOTE_VALUES[bisect(lean, rng.random() * lean[-1])], moment, moment))
        done, voters = done + k, voters + 1
        if len(rows) >= chunk:
            bulk_insert(db, Vote.__table__, columns, rows)
            rows = []
    bulk_insert(db, Vote.__table__, columns, rows)
    if done < total:
        raise RuntimeError(f"{len(voter_ids)} voters cast only {done:,} of {total:,} votes")
    return voters


def _naive_utc(moment: datetime) -> datetime:
    """How UTCDateTime stores a moment: naive, in UTC."""
    return moment.astimezone(UTC).replace(tzinfo=None)


def bulk_insert(db, table, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """Insert tuples of stored values (enum values as strings, datetimes naive UTC), bypassing the ORM's
    types: COPY on PostgreSQL, the driver's executemany on SQLite (datetimes in SQLAlchemy's text format)."""
    if not rows:
        return
    connection = db.session.connection()
    if db.engine.dialect.name == "postgresql":
        with connection.connection.driver_connection.cursor().copy(
                f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    stored = [tuple(v.isoformat(" ", "microseconds") if isinstance(v, datetime) else v for v in row) for row in rows]
    statement = insert(table).compile(dialect=db.engine.dialect, column_keys=list(columns))
    connection.exec_driver_sql(str(statement), stored)


def _chunked_insert(db, table, rows: list[dict], size: int = 2000) -> None:
    for i in range(0, len(rows), size):
        db.session.execute(insert(table), rows[i:i + size])


def count_rows(url: str, instance: Path) -> dict[str, int]:
    """Row counts of the main tables (for the footer)."""
    from consulta.extensions import db
    from consulta.models import Contribution, User, Vote

    app = bench_app(url, instance)
    with app.app_context():
        counts = {name: db.session.scalar(select(func.count()).select_from(model))
                  for name, model in (("users", User), ("contributions", Contribution), ("votes", Vote))}
        release(db)
    return counts
