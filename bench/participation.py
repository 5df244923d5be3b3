"""Participation benchmark: the article page and voting, over real HTTP, against gunicorn.

For each database (SQLite in WAL mode, PostgreSQL): a fresh database migrated and loaded with the demo
consultation plus bulk contributions; gunicorn serving ``bench.wsgi_bench:app`` (the production app plus
``/bench/bare``); load-generator processes driving it over loopback; then an integrity check in the
database itself. Prints one table per database and returns whether every target was met.
"""

import json
import os
import platform
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench import data
from bench.loadgen import Client
from bench.server import ROOT, Server, postgres_cpu_seconds

TARGET_ARTICLE_VS_BARE = 0.35
TARGET_LARGE_VS_SMALL = 0.8
TARGET_VOTES_SQLITE = 500
DB_LABELS = {"sqlite": "SQLite (WAL)", "postgres": "PostgreSQL"}


@dataclass
class Options:
    databases: list[str]
    duration: float = 12.0  # measured seconds per URL, split into `rounds` interleaved windows
    rounds: int = 6
    vote_duration: float = 15.0
    workers: int = field(default_factory=lambda: os.cpu_count() or 2)
    threads: int = 2  # with more threads per process, the GIL stretches how long a writer holds the SQLite lock
    connections: int = 16
    page_cache: int | None = None  # seconds of anonymous page cache; None keeps the app's default
    clients: int = 16
    accounts_per_client: int = 2
    processes: int = 2
    small: int = 1000
    large: int = 10000
    authors: int = 400
    ratelimit: str = "off"
    keepalive: bool = True
    access_log: bool = True
    keep: bool = False
    parts: tuple[str, ...] = ("pages", "votes")
    wsgi: str = "bench.wsgi_bench:app"


@dataclass
class Row:
    metric: str
    value: str
    target: str = ""
    verdict: str = ""  # PASS, FAIL, or "" when only reported


@dataclass
class Outcome:
    database: str
    rows: list[Row] = field(default_factory=list)
    footer: list[str] = field(default_factory=list)
    votes_per_second: float = 0.0

    @property
    def passed(self) -> bool:
        return all(row.verdict != "FAIL" for row in self.rows)


# -- load-generator processes ------------------------------------------------------------------------------

def _spawn(jobs: list[dict]) -> list[subprocess.Popen]:
    processes = []
    for job in jobs:
        process = subprocess.Popen([sys.executable, "-m", "bench.loadgen"], cwd=ROOT, stdin=subprocess.PIPE,
                                   stdout=subprocess.PIPE, text=True)
        process.stdin.write(json.dumps(job) + "\n")
        process.stdin.flush()
        processes.append(process)
    return processes


def _read(process: subprocess.Popen, key: str) -> dict:
    line = process.stdout.readline()
    if not line:
        process.wait()
        raise RuntimeError(f"load generator exited with {process.returncode} before sending {key!r}")
    return json.loads(line)[key]


def _run_loadgen(jobs: list[dict], windows: list[float], server: Server) -> tuple[list[dict], list[dict], list[float]]:
    """Start the processes, wait until all are ready, give one start instant; sample server CPU per window."""
    processes = _spawn(jobs)
    try:
        ready = [_read(p, "ready") for p in processes]
        start = time.time() + 0.3
        for process in processes:
            process.stdin.write(json.dumps({"go": start}) + "\n")
            process.stdin.flush()
        server_cpu = []
        _sleep_until(start)
        before = _cpu(server)
        instant = start
        for window in windows:
            instant += window
            _sleep_until(instant)
            now = _cpu(server)
            server_cpu.append((now[0] - before[0], now[1] - before[1]))
            before = now
        results = [_read(p, "result") for p in processes]
        for process in processes:
            process.wait(timeout=30)
        return ready, results, server_cpu
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()


