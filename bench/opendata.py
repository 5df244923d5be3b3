"""Open data benchmark: streaming 100,000 public contributions as CSV and JSON, over HTTP, from gunicorn.

For each database: a fresh database with the demo consultation, its workshops and 100,000 visible top-level
contributions (persons and organizations, some workshop input, some answered by the drafting team, a few
quoting e-mails, phones or CPFs so the masking has work to do) plus some hidden, withdrawn and pending ones
that must stay out. gunicorn serves the production app with one worker, so the process that streams is
known: its resident memory (VmRSS) is sampled every 50 ms during each download. The files are saved,
then counted and searched for personal data. ``--profile`` also runs the export in-process under cProfile.
"""

import cProfile
import csv
import http.client
import io
import json
import pstats
import secrets
import statistics
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench import data
from bench.report import DB_LABELS, Outcome, Row, log, run_tables, verdict
from bench.server import Server

TARGET_ROWS_PER_SECOND = 20_000
TARGET_RSS_GROWTH_MB = 100
FORMATS = ("csv", "json")
SAMPLE_EVERY = 0.05  # seconds between two RSS samples of the worker
LEAKS = ("@exemplo.com.br", "@exemplo.org", "@bench.example")  # planted e-mail domains, account e-mails
PLACEHOLDERS = ("[e-mail]", "[telefone]", "[CPF]")


@dataclass
class Options:
    databases: list[str]
    contributions: int = 100_000  # visible ones, the rows of the file
    hidden: int = 1_000  # hidden, withdrawn or pending: must not appear
    authors: int = 20_000
    repeat: int = 3  # downloads per format; the table shows the median speed and the largest RSS growth
    threads: int = 2
    profile: bool = False
    keep: bool = False
    wsgi: str = "bench.wsgi_bench:app"


@dataclass
class Loaded:
    url: str
    slug: str
    visible: int
    seconds: float
    db_version: str


@dataclass
class Download:
    status: int
    seconds: float
    path: Path
    size: int
    rss_before: int  # kB
    rss_max: int  # kB
    samples: int
    server_cpu: float
    db_cpu: float

    @property
    def growth_mb(self) -> float:
        return (self.rss_max - self.rss_before) / 1024


# -- data --------------------------------------------------------------------------------------------------

MIX = data.Mix(visibility={"visible": 1}, workshop_share=0.03, personal_data_share=0.02, response_share=0.05,
               render_html=False)  # the export reads the texts, not their rendered HTML
HIDDEN_MIX = data.Mix(visibility={"hidden": 40, "withdrawn": 40, "pending": 20}, personal_data_share=0.5,
                      render_html=False)


def load(url: str, instance: Path, opts: Options, seed: int = 2026) -> Loaded:
    """The demo consultation with its workshops, `opts.contributions` visible and `opts.hidden` other ones."""
    import random

    from sqlalchemy import func, select

    from consulta.auth.passwords import hash_password
    from consulta.cli import DEMO_SLUG
    from consulta.consultations.services import get_by_slug
    from consulta.extensions import db
    from consulta.models import Article, Contribution, Visibility

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

        def visible() -> int:
            return db.session.scalar(select(func.count()).select_from(Contribution).where(
                Contribution.consultation_id == consultation.id, Contribution.visibility == Visibility.VISIBLE))

        data.insert_contributions(db, rng, consultation.id, articles, opts.contributions - visible(), authors,
                                  start=start, end=end, mix=MIX, workshops=workshops)
        data.insert_contributions(db, rng, consultation.id, articles, opts.hidden, authors, start=start, end=end,
                                  mix=HIDDEN_MIX)
        data.recount(db, [consultation])
        loaded = Loaded(url, DEMO_SLUG, visible(), 0.0, data.finish(db))
        data.release(db)
    loaded.seconds = time.perf_counter() - started
    return loaded


# -- measurement -------------------------------------------------------------------------------------------

def rss_kb(pid: int) -> int:
    """Resident set size of `pid` in kB (VmRSS), 0 when it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


class RssSampler(threading.Thread):
    """The largest VmRSS of `pid`, read every SAMPLE_EVERY seconds until stopped."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.largest, self.samples = pid, rss_kb(pid), 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(SAMPLE_EVERY):
            self.largest = max(self.largest, rss_kb(self.pid))
            self.samples += 1

    def stop(self) -> int:
        self.done.set()
        self.join()
        self.largest = max(self.largest, rss_kb(self.pid))
        return self.largest


