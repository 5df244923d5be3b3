"""A fresh benchmark database: schema by migrations, the demo consultation, then bulk data.

Everything goes through the app's own code where it matters (Alembic revisions, `flask consulta load-demo`,
`services.recount()`); only the bulk rows (accounts, contributions, replies, supports) are inserted with
SQLAlchemy core ``insert()`` executemany, so loading 11,000 contributions takes seconds.
"""

import logging
import random
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
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


def load(url: str, instance: Path, *, small: int, large: int, authors: int, voters: int,
         seed: int = 2026) -> Dataset:
    """Migrate, load the demo consultation and the bulk data into `url`; return what was loaded."""
    from flask_migrate import upgrade

    from consulta import create_app
    from consulta.auth.passwords import hash_password
    from consulta.cli import DEMO_SLUG
    from consulta.extensions import db
    from consulta.models import Article, ArticleKind
    from consulta.participation import services

    started = time.perf_counter()
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench-loader", "RATELIMIT_ENABLED": False},
                     instance_path=str(instance))
    with app.app_context():
        logging.disable(logging.INFO)  # env.py configures Alembic's INFO chatter; keep the table readable
        try:
            upgrade()
        finally:
            logging.disable(logging.NOTSET)
        result = app.test_cli_runner().invoke(args=["consulta", "load-demo", "--no-accounts"])
        if result.exit_code != 0:
            raise RuntimeError(f"load-demo failed: {result.output}") from result.exception

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
        author_ids = _insert_authors(db, rng, authors, password_hash)
        voter_emails = _insert_voters(db, voters, password_hash)
        replies = supports = 0
        for article, count in ((article_small, small), (article_large, large)):
            r, s = _insert_contributions(db, rng, article, consultation_id, count, author_ids)
            replies, supports = replies + r, supports + s
        db.session.commit()
        services.recount()
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("ANALYZE"))  # what autovacuum does shortly after a bulk load
            version = db.session.scalar(text("SHOW server_version"))
            db_version = f"PostgreSQL {version}"
        else:
            db_version = "SQLite " + db.session.scalar(text("select sqlite_version()")) + " (WAL)"
            mode = db.session.scalar(text("PRAGMA journal_mode"))
            if mode != "wal":
                raise RuntimeError(f"SQLite journal_mode is {mode}, expected wal")
        db.session.remove()
        db.engine.dispose()
    return Dataset(
        url=url, slug=DEMO_SLUG, article_small=ids["small"], article_large=ids["large"],
        small=small, large=large, replies=replies, supports=supports, authors=authors,
        vote_articles=ids["votes"], voter_emails=voter_emails,
        load_seconds=time.perf_counter() - started, db_version=db_version,
    )


def _users_table():
    from consulta.models import User

    return User.__table__


def _insert_authors(db, rng: random.Random, count: int, password_hash: str) -> list[int]:
    """Participants (about 1 in 12 an organization with a CNPJ) who wrote the contributions."""
    now = datetime.now(UTC)
    rows = []
    for i in range(count):
        organization = i % 12 == 5
        rows.append({
            "email": f"autor{i:05d}@bench.example", "password_hash": password_hash,
            "display_name": textgen.organization_name(rng) if organization else textgen.person_name(rng),
            "kind": "organization" if organization else "person", "cnpj": textgen.cnpj(10_000 + i) if organization else None,
            "role": "participant", "uf": rng.choice(("SP", "RJ", "MG", "BA", "PE", "AM", "RS", "DF", None)),
            "consent_at": now, "consent_version": "2026-11", "created_at": now - timedelta(days=60),
        })
    db.session.execute(insert(_users_table()), rows)
    table = _users_table()
    return list(db.session.scalars(select(table.c.id).where(table.c.email.like("autor%@bench.example"))))


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


def _insert_contributions(db, rng: random.Random, article, consultation_id: int, count: int,
                          author_ids: list[int]) -> tuple[int, int]:
    """`count` top-level contributions on `article`, then replies (about 1 per 10) and supports."""
    from consulta.models import Contribution, Support

    table = Contribution.__table__
    end = datetime.now(UTC) - timedelta(hours=2)
    start = end - timedelta(days=45)
    step = (end - start) / max(count, 1)
    stances = ("agree", "partly", "disagree", "none")
    rows = []
    for i in range(count):
        kind = rng.choices(("comment", "new_wording", "removal"), weights=(80, 15, 5))[0]
        visibility = rng.choices(("visible", "hidden", "withdrawn", "pending"), weights=(970, 15, 10, 5))[0]
        rows.append({
            "consultation_id": consultation_id, "article_id": article.id, "section_id": article.section_id,
            "parent_id": None, "author_id": rng.choice(author_ids), "kind": kind,
            "stance": rng.choices(stances, weights=(35, 30, 20, 15))[0], "channel": "online",
            "body": textgen.contribution_body(rng),
            "proposed_text": textgen.proposed_wording(rng, article.body) if kind == "new_wording" else None,
            "visibility": visibility,
            "moderation_reason": "Conteúdo ofensivo." if visibility == "hidden" else None,
            "created_at": start + step * i + timedelta(seconds=rng.randint(0, 59)),
            "withdrawn_at": end if visibility == "withdrawn" else None,
        })
    _with_rendered_html(rows, article.body)
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
    _with_rendered_html(replies, article.body)
    _chunked_insert(db, table, replies)
    supports = []
    for contribution_id, _ in top:
        for user_id in rng.sample(author_ids, k=min(len(author_ids), int(rng.paretovariate(1.6)) - 1)):
            supports.append({"contribution_id": contribution_id, "user_id": user_id, "created_at": end})
    _chunked_insert(db, Support.__table__, supports)
    return len(replies), len(supports)


def _chunked_insert(db, table, rows: list[dict], size: int = 2000) -> None:
    for i in range(0, len(rows), size):
        db.session.execute(insert(table), rows[i:i + size])


def count_rows(url: str, instance: Path) -> dict[str, int]:
    """Row counts of the main tables (for the footer)."""
    from consulta import create_app
    from consulta.extensions import db
    from consulta.models import Contribution, User, Vote

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench-loader"}, instance_path=str(instance))
    with app.app_context():
        counts = {name: db.session.scalar(select(func.count()).select_from(model))
                  for name, model in (("users", User), ("contributions", Contribution), ("votes", Vote))}
        db.session.remove()
        db.engine.dispose()
    return counts


def _with_rendered_html(rows: list[dict], article_body: str) -> None:
    """Store each row's rendered HTML, as the app does when it writes a contribution."""
    from consulta.models import ContributionKind
    from consulta.models.participation import rendered_html

    for row in rows:
        row["body_html"], row["proposal_html"] = rendered_html(
            row["body"], row.get("proposed_text"), ContributionKind(row["kind"]), article_body
        )