def _cpu(server: Server) -> tuple[float, float]:
    """CPU seconds so far: gunicorn (master and workers), and PostgreSQL's processes when it is the database."""
    return server.cpu_seconds(), postgres_cpu_seconds() if server.database_url.startswith("postgres") else 0.0


def _sleep_until(instant: float) -> None:
    delay = instant - time.time()
    if delay > 0:
        time.sleep(delay)


def _split(items: list, parts: int) -> list[list]:
    return [items[i::parts] for i in range(parts) if items[i::parts]]


# -- measurements ------------------------------------------------------------------------------------------

def _percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _check_article_page(server: Server, dataset: data.Dataset, article_id: int) -> str:
    """Fetch the page once, logged out, and confirm what the benchmark claims to measure."""
    client = Client("127.0.0.1", server.port)
    status, raw, headers = client.request("GET", f"/consultas/{dataset.slug}/artigos/{article_id}")
    client.close()
    if status != 200:
        raise RuntimeError(f"article {article_id} answered {status}")
    body = raw.decode()
    cookies = client.cookies
    shown = body.count('<article class="contribution"')
    problems = []
    if shown != 20:
        problems.append(f"{shown} top-level contributions shown, expected 20")
    if 'class="tally"' not in body:
        problems.append("no vote tally")
    if "Carregar mais" not in body:
        problems.append("no 'Carregar mais' link")
    if "/sair" in body:
        problems.append("page rendered as logged in")
    if problems:
        raise RuntimeError(f"article {article_id}: " + "; ".join(problems))
    replies = body.count("contribution--reply")
    return (f"{shown} contributions + {replies} replies shown, {len(body) / 1024:.0f} KiB"
            + (", sets a cookie" if cookies else ", no cookie"))


def measure_pages(server: Server, dataset: data.Dataset, opts: Options) -> dict:
    urls = {
        "bare": ("/bench/bare", "ok"),
        "small": (f"/consultas/{dataset.slug}/artigos/{dataset.article_small}", "Carregar mais"),
        "large": (f"/consultas/{dataset.slug}/artigos/{dataset.article_large}", "Carregar mais"),
    }
    phases = [{"name": f"warmup-{name}", "path": path, "marker": marker, "duration": 1.0}
              for name, (path, marker) in urls.items()]
    window = opts.duration / opts.rounds
    for n in range(opts.rounds):  # A B C, C B A, ...: a drift in the machine's speed favours no URL
        order = list(urls.items()) if n % 2 == 0 else list(reversed(urls.items()))
        phases += [{"name": name, "path": path, "marker": marker, "duration": window, "round": n}
                   for name, (path, marker) in order]
    jobs = [{"mode": "pages", "host": "127.0.0.1", "port": server.port, "connections": len(part),
             "phases": phases, "keepalive": opts.keepalive}
            for part in _split(list(range(opts.connections)), opts.processes)]
    _, results, server_cpu = _run_loadgen(jobs, [p["duration"] for p in phases], server)
    summary: dict[str, dict] = {}
    for i, phase in enumerate(phases):
        if phase["name"].startswith("warmup"):
            continue
        entry = summary.setdefault(phase["name"], {"ok": 0, "errors": 0, "latencies": [], "seconds": 0.0,
                                                  "client_cpu": 0.0, "server_cpu": 0.0, "db_cpu": 0.0,
                                                  "samples": [], "rounds": [0.0] * opts.rounds})
        entry["seconds"] += phase["duration"]
        entry["rounds"][phase["round"]] = sum(r["phases"][i]["ok"] for r in results) / phase["duration"]
        entry["server_cpu"] += server_cpu[i][0]
        entry["db_cpu"] += server_cpu[i][1]
        for result in results:
            r = result["phases"][i]
            entry["ok"] += r["ok"]
            entry["errors"] += r["errors"]
            entry["latencies"].extend(r["latencies"])
            entry["client_cpu"] += r["client_cpu"]
            entry["samples"].extend(r["error_samples"])
    for entry in summary.values():
        entry["rps"] = entry["ok"] / entry["seconds"]
        entry["p50"] = _percentile(entry["latencies"], 0.5) * 1000
        entry["p95"] = _percentile(entry["latencies"], 0.95) * 1000
    summary["reconnects"] = sum(r["reconnects"] for r in results)
    summary["ratios"] = {
        "small/bare": [s / b for s, b in zip(summary["small"]["rounds"], summary["bare"]["rounds"], strict=True) if b],
        "large/small": [g / s for g, s in zip(summary["large"]["rounds"], summary["small"]["rounds"], strict=True)
                        if s],
    }
    return summary