def download(server: Server, path: str, target: Path) -> Download:
    """GET `path` into `target`, reading the body in 64 KiB chunks, with the worker's RSS sampled meanwhile."""
    (worker,) = server.worker_pids()
    before = rss_kb(worker)
    cpu_before = server.cpu_with_database()
    sampler = RssSampler(worker)
    sampler.start()
    size = 0
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
    try:
        conn.request("GET", path, headers={"Accept-Encoding": "identity", "User-Agent": "consulta-bench"})
        response = conn.getresponse()
        with target.open("wb") as out:
            while chunk := response.read(65536):
                out.write(chunk)
                size += len(chunk)
    finally:
        conn.close()
        seconds = time.perf_counter() - started
        largest = sampler.stop()
    cpu_after = server.cpu_with_database()
    return Download(response.status, seconds, target, size, before, largest, sampler.samples,
                    cpu_after[0] - cpu_before[0], cpu_after[1] - cpu_before[1])


def read_back(path: Path, fmt: str) -> tuple[int, list[str], dict[str, int]]:
    """(data rows, CSV header or [], placeholder counts) of a downloaded file, parsed as a client would."""
    text = path.read_text(encoding="utf-8-sig")
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(text, newline="")))
        header, count = rows[0] if rows else [], max(len(rows) - 1, 0)
    else:
        header, count = [], len(json.loads(text))
    placeholders = {p: text.count(p) for p in PLACEHOLDERS}
    placeholders.update({f"leak {leak}": text.count(leak) for leak in LEAKS})
    return count, header, placeholders


def profile_export(loaded: Loaded, instance: Path, fmt: str = "csv") -> list[str]:
    """The export run in-process (no HTTP): rows/s without and with cProfile, and the profile's top lines."""
    app = data.bench_app(loaded.url, instance)
    path = f"/consultas/{loaded.slug}/dados/contribuicoes.{fmt}"

    def consume() -> float:
        started = time.perf_counter()
        with app.test_client() as client:
            response = client.get(path, buffered=False)
            for _ in response.response:
                pass
            response.close()
        return time.perf_counter() - started

    plain = consume()
    profiler = cProfile.Profile()
    profiler.enable()
    profiled = consume()
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(18)
    lines = [f"in-process {fmt.upper()} export: {loaded.visible / plain:,.0f} rows/s ({plain:.2f} s); "
             f"under cProfile {profiled:.2f} s; top functions by own time:"]
    return lines + [line for line in out.getvalue().splitlines() if line.strip()][4:]


# -- one database ------------------------------------------------------------------------------------------

def run_database(kind: str, opts: Options) -> Outcome:
    outcome = Outcome(DB_LABELS[kind])
    with data.workspace(kind, "opendata", opts.keep) as (workdir, instance):
        log(f"[{kind}] loading {opts.contributions:,} contributions into a fresh database")
        loaded = load(data.database_url(kind, workdir), instance, opts)
        log(f"[{kind}] loaded in {loaded.seconds:.0f} s")
        if opts.profile:
            print("\n".join(["```", *profile_export(loaded, instance), "```", ""]), flush=True)
        server = Server(loaded.url, workdir, workers=1, threads=opts.threads, ratelimit="off",
                        secret_key=secrets.token_urlsafe(32), wsgi=opts.wsgi)
        downloads: dict[str, list[Download]] = {fmt: [] for fmt in FORMATS}
        with server:
            for n in range(opts.repeat):
                for fmt in FORMATS if n % 2 == 0 else reversed(FORMATS):
                    log(f"[{kind}] download {n + 1}/{opts.repeat}: contribuicoes.{fmt}")
                    path = f"/consultas/{loaded.slug}/dados/contribuicoes.{fmt}"
                    downloads[fmt].append(download(server, path, workdir / f"contribuicoes-{n}.{fmt}"))
            restarted = server.restarted_workers()
        checks = {fmt: read_back(downloads[fmt][-1].path, fmt) for fmt in FORMATS}
        _fill(outcome, opts, loaded, downloads, checks, restarted)
    if opts.keep:
        outcome.footer.append(f"kept: {workdir} ({loaded.url})")
    return outcome


