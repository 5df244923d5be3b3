"""Search benchmark: the contribution search of a consultation with 200,000 contributions, per database.

For each database: a fresh database (migrations, so the search index is the one `search0001` builds) with
the demo consultation, its workshops and 200,000 top-level contributions (persons and organizations, some
workshop input, some answered, some hidden), then a fixed mix of searches with and without filters and
sorts, run in interleaved rounds. Each search is timed twice in the same round: the search itself
(`consulta.search.services.search`: count, page of ids, the page's rows and snippets) and the whole page
through the app in-process (view, search, template; no network, no page cache). The target is on the
search: p95 under 50 ms.
"""

import random
import statistics
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench import data
from bench.report import DB_LABELS, Outcome, Row, log, percentile, run_tables, verdict

TARGET_P95_MS = 50.0
PG_DATABASE = "consulta_bench_search"

# (label, query string): words of different frequencies in the generated texts, with and without filters.
QUERIES = [
    ("rare word", {"q": "cpf"}),
    ("common word", {"q": "dados"}),
    ("two words", {"q": "acessibilidade portais"}),
    ("accents folded", {"q": "informacao seguranca"}),
    ("word + state (PA)", {"q": "cpf", "uf": "PA"}),
    ("word + stance + channel", {"q": "dados", "posicao": "disagree", "canal": "online"}),
    ("word, most supported", {"q": "conta gov.br", "ordem": "apoiadas"}),
    ("word + organizations", {"q": "municípios", "autor": "organizacao"}),
    ("word + answered", {"q": "cpf", "resposta": "com"}),
    ("word, page 5", {"q": "nuvem", "pagina": "5"}),
    ("no match", {"q": "paralelepípedo"}),
    ("no words, region", {"regiao": "norte"}),
    ("no words, newest", {}),
    ("no words, most replied", {"ordem": "respostas"}),
    ("no words, article + stance", {"artigo": "ARTICLE", "posicao": "agree"}),
]


@dataclass
class Options:
    databases: list[str]
    contributions: int = 200_000
    authors: int = 20_000
    rounds: int = 12
    keep: bool = False


MIX = data.Mix(workshop_share=0.03, personal_data_share=0.02, response_share=0.05, render_html=False)


def load(url: str, instance: Path, opts: Options, seed: int = 2026) -> tuple[str, int, float]:
    """The demo consultation with its workshops and `opts.contributions` more; (db version, rows, seconds)."""
    from sqlalchemy import func, select, update

    from consulta.auth.passwords import hash_password
    from consulta.cli import DEMO_SLUG
    from consulta.consultations.services import get_by_slug
    from consulta.extensions import db
    from consulta.models import Article, Contribution

    started = time.perf_counter()
    app = data.bench_app(url, instance)
    with app.app_context():
        data.prepare(app)
        consultation = get_by_slug(DEMO_SLUG)
        password_hash = hash_password(data.VOTER_PASSWORD)
        workshops = data.demo_workshops(db, consultation, password_hash)
        rng = random.Random(seed)
        end = datetime.now(UTC) - timedelta(hours=1)
        start = end - timedelta(days=60)
        authors = data.insert_participants(db, rng, opts.authors, "autor", password_hash, start=start, end=start)
        articles = list(db.session.scalars(select(Article).where(
            Article.consultation_id == consultation.id, Article.accepts_contributions.is_(True))))
        data.insert_contributions(db, rng, consultation.id, articles, opts.contributions, authors,
                                  start=start, end=end, mix=MIX, workshops=workshops)
        # Supports and replies are counters here (the search sorts by them; it never reads the rows behind them).
        db.session.execute(update(Contribution).values(support_count=Contribution.id % 37,
                                                       reply_count=Contribution.id % 11))
        rows = db.session.scalar(select(func.count()).select_from(Contribution))
        version = data.finish(db)
        if db.engine.dialect.name == "postgresql":
            # The update above rewrote every row: autovacuum would clear the dead versions (more than its 20 %
            # threshold) before anyone searched; a search right after it would read them through the GIN index.
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM ANALYZE contributions")
        data.release(db)
    return version, rows, time.perf_counter() - started


