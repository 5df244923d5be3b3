"""Results benchmark: the public results page of a small and a large consultation, over HTTP, against gunicorn.

For each database: one fresh database holding two open consultations with the demo text — "small" (1,000
contributions, 10,000 votes) and "large" (100,000 contributions, 1,000,000 votes) — each with the demo
workshops (attendance by sector, input) and participants of varied state, sector and kind who took part
over 60 days. Votes are unique per (account, recommendation) and the tallies come from the app's recount.
gunicorn serves the production app with the anonymous page cache off by default, so every request builds
the page; after one cold (first) request per page and a warm-up, load-generator processes request the two
pages in interleaved rounds. The ratio large / small shows whether the page slows down as a consultation
grows.
"""

import random
import secrets
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench import data
from bench.loadgen import Client, measure_pages
from bench.report import (
    DB_LABELS,
    TARGET_LARGE_VS_SMALL,
    Outcome,
    Row,
    log,
    ratio_row,
    round_ratios,
    run_tables,
    verdict,
)
from bench.server import Server

DEMO_SLUG = "governo-digital-2024-2027"  # loaded by data.prepare(); its empty results page warms each worker

SIZES = ("small", "large")
TITLES = {"small": "Consulta pequena (benchmark)", "large": "Consulta grande (benchmark)"}
SLUGS = {"small": "resultados-pequena", "large": "resultados-grande"}


@dataclass
class Options:
    databases: list[str]
    small: tuple[int, int] = (1_000, 10_000)  # contributions, votes
    large: tuple[int, int] = (100_000, 1_000_000)
    duration: float = 16.0  # measured seconds per URL, split into `rounds` interleaved windows
    rounds: int = 4
    workers: int = 2
    threads: int = 2
    connections: int = 8
    processes: int = 2
    page_cache: int = 0  # CONSULTA_PAGE_CACHE_SECONDS for the server; 0 measures the page's own cost
    server_env: dict[str, str] = field(default_factory=dict)  # more CONSULTA_* settings for the server
    keep: bool = False


@dataclass
class Consultation:
    size: str
    slug: str
    contributions: int  # top-level contributions loaded (all visibilities) + the demo workshops' input
    votes: int
    participants: int
    voters: int
    tallies_match: bool = False


@dataclass
class Loaded:
    url: str
    consultations: dict[str, Consultation]
    seconds: float
    steps: dict[str, float]
    db_version: str