def _fill(outcome: Outcome, opts: Options, loaded: Loaded, downloads: dict[str, list[Download]],
          checks: dict[str, tuple[int, list[str], dict[str, int]]], restarted: int) -> None:
    from consulta.results.opendata import CONTRIBUTION_FIELDS

    rows, f = outcome.rows, outcome.footer
    for fmt in FORMATS:
        runs = downloads[fmt]
        speeds = [loaded.visible / d.seconds for d in runs]
        speed = statistics.median(speeds)
        growth = max(d.growth_mb for d in runs)
        rows.append(Row(f"{fmt.upper()} download, rows/s",
                        f"{speed:,.0f} ({loaded.visible:,} rows in {statistics.median(d.seconds for d in runs):.2f} s)",
                        f"≥ {TARGET_ROWS_PER_SECOND:,}", verdict(speed >= TARGET_ROWS_PER_SECOND)))
        rows.append(Row(f"{fmt.upper()} worker RSS growth", f"{growth:.1f} MB",
                        f"< {TARGET_RSS_GROWTH_MB} MB", verdict(growth < TARGET_RSS_GROWTH_MB)))
        f.append(f"{fmt.upper()}: " + "; ".join(
            f"{loaded.visible / d.seconds:,.0f} rows/s, {d.size / 2**20:.1f} MiB, RSS {d.rss_before / 1024:.0f} → "
            f"max {d.rss_max / 1024:.0f} MB ({d.samples} samples), CPU gunicorn {d.server_cpu:.1f} s"
            + (f" + postgres {d.db_cpu:.1f} s" if d.db_cpu else "") for d in runs))
    statuses = {d.status for runs in downloads.values() for d in runs}
    csv_rows, header, csv_found = checks["csv"]
    json_rows, _, json_found = checks["json"]
    counted = csv_rows == json_rows == loaded.visible == opts.contributions and header == CONTRIBUTION_FIELDS
    rows.append(Row("rows in the files", f"CSV {csv_rows:,} + header, JSON {json_rows:,}"
                    + ("" if statuses == {200} else f" (HTTP {sorted(statuses)})"),
                    f"{opts.contributions:,}", verdict(counted and statuses == {200})))
    leaks = sum(n for found in (csv_found, json_found) for key, n in found.items() if key.startswith("leak"))
    masked = ", ".join(f"{p} {csv_found[p]:,}" for p in PLACEHOLDERS)
    rows.append(Row("e-mail addresses left in the files", f"{leaks} (masked in CSV: {masked})", "0",
                    verdict(leaks == 0 and all(csv_found[p] for p in PLACEHOLDERS) and csv_found == json_found)))
    if restarted:
        rows.append(Row("gunicorn workers restarted", f"{restarted}", "0", "FAIL"))
    app = opts.wsgi if opts.wsgi == Options.wsgi else f"{opts.wsgi} (NOT the stock app)"
    f.append(f"server: gunicorn {app}, 1 worker x {opts.threads} threads (gthread), "
             f"rate limits off; {loaded.db_version}")
    f.append(f"data: the demo consultation with its 9 workshops, {loaded.visible:,} visible top-level contributions "
             f"(~{MIX.workshop_share:.0%} workshop input, ~{MIX.response_share:.0%} answered, "
             f"~{MIX.personal_data_share:.0%} quoting an e-mail, phone or CPF) by {opts.authors:,} participants "
             f"(1 in 12 an organization) over 60 days, plus {opts.hidden:,} hidden/withdrawn/pending ones; "
             f"loaded in {loaded.seconds:.0f} s")
    f.append(f"downloads: {opts.repeat} per format, alternating CSV/JSON order; rows/s = visible contributions / "
             "seconds from sending the request to the last byte (median of the downloads); RSS growth = largest "
             f"VmRSS of the worker during a download (sampled every {SAMPLE_EVERY * 1000:.0f} ms) − VmRSS just "
             "before it (the largest over the downloads)")


# -- output ------------------------------------------------------------------------------------------------

READING = (
    "each download streams /consultas/<slug>/dados/contribuicoes.csv or .json from a single gunicorn worker "
    "over loopback while this process saves the body; rows/s is end to end (query, pseudonyms, masking, "
    "encoding, HTTP). RSS growth shows whether the worker holds the file in memory (the files are 70-95 MB) "
    "or streams it. The saved files are then parsed and counted, and searched for the planted e-mail domains."
)


def run(opts: Options) -> bool:
    """Run every requested database and print the tables; True when every target was met."""
    return run_tables("Open data", opts.databases, lambda kind: run_database(kind, opts), READING)