def run_database(kind: str, opts: Options) -> Outcome:
    from sqlalchemy import select

    from consulta import create_app
    from consulta.cli import DEMO_SLUG
    from consulta.consultations.services import get_by_slug
    from consulta.extensions import db
    from consulta.models import Article
    from consulta.search import services
    from consulta.search.filters import query_from_args

    label = DB_LABELS[kind]
    # Its own PostgreSQL database: other benchmarks drop `consulta_bench` (WITH FORCE) when they start or end.
    data.PG_DATABASE = PG_DATABASE
    with data.workspace(kind, "search", opts.keep) as (workdir, instance):
        url = data.database_url(kind, workdir)
        log(f"{label}: loading {opts.contributions:,} contributions…")
        version, rows, seconds = load(url, instance, opts)
        log(f"{label}: loaded {rows:,} rows in {seconds:.0f} s; searching…")
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench-search", "RATELIMIT_ENABLED": False,
                          "PAGE_CACHE_SECONDS": 0}, instance_path=str(instance))
        client = app.test_client()
        search_ms: dict[str, list[float]] = {name: [] for name, _ in QUERIES}
        cpu_ms: list[float] = []
        page_ms: dict[str, list[float]] = {name: [] for name, _ in QUERIES}
        found: dict[str, int] = {}
        with app.app_context():
            article_id = db.session.scalar(select(Article.id).join(Article.consultation)
                                           .where(Article.label == "Recomendação 1.1"))
            queries = [(name, {k: (str(article_id) if v == "ARTICLE" else v) for k, v in args.items()})
                       for name, args in QUERIES]
            for round_number in range(opts.rounds + 1):  # round 0 warms the caches and is not counted
                order = queries if round_number % 2 else queries[::-1]
                for name, args in order:
                    with app.test_request_context():
                        consultation = get_by_slug(DEMO_SLUG)
                        started, cpu = time.perf_counter(), time.process_time()
                        page = services.search(consultation, query_from_args(args))
                        elapsed = (time.perf_counter() - started) * 1000
                        cpu = (time.process_time() - cpu) * 1000
                        db.session.remove()
                    started = time.perf_counter()
                    response = client.get(f"/consultas/{DEMO_SLUG}/busca", query_string=args)
                    page_elapsed = (time.perf_counter() - started) * 1000
                    if response.status_code != 200:
                        raise RuntimeError(f"{name}: status {response.status_code}")
                    if round_number:
                        search_ms[name].append(elapsed)
                        cpu_ms.append(cpu)
                        page_ms[name].append(page_elapsed)
                    found[name] = page.total if not page.more else -1
            db.session.remove()
            db.engine.dispose()
    every = [ms for values in search_ms.values() for ms in values]
    pages = [ms for values in page_ms.values() for ms in values]
    p95 = percentile(every, 95)
    outcome = Outcome(label, rows=[
        Row("search p50 (all queries)", f"{statistics.median(every):.1f} ms"),
        Row("search p95 (all queries)", f"{p95:.1f} ms", f"< {TARGET_P95_MS:.0f} ms", verdict(p95 < TARGET_P95_MS)),
        Row("search CPU time of this process p50 / p95" + (" (all of SQLite's work)" if kind == "sqlite" else ""),
            f"{statistics.median(cpu_ms):.1f} / {percentile(cpu_ms, 95):.1f} ms"),
        Row("whole page p50 / p95 (in-process)", f"{statistics.median(pages):.1f} / {percentile(pages, 95):.1f} ms"),
    ])
    for name, _ in QUERIES:
        hits = found[name]
        outcome.rows.append(Row(
            f"  {name} ({'1,000+' if hits < 0 else f'{hits:,}'} found) p50 / p95",
            f"{statistics.median(search_ms[name]):.1f} / {percentile(search_ms[name], 95):.1f} ms",
        ))
    outcome.footer += [
        f"{version}; {rows:,} contributions loaded in {seconds:.0f} s; {opts.rounds} rounds of {len(QUERIES)} "
        f"searches, interleaved (one warm-up round not counted)",
        "a search = count (stops at 1,001) + one page of 20 ids in the asked order + those rows with snippets",
    ]
    return outcome


def run(opts: Options) -> bool:
    reading = ("each search runs on one connection in this process while nothing else loads the database; the "
               "per-query rows show which shapes cost most (common words sorted by relevance rank every match).")
    return run_tables("Search of contributions", opts.databases, lambda kind: run_database(kind, opts), reading,
                      load_by="the benchmark process")