def measure_votes(server: Server, dataset: data.Dataset, opts: Options) -> dict:
    emails = dataset.voter_emails
    per = opts.accounts_per_client
    clients = [emails[i * per:(i + 1) * per] for i in range(opts.clients)]
    jobs = [{"mode": "votes", "host": "127.0.0.1", "port": server.port, "clients": part,
             "password": data.VOTER_PASSWORD, "slug": dataset.slug, "articles": dataset.vote_articles,
             "duration": opts.vote_duration, "seed": 7 + n, "keepalive": opts.keepalive}
            for n, part in enumerate(_split(clients, opts.processes))]
    ready, results, server_cpu = _run_loadgen(jobs, [opts.vote_duration], server)
    latencies = [x for r in results for x in r["latencies"]]
    final: dict[str, dict[str, str]] = {}
    for r in results:
        final.update(r["final"])
    return {
        "ok": sum(r["ok"] for r in results), "errors": sum(r["errors"] for r in results),
        "rate": sum(r["ok"] for r in results) / opts.vote_duration,
        "p50": _percentile(latencies, 0.5) * 1000, "p95": _percentile(latencies, 0.95) * 1000,
        "samples": [s for r in results for s in r["error_samples"]][:5],
        "login_errors": [e for r in ready for e in r["login_errors"]],
        "sessions": sum(r["sessions"] for r in ready),
        "login_seconds": max(r["login_seconds"] for r in ready),
        "client_cpu": sum(r["client_cpu"] for r in results), "server_cpu": server_cpu[0][0],
        "db_cpu": server_cpu[0][1],
        "reconnects": sum(r["reconnects"] for r in results), "final": final,
    }


def check_integrity(dataset: data.Dataset, instance: Path, final: dict[str, dict[str, str]]) -> dict:
    """Tallies against COUNT(*), duplicate (account, article) pairs, stored votes against the clients' last."""
    from sqlalchemy import func, select

    from consulta import create_app
    from consulta.extensions import db
    from consulta.models import Article, User, Vote

    app = create_app({"DATABASE_URL": dataset.url, "SECRET_KEY": "bench-check"}, instance_path=str(instance))
    with app.app_context():
        counted: dict[tuple[int, str], int] = {}
        for article_id, value, n in db.session.execute(
            select(Vote.article_id, Vote.value, func.count()).group_by(Vote.article_id, Vote.value)
        ):
            counted[(article_id, value.value)] = n
        articles = list(db.session.execute(
            select(Article.id, Article.votes_agree, Article.votes_disagree, Article.votes_abstain)
        ))
        wrong = [
            (a_id, (agree, disagree, abstain),
             tuple(counted.get((a_id, v), 0) for v in ("agree", "disagree", "abstain")))
            for a_id, agree, disagree, abstain in articles
            if (agree, disagree, abstain) != tuple(counted.get((a_id, v), 0) for v in ("agree", "disagree", "abstain"))
        ]
        duplicates = db.session.scalar(select(func.count()).select_from(
            select(Vote.user_id, Vote.article_id).group_by(Vote.user_id, Vote.article_id)
            .having(func.count() > 1).subquery()
        ))
        stored = {(email, str(article_id)): value.value for email, article_id, value in db.session.execute(
            select(User.email, Vote.article_id, Vote.value).join(User, User.id == Vote.user_id)
        )}
        total_votes = db.session.scalar(select(func.count()).select_from(Vote))
        db.session.remove()
        db.engine.dispose()
    expected = {(email, article): value for email, votes in final.items() for article, value in votes.items()}
    mismatched = sum(1 for key, value in expected.items() if stored.get(key) != value)
    extra = sum(1 for key in stored if key not in expected)
    return {"articles": len(articles), "wrong": wrong, "duplicates": duplicates, "pairs": len(expected),
            "mismatched": mismatched, "extra": extra, "total_votes": total_votes}