class ConfiguredServer(Server):
    """bench.server.Server with extra CONSULTA_* settings in the server's environment."""

    def __init__(self, *args, settings: dict[str, str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.settings = settings

    def environment(self) -> dict[str, str]:
        return {**super().environment(), **self.settings}


# -- data --------------------------------------------------------------------------------------------------

MIX = data.Mix(workshop_share=0.02, response_share=0.03, render_html=False)  # the page reads counts, not HTML


def load(url: str, instance: Path, opts: Options, seed: int = 2026) -> Loaded:
    """Both consultations into one database; returns what was loaded and how long each step took."""
    from consulta.auth.passwords import hash_password
    from consulta.extensions import db

    started = time.perf_counter()
    steps: dict[str, float] = {}
    app = data.bench_app(url, instance)
    with app.app_context():
        data.prepare(app)
        password_hash = hash_password(data.VOTER_PASSWORD)
        rng = random.Random(seed)
        loaded = {}
        for size, (contributions, votes) in (("small", opts.small), ("large", opts.large)):
            loaded[size] = _load_consultation(app, db, rng, size, contributions, votes, password_hash, steps)
        step = time.perf_counter()
        data.recount(db, [_consultation(slug) for slug in SLUGS.values()])
        for consultation in loaded.values():
            consultation.tallies_match = _tallies_match(db, consultation.slug)
        steps["recount"] = time.perf_counter() - step
        db_version = data.finish(db)
        data.release(db)
    return Loaded(url, loaded, time.perf_counter() - started, steps, db_version)


def _load_consultation(app, db, rng: random.Random, size: str, contributions: int, votes: int,
                       password_hash: str, steps: dict[str, float]) -> Consultation:
    """One consultation: demo text and workshops, participants, contributions and votes."""
    from sqlalchemy import select

    from consulta.models import Article

    end = datetime.now(UTC) - timedelta(hours=1)
    start = end - timedelta(days=60)
    step = time.perf_counter()
    consultation = data.demo_copy(app, SLUGS[size], TITLES[size])
    workshops = data.demo_workshops(db, consultation, password_hash)
    articles = list(db.session.scalars(select(Article).where(
        Article.consultation_id == consultation.id, Article.accepts_contributions.is_(True))))
    recommendations = [a.id for a in articles if a.accepts_votes]
    authors = max(50, contributions // 6)
    people = max(authors, data.voters_needed(votes, len(recommendations)))
    participants = data.insert_participants(db, rng, people, f"{size}-", password_hash, start=start, end=end)
    steps[f"{size}: {people:,} participants"] = time.perf_counter() - step
    step = time.perf_counter()
    data.insert_contributions(db, rng, consultation.id, articles, contributions, participants[:authors],
                              start=start, end=end, mix=MIX, workshops=workshops)
    steps[f"{size}: {contributions:,} contributions"] = time.perf_counter() - step
    step = time.perf_counter()
    voters = data.insert_votes(db, rng, recommendations, participants, votes, start=start, end=end)
    steps[f"{size}: {votes:,} votes"] = time.perf_counter() - step
    db.session.commit()
    return Consultation(size, consultation.slug, contributions, votes, people, voters)


def _consultation(slug: str):
    from consulta.consultations.services import get_by_slug

    return get_by_slug(slug)


def _tallies_match(db, slug: str) -> bool:
    """Whether the articles' vote counters equal COUNT(*) of the consultation's votes, per article and value."""
    from sqlalchemy import func, select

    from consulta.models import Article, Vote

    consultation = _consultation(slug)
    counted = {(a, str(v)): n for a, v, n in db.session.execute(
        select(Vote.article_id, Vote.value, func.count()).join(Article, Article.id == Vote.article_id)
        .where(Article.consultation_id == consultation.id).group_by(Vote.article_id, Vote.value))}
    stored = db.session.execute(select(Article.id, Article.votes_agree, Article.votes_disagree,
                                       Article.votes_abstain).where(Article.consultation_id == consultation.id))
    return all((agree, disagree, abstain) == tuple(counted.get((a, v), 0) for v in ("agree", "disagree", "abstain"))
               for a, agree, disagree, abstain in stored)


# -- measurements ------------------------------------------------------------------------------------------

def _path(size: str) -> str:
    return f"/consultas/{SLUGS[size]}/resultados"


def cold_request(server: Server, consultation: Consultation) -> tuple[float, str]:
    """Seconds of the first request of a page, and its size (its content checked against the loaded data)."""
    client = Client("127.0.0.1", server.port)
    started = time.perf_counter()
    status, raw, _ = client.request("GET", _path(consultation.size), cookies=False)
    seconds = time.perf_counter() - started
    client.close()
    body = raw.decode()
    problems = []
    if status != 200:
        problems.append(f"status {status}")
    if TITLES[consultation.size] not in body:
        problems.append("not the expected consultation")
    if f"<dt>Votos</dt><dd>{consultation.votes}</dd>" not in body:
        problems.append(f"total votes is not {consultation.votes}")
    if "/sair" in body:
        problems.append("rendered as logged in")
    if problems:
        raise RuntimeError(f"{_path(consultation.size)}: " + "; ".join(problems))
    return seconds, f"{len(raw) / 1024:.0f} KiB"


def prewarm(server: Server, opts: Options) -> float:
    """Request each page from every worker thread at once, twice, so no worker builds it first under load."""
    started = time.perf_counter()
    for size in SIZES:
        for _ in range(2):
            _concurrently(server.port, _path(size), opts.workers * opts.threads)
    return time.perf_counter() - started


def _concurrently(port: int, path: str, requests: int) -> None:
    """GET `path` on `requests` connections at once and wait for every answer."""
    def get() -> None:
        client = Client("127.0.0.1", port)
        client.request("GET", path, cookies=False)
        client.close()

    threads = [threading.Thread(target=get) for _ in range(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def measure(server: Server, opts: Options) -> dict:
    """Interleaved windows of the small and the large page (small, large; large, small; ...)."""
    urls = {size: (_path(size), TITLES[size]) for size in SIZES}
    summary = measure_pages(server, urls, warmup=2.0, duration=opts.duration, rounds=opts.rounds,
                            connections=opts.connections, processes=opts.processes)
    summary["ratios"] = round_ratios(summary["large"]["rounds"], summary["small"]["rounds"])
    return summary


# -- one database ------------------------------------------------------------------------------------------

def run_database(kind: str, opts: Options) -> Outcome:
    outcome = Outcome(DB_LABELS[kind])
    with data.workspace(kind, "results", opts.keep) as (workdir, instance):
        log(f"[{kind}] loading {opts.small[0]:,} + {opts.large[0]:,} contributions and "
            f"{opts.small[1]:,} + {opts.large[1]:,} votes into a fresh database")
        loaded = load(data.database_url(kind, workdir), instance, opts)
        log(f"[{kind}] loaded in {loaded.seconds:.0f} s; starting gunicorn")
        server = ConfiguredServer(loaded.url, workdir, workers=opts.workers, threads=opts.threads,
                                  ratelimit="off", secret_key=secrets.token_urlsafe(32), page_cache=opts.page_cache,
                                  settings=opts.server_env)
        with server:
            _concurrently(server.port, f"/consultas/{DEMO_SLUG}/resultados", opts.workers * opts.threads)
            cold = {size: cold_request(server, loaded.consultations[size]) for size in SIZES}
            warm_seconds = prewarm(server, opts)
            log(f"[{kind}] results page: {opts.duration:g} s per URL in {opts.rounds} interleaved rounds, "
                f"{opts.connections} connections")
            pages = measure(server, opts)
            restarted = server.restarted_workers()
    _fill(outcome, opts, loaded, cold, warm_seconds, pages, restarted)
    if opts.keep:
        outcome.footer.append(f"kept: {workdir} ({loaded.url})")
    return outcome


def _fill(outcome: Outcome, opts: Options, loaded: Loaded, cold: dict[str, tuple[float, str]],
          warm_seconds: float, pages: dict, restarted: int) -> None:
    from consulta.config import Defaults

    rows, f = outcome.rows, outcome.footer
    labels = {size: f"{_short(c.contributions)} contributions, {_short(c.votes)} votes"
              for size, c in loaded.consultations.items()}
    rows.append(Row("load (both consultations)", f"{loaded.seconds:.0f} s", "(info)"))
    for size in SIZES:
        rows.append(Row(f"first request (cold), {labels[size]}", f"{cold[size][0] * 1000:,.0f} ms", "(info)"))
    for size in SIZES:
        p = pages[size]
        rows.append(Row(f"results page, {labels[size]}", f"{p['rps']:,.1f} req/s  p50 {p['p50']:,.1f} ms  "
                        f"p95 {p['p95']:,.1f} ms" + (f"  ({p['errors']} errors)" if p["errors"] else "")))
    rows.append(ratio_row("  ratio large / small", pages["ratios"], TARGET_LARGE_VS_SMALL))

    def cpu_per(size: str) -> float:  # gunicorn + postgres CPU seconds per served request
        return (pages[size]["server_cpu"] + pages[size]["db_cpu"]) / max(pages[size]["ok"], 1) or 1e-9

    rows.append(Row("  same ratio from CPU time per request", f"{cpu_per('small') / cpu_per('large'):.2f} "
                    f"({cpu_per('small') * 1000:.1f} vs {cpu_per('large') * 1000:.1f} ms)", "(info)"))
    errors = sum(pages[size]["errors"] for size in SIZES)
    rows.append(Row("page errors", f"{errors}", "0", verdict(errors == 0)))
    tallies = all(c.tallies_match for c in loaded.consultations.values())
    rows.append(Row("vote tallies == COUNT(*) of votes", "yes" if tallies else "NO", "yes", verdict(tallies)))
    if restarted:
        rows.append(Row("gunicorn workers restarted", f"{restarted}", "0", "FAIL"))

    max_age = opts.server_env.get("CONSULTA_RESULTS_MAX_AGE", f"{Defaults.RESULTS_MAX_AGE} (default)")
    settings = ", ".join(f"{k}={v}" for k, v in opts.server_env.items() if k != "CONSULTA_RESULTS_MAX_AGE")
    f.append(f"server: gunicorn bench.wsgi_bench:app, {opts.workers} workers x {opts.threads} threads (gthread), "
             f"rate limits off, anonymous page cache {f'{opts.page_cache} s' if opts.page_cache else 'OFF'}, "
             f"RESULTS_MAX_AGE {max_age}" + (f", {settings}" if settings else "") + f"; {loaded.db_version}")
    for size, c in loaded.consultations.items():
        f.append(f"{size} (/consultas/{c.slug}/resultados, {cold[size][1]}): {c.contributions:,} top-level "
                 f"contributions (~97% visible, ~{MIX.workshop_share:.0%} workshop input) and {c.votes:,} votes by "
                 f"{c.voters:,} of {c.participants:,} participants (varied UF, sector, 1 in 12 organizations, over "
                 f"60 days), the 9 demo workshops with attendance by sector")
    f.append("load: " + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in loaded.steps.items()))
    f.append(f"measurement: cold = the first request of each page after the server started (each worker first "
                 "rendered the empty demo consultation's results page, so template compiling is not counted); "
                 f"after the cold requests, a pre-warm ({warm_seconds:.1f} s: every worker thread asked "
             f"for each page twice) and 2 s of warm-up per page; then {opts.duration:g} s per page in "
             f"{opts.rounds} interleaved rounds, {opts.connections} keep-alive connections from {opts.processes} "
             "load processes, no cookies (a first-time visitor); ratio = median of the per-round ratios, range in "
             "brackets; CPU time per request = (gunicorn + postgres CPU) / requests served")
    for size in SIZES:
        for sample in pages[size]["samples"][:2]:
            f.append(f"page error sample ({size}): {sample}")


def _short(number: int) -> str:
    """1k, 100k, 1M (or the number itself when it is not a round thousand)."""
    for unit, size in (("M", 1_000_000), ("k", 1_000)):
        if number >= size and number % size == 0:
            return f"{number // size:,}{unit}"
    return f"{number:,}"


# -- output ------------------------------------------------------------------------------------------------

READING = (
    "both consultations live in the same database and are served by the same gunicorn; their pages are "
    "requested in alternating windows, so a drift in the shared machine's speed favours neither. A ratio near "
    "1 means the page costs the same however large the consultation is (aggregates read, not recomputed from "
    "every row); the cold request is what the first reader after a start waits. With --server-env "
    "CONSULTA_RESULTS_MAX_AGE=0 the page computes its figures on every request."
)


def run(opts: Options) -> bool:
    """Run every requested database and print the tables; True when every target was met."""
    return run_tables("Results page", opts.databases, lambda kind: run_database(kind, opts), READING)