# -- one database ------------------------------------------------------------------------------------------

def run_database(kind: str, opts: Options) -> Outcome:
    outcome = Outcome(DB_LABELS[kind])
    workdir = Path(tempfile.mkdtemp(prefix=f"consulta-bench-{kind}-"))
    instance = workdir / "instance"
    instance.mkdir()
    pages = votes = integrity = None
    try:
        _log(f"[{kind}] loading data into a fresh database")
        dataset = data.load(data.database_url(kind, workdir), instance, small=opts.small, large=opts.large,
                            authors=opts.authors, voters=opts.clients * opts.accounts_per_client)
        server = Server(dataset.url, workdir, workers=opts.workers, threads=opts.threads, ratelimit=opts.ratelimit,
                        secret_key=secrets.token_urlsafe(32), access_log=opts.access_log, wsgi=opts.wsgi,
                        page_cache=opts.page_cache)
        _log(f"[{kind}] starting gunicorn on :{server.port} ({opts.workers} workers x {opts.threads} threads)")
        with server:
            page_notes = (_check_article_page(server, dataset, dataset.article_small),
                          _check_article_page(server, dataset, dataset.article_large))
            if "pages" in opts.parts:
                _log(f"[{kind}] pages: {opts.duration:g} s per URL in {opts.rounds} interleaved rounds, "
                     f"{opts.connections} connections")
                pages = measure_pages(server, dataset, opts)
            if "votes" in opts.parts:
                _log(f"[{kind}] votes: {opts.clients} clients x {opts.accounts_per_client} accounts, "
                     f"{opts.vote_duration:g} s")
                votes = measure_votes(server, dataset, opts)
            restarted = server.restarted_workers()
            error_log = server.log_tail(10) if ((votes and votes["errors"]) or restarted) else ""
        if votes is not None:
            integrity = check_integrity(dataset, instance, votes["final"])
    finally:
        if not opts.keep:
            shutil.rmtree(workdir, ignore_errors=True)
            data.drop_database(kind)
    if opts.keep:
        outcome.footer.append(f"kept: {workdir} ({dataset.url})")
    _fill_server(outcome, opts, dataset, page_notes, restarted, error_log)
    if pages is not None:
        _fill_pages(outcome, opts, dataset, pages)
    if votes is not None:
        _fill_votes(outcome, kind, opts, dataset, votes, integrity)
    return outcome


def _fill_server(outcome: Outcome, opts: Options, dataset: data.Dataset, page_notes: tuple[str, str],
                 restarted: int, error_log: str) -> None:
    f = outcome.footer
    app = ("bench.wsgi_bench:app (the production app + /bench/bare)" if opts.wsgi == "bench.wsgi_bench:app"
           else f"{opts.wsgi} (NOT the stock app)")
    f.append(f"server: gunicorn {app}, {opts.workers} workers x "
             f"{opts.threads} threads (gthread), access log {'on' if opts.access_log else 'off'}, "
             f"keep-alive {'on' if opts.keepalive else 'off'}; {dataset.db_version}")
    f.append("rate limits: " + ("OFF (CONSULTA_RATELIMIT_ENABLED=false; production keeps them on, with Redis)"
                                if opts.ratelimit == "off" else
                                "ON, Redis storage (db 14), limits raised far above the load"))
    f.append("anonymous page cache: " + ("the app's default (CONSULTA_PAGE_CACHE_SECONDS=5, per process)"
                                         if opts.page_cache is None else
                                         f"{opts.page_cache} s" if opts.page_cache else "OFF"))
    f.append(f"data: {dataset.small:,} + {dataset.large:,} top-level contributions on two recommendations, "
             f"{dataset.replies:,} replies, {dataset.supports:,} supports, {dataset.authors} authors, "
             f"loaded in {dataset.load_seconds:.1f} s")
    f.append(f"article page (logged out): {dataset.small // 1000}k: {page_notes[0]}; "
             f"{dataset.large // 1000}k: {page_notes[1]}")
    if restarted:
        outcome.rows.append(Row("gunicorn workers restarted", f"{restarted}", "0", "FAIL"))
    if error_log:
        f.append("gunicorn error log (tail):\n" + error_log)


def _fill_pages(outcome: Outcome, opts: Options, dataset: data.Dataset, pages: dict) -> None:
    rows, f = outcome.rows, outcome.footer

    def page_row(key: str, label: str) -> None:
        p = pages[key]
        rows.append(Row(label, f"{p['rps']:,.0f} req/s  p50 {p['p50']:.1f} ms  p95 {p['p95']:.1f} ms"
                        + (f"  ({p['errors']} errors)" if p["errors"] else "")))

    bare, small, large = pages["bare"], pages["small"], pages["large"]
    page_row("bare", "bare route /bench/bare")
    page_row("small", f"article page, {dataset.small:,} contributions")
    ratio = _median(pages["ratios"]["small/bare"])
    rows.append(Row("  ratio article / bare", _ratio_text(pages["ratios"]["small/bare"]),
                    f"≥ {TARGET_ARTICLE_VS_BARE:.2f}", _verdict(ratio >= TARGET_ARTICLE_VS_BARE)))
    page_row("large", f"article page, {dataset.large:,} contributions")
    scale = _median(pages["ratios"]["large/small"])
    rows.append(Row(f"  ratio {dataset.large // 1000}k / {dataset.small // 1000}k",
                    _ratio_text(pages["ratios"]["large/small"]),
                    f"≥ {TARGET_LARGE_VS_SMALL:.2f}", _verdict(scale >= TARGET_LARGE_VS_SMALL)))
    def cpu_per(p: dict) -> float:  # gunicorn (+ postgres) CPU seconds per served request
        return (p["server_cpu"] + p["db_cpu"]) / max(p["ok"], 1) or 1e-9

    rows.append(Row("  same ratios from CPU time per request",
                    f"article / bare {cpu_per(bare) / cpu_per(small):.2f}, "
                    f"{dataset.large // 1000}k / {dataset.small // 1000}k {cpu_per(small) / cpu_per(large):.2f}",
                    "(info)"))
    page_errors = sum(pages[k]["errors"] for k in ("bare", "small", "large"))
    rows.append(Row("page errors", f"{page_errors}", "0", _verdict(page_errors == 0)))

    names = {"bare": "bare", "small": f"{dataset.small // 1000}k", "large": f"{dataset.large // 1000}k"}
    postgres = any(pages[k]["db_cpu"] for k in names)

    def per_request(key: str) -> str:
        p = pages[key]
        served = max(p["ok"], 1)
        text = f"{names[key]} {1000 * p['server_cpu'] / served:.2f}"
        return text + (f"+{1000 * p['db_cpu'] / served:.2f}" if postgres else "")

    def cores(field_name: str) -> str:
        return "/".join(f"{pages[k][field_name] / pages[k]['seconds']:.2f}" for k in names)

    f.append(f"pages: {opts.duration:g} s per URL in {opts.rounds} interleaved rounds (ratios: median of the "
             f"per-round ratios, range in brackets), {opts.connections} "
             f"{'keep-alive ' if opts.keepalive else ''}connections from {opts.processes} load processes, "
             "no cookies sent (a first-time visitor)")
    f.append("pages: the ratios from CPU time per request (gunicorn + postgres CPU / requests served) do not "
             "depend on how much CPU the shared host lends in each window; the verdicts use throughput, as specified")
    f.append("pages, CPU ms per request (gunicorn" + (" + postgres" if postgres else "") + "): "
             + ", ".join(per_request(k) for k in names)
             + f"; cores busy bare/{names['small']}/{names['large']}: gunicorn {cores('server_cpu')}"
             + (f", postgres {cores('db_cpu')}" if postgres else "")
             + f", load generator {cores('client_cpu')}")
    if pages["reconnects"]:
        f.append(f"pages: client reconnects after a server close: {pages['reconnects']}")
    for key in names:
        for sample in pages[key]["samples"][:2]:
            f.append(f"page error sample ({key}): {sample}")


def _fill_votes(outcome: Outcome, kind: str, opts: Options, dataset: data.Dataset, votes: dict,
                integrity: dict) -> None:
    rows, f = outcome.rows, outcome.footer
    rate = votes["rate"]
    outcome.votes_per_second = rate
    if kind == "sqlite":
        target, verdict = f"≥ {TARGET_VOTES_SQLITE}", _verdict(rate >= TARGET_VOTES_SQLITE)
    else:
        target, verdict = "reported", ""
    rows.append(Row(f"votes, {opts.clients} clients", f"{rate:,.0f} votes/s  p50 {votes['p50']:.1f} ms  "
                    f"p95 {votes['p95']:.1f} ms", target, verdict))
    total = votes["ok"] + votes["errors"]
    rows.append(Row("vote errors (non-2xx or no confirmation)", f"{votes['errors']} of {total:,}"
                    + (f", {len(votes['login_errors'])} failed logins" if votes["login_errors"] else ""),
                    "0", _verdict(votes["errors"] == 0 and not votes["login_errors"] and total > 0)))
    wrong = integrity["wrong"]
    rows.append(Row("tallies == COUNT(*) of votes", f"{integrity['articles'] - len(wrong)}/{integrity['articles']} "
                    "articles", "all", _verdict(not wrong)))
    rows.append(Row("duplicate (account, article) pairs", f"{integrity['duplicates']}", "0",
                    _verdict(integrity["duplicates"] == 0)))
    consistent = integrity["mismatched"] == 0 and integrity["extra"] == 0
    rows.append(Row("stored vote == client's last confirmed vote",
                    f"{integrity['pairs'] - integrity['mismatched']:,}/{integrity['pairs']:,} pairs"
                    + (f", {integrity['extra']} unconfirmed" if integrity["extra"] else ""),
                    "all", _verdict(consistent)))

    served = max(votes["ok"], 1)
    cpu = f"{1000 * votes['server_cpu'] / served:.2f}"
    if votes["db_cpu"]:
        cpu += f" + postgres {1000 * votes['db_cpu'] / served:.2f}"
    f.append(f"votes: {opts.vote_duration:g} s, {opts.clients} clients x {opts.accounts_per_client} logged-in "
             f"accounts ({votes['sessions']} sessions; logins took {votes['login_seconds']:.1f} s, not timed), "
             f"htmx POST with session cookie + CSRF token, random value, over {len(dataset.vote_articles)} "
             f"recommendations; {votes['ok']:,} confirmed, {integrity['total_votes']:,} vote rows")
    f.append(f"votes, CPU ms per vote (gunicorn): {cpu}; cores busy: gunicorn "
             f"{votes['server_cpu'] / opts.vote_duration:.2f}"
             + (f", postgres {votes['db_cpu'] / opts.vote_duration:.2f}" if votes["db_cpu"] else "")
             + f", load generator {votes['client_cpu'] / opts.vote_duration:.2f}")
    if votes["reconnects"]:
        f.append(f"votes: client reconnects after a server close (sessions idle while others logged in): "
                 f"{votes['reconnects']}")
    for sample in votes["samples"] + votes["login_errors"][:3]:
        f.append(f"vote error sample: {sample}")
    for article_id, tally, count in wrong[:5]:
        f.append(f"tally mismatch: article {article_id} stores {tally}, votes count {count}")


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0


def _ratio_text(values: list[float]) -> str:
    if len(values) < 2:
        return f"{_median(values):.2f}"
    return f"{_median(values):.2f} [{min(values):.2f}–{max(values):.2f}]"


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def _nproc() -> str:
    try:
        return subprocess.run(["nproc"], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "?"


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# -- output ------------------------------------------------------------------------------------------------

def render(outcome: Outcome) -> str:
    header = Row("metric", "value", "target", "verdict")
    rows = [header, *outcome.rows]
    widths = [max(len(getattr(r, col)) for r in rows) for col in ("metric", "value", "target", "verdict")]

    def line(r: Row) -> str:
        cells = (r.metric, r.value, r.target, r.verdict)
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    out = [f"## Participation — {outcome.database}", "", line(header), rule, *(line(r) for r in outcome.rows), ""]
    out += [f"- {note}" for note in outcome.footer]
    return "\n".join(out)


PROBE = "import time\nt = time.time(); c = time.process_time()\nwhile time.time() - t < {s}: pass\nprint(time.process_time() - c)"


def cpu_probe(seconds: float = 1.0) -> float:
    """How many cores one busy loop per CPU actually gets right now (the host is shared)."""
    n = os.cpu_count() or 1
    procs = [subprocess.Popen([sys.executable, "-c", PROBE.format(s=seconds)], stdout=subprocess.PIPE, text=True)
             for _ in range(n)]
    return sum(float(p.communicate()[0]) for p in procs) / seconds


def side_by_side(outcomes: list[Outcome]) -> str:
    """The rows every database has, one value column per database."""
    labels = [o.database for o in outcomes]
    metrics = [r.metric for r in outcomes[0].rows if all(any(x.metric == r.metric for x in o.rows) for o in outcomes)]
    table = [["metric", *labels, "target"]]
    for metric in metrics:
        cells = [next(x for x in o.rows if x.metric == metric) for o in outcomes]
        values = [f"{c.value} {c.verdict}".strip() for c in cells]
        targets = list(dict.fromkeys(c.target for c in cells if c.target))
        table.append([metric, *values, " / ".join(targets)])
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
    lines = ["| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |" for row in table]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(["## Participation — side by side", "", *lines])


def run(opts: Options) -> bool:
    """Run every requested database and print the tables; True when every target was met."""
    outcomes = []
    started = time.perf_counter()
    probe_before = cpu_probe()
    for kind in opts.databases:
        try:
            outcome = run_database(kind, opts)
        except Exception as error:  # e.g. PostgreSQL down: report it and go on with the next database
            outcome = Outcome(DB_LABELS[kind], rows=[Row("run", f"failed: {type(error).__name__}: {error}"[:300],
                                                         "completes", "FAIL")])
        outcomes.append(outcome)
        print(render(outcome) + "\n", flush=True)
    probe_after = cpu_probe()
    if len(outcomes) > 1:
        print(side_by_side(outcomes) + "\n")
    passed = all(o.passed for o in outcomes)
    print(f"machine: nproc {_nproc()}, shared by gunicorn, the load generator and PostgreSQL; a CPU probe (one busy "
          f"loop per CPU, 1 s) got {probe_before:.2f} cores before and {probe_after:.2f} after the run; "
          f"Python {platform.python_version()}, {platform.machine()}")
    print(f"overall: {'PASS' if passed else 'FAIL'} ({time.perf_counter() - started:.0f} s)", flush=True)
    return passed
