"""Participation benchmark: the article page and voting, over real HTTP, against gunicorn.

For each database (SQLite in WAL mode, PostgreSQL): a fresh database migrated and loaded with the demo
consultation plus bulk contributions; gunicorn serving ``bench.wsgi_bench:app`` (the production app plus
``/bench/bare``); load-generator processes driving it over loopback; then an integrity check in the
database itself. Prints one table per database and returns whether every target was met.
"""

import os
import secrets
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from bench import data
from bench.loadgen import Client, login, measure_pages, run_loadgen
from bench.report import (
    DB_LABELS,
    TARGET_LARGE_VS_SMALL,
    Outcome,
    Row,
    log,
    percentile,
    ratio_row,
    ratio_text,
    round_ratios,
    run_tables,
    split,
    verdict,
)
from bench.server import Server

TARGET_ARTICLE_VS_BARE = 0.35
TARGET_VOTES_SQLITE = 500
TARGET_VOTES_SQLITE_QUIET = 1000  # #15: on a quiet machine
TARGET_CPU_VS_BARE = 3.0  # #15: a vote and the uncached article page, in CPU per request


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


# -- measurements ------------------------------------------------------------------------------------------

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


def _signed_in_cookie(server: Server, dataset: data.Dataset) -> str:
    """The Cookie header of a reader signed in as a browser does (the greeting after signing in is read)."""
    job = {"host": "127.0.0.1", "port": server.port, "password": data.VOTER_PASSWORD, "slug": dataset.slug,
           "articles": [dataset.article_small]}
    client, _ = login(job, dataset.voter_emails[-1])
    client.close()
    return "; ".join(f"{name}={value}" for name, value in client.cookies.items())


def measure_article_pages(server: Server, dataset: data.Dataset, opts: Options) -> dict:
    """The bare route, the two article pages and the 1k page signed in, in interleaved rounds, with the
    per-round ratios."""
    small = f"/consultas/{dataset.slug}/artigos/{dataset.article_small}"
    urls = {
        "bare": ("/bench/bare", "ok"),
        "small": (small, "Carregar mais"),
        "large": (f"/consultas/{dataset.slug}/artigos/{dataset.article_large}", "Carregar mais"),
        "signed": (small, "/sair", _signed_in_cookie(server, dataset)),  # the logout link: signed in
    }
    summary = measure_pages(server, urls, warmup=1.0, duration=opts.duration, rounds=opts.rounds,
                            connections=opts.connections, processes=opts.processes, keepalive=opts.keepalive)
    summary["ratios"] = {
        "small/bare": round_ratios(summary["small"]["rounds"], summary["bare"]["rounds"]),
        "large/small": round_ratios(summary["large"]["rounds"], summary["small"]["rounds"]),
        "signed/bare": round_ratios(summary["signed"]["rounds"], summary["bare"]["rounds"]),
    }
    return summary


def measure_votes(server: Server, dataset: data.Dataset, opts: Options) -> dict:
    emails = dataset.voter_emails
    per = opts.accounts_per_client
    clients = [emails[i * per:(i + 1) * per] for i in range(opts.clients)]
    jobs = [{"mode": "votes", "host": "127.0.0.1", "port": server.port, "clients": part,
             "password": data.VOTER_PASSWORD, "slug": dataset.slug, "articles": dataset.vote_articles,
             "duration": opts.vote_duration, "seed": 7 + n, "keepalive": opts.keepalive}
            for n, part in enumerate(split(clients, opts.processes))]
    ready, results, server_cpu = run_loadgen(jobs, [opts.vote_duration], server)
    latencies = [x for r in results for x in r["latencies"]]
    final: dict[str, dict[str, str]] = {}
    for r in results:
        final.update(r["final"])
    return {
        "ok": sum(r["ok"] for r in results), "errors": sum(r["errors"] for r in results),
        "rate": sum(r["ok"] for r in results) / opts.vote_duration,
        "p50": percentile(latencies, 0.5) * 1000, "p95": percentile(latencies, 0.95) * 1000,
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
        log(f"[{kind}] loading data into a fresh database")
        dataset = data.load(data.database_url(kind, workdir), instance, small=opts.small, large=opts.large,
                            authors=opts.authors, voters=opts.clients * opts.accounts_per_client)
        server = Server(dataset.url, workdir, workers=opts.workers, threads=opts.threads, ratelimit=opts.ratelimit,
                        secret_key=secrets.token_urlsafe(32), access_log=opts.access_log, wsgi=opts.wsgi,
                        page_cache=opts.page_cache)
        log(f"[{kind}] starting gunicorn on :{server.port} ({opts.workers} workers x {opts.threads} threads)")
        with server:
            page_notes = (_check_article_page(server, dataset, dataset.article_small),
                          _check_article_page(server, dataset, dataset.article_large))
            if "pages" in opts.parts:
                log(f"[{kind}] pages: {opts.duration:g} s per URL in {opts.rounds} interleaved rounds, "
                    f"{opts.connections} connections")
                pages = measure_article_pages(server, dataset, opts)
            if "votes" in opts.parts:
                log(f"[{kind}] votes: {opts.clients} clients x {opts.accounts_per_client} accounts, "
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
    if pages is not None:
        _fill_cpu_targets(outcome, pages, votes)
    return outcome


def _fill_cpu_targets(outcome: Outcome, pages: dict, votes: dict | None) -> None:
    """#15: CPU per request (gunicorn + postgres) of the uncached article page and of a vote, ÷ the bare route's."""
    def cpu(p: dict) -> float:
        return (p["server_cpu"] + p["db_cpu"]) / max(p["ok"], 1) or 1e-9

    bare = cpu(pages["bare"])
    page = cpu(pages["small"]) / bare
    outcome.rows.append(Row("CPU per article page (1k) ÷ bare route", f"{page:.1f}×",
                            f"≤ {TARGET_CPU_VS_BARE:g}×", verdict(page <= TARGET_CPU_VS_BARE)))
    signed = cpu(pages["signed"]) / bare
    outcome.rows.append(Row("CPU per article page (1k), signed in ÷ bare route", f"{signed:.1f}×",
                            f"≤ {TARGET_CPU_VS_BARE:g}×", verdict(signed <= TARGET_CPU_VS_BARE)))
    if votes is not None:
        vote = (votes["server_cpu"] + votes["db_cpu"]) / max(votes["ok"], 1) / bare
        outcome.rows.append(Row("CPU per vote ÷ bare route", f"{vote:.1f}×", f"≤ {TARGET_CPU_VS_BARE:g}×",
                                verdict(vote <= TARGET_CPU_VS_BARE)))


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
    rows.append(ratio_row("  ratio article / bare", pages["ratios"]["small/bare"], TARGET_ARTICLE_VS_BARE))
    page_row("large", f"article page, {dataset.large:,} contributions")
    rows.append(ratio_row(f"  ratio {dataset.large // 1000}k / {dataset.small // 1000}k",
                          pages["ratios"]["large/small"], TARGET_LARGE_VS_SMALL))
    page_row("signed", f"article page, {dataset.small:,} contributions, signed in")
    rows.append(Row("  ratio signed in / bare", ratio_text(pages["ratios"]["signed/bare"]), "(info)"))
    def cpu_per(p: dict) -> float:  # gunicorn (+ postgres) CPU seconds per served request
        return (p["server_cpu"] + p["db_cpu"]) / max(p["ok"], 1) or 1e-9

    rows.append(Row("  same ratios from CPU time per request",
                    f"article / bare {cpu_per(bare) / cpu_per(small):.2f}, "
                    f"{dataset.large // 1000}k / {dataset.small // 1000}k {cpu_per(small) / cpu_per(large):.2f}",
                    "(info)"))
    page_errors = sum(pages[k]["errors"] for k in ("bare", "small", "large", "signed"))
    rows.append(Row("page errors", f"{page_errors}", "0", verdict(page_errors == 0)))

    names = {"bare": "bare", "small": f"{dataset.small // 1000}k", "large": f"{dataset.large // 1000}k",
             "signed": f"{dataset.small // 1000}k signed in"}
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
             "no cookies sent (a first-time visitor), except the signed-in page (one account's session cookie)")
    f.append("pages: the ratios from CPU time per request (gunicorn + postgres CPU / requests served) do not "
             "depend on how much CPU the shared host lends in each window; the verdicts use throughput, as specified")
    f.append("pages, CPU ms per request (gunicorn" + (" + postgres" if postgres else "") + "): "
             + ", ".join(per_request(k) for k in names)
             + f"; cores busy {'/'.join(names.values())}: gunicorn {cores('server_cpu')}"
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
        target, rate_verdict = f"≥ {TARGET_VOTES_SQLITE}", verdict(rate >= TARGET_VOTES_SQLITE)
    else:
        target, rate_verdict = "reported", ""
    rows.append(Row(f"votes, {opts.clients} clients", f"{rate:,.0f} votes/s  p50 {votes['p50']:.1f} ms  "
                    f"p95 {votes['p95']:.1f} ms", target, rate_verdict))
    if kind == "sqlite":
        # #15's target, on a quiet machine; the ceiling is what the cores allow at this run's CPU per vote
        # (gunicorn and the load generator share them).
        per_vote = (votes["server_cpu"] + votes["client_cpu"]) / max(votes["ok"], 1)
        ceiling = (os.cpu_count() or 1) / per_vote if per_vote else 0.0
        rows.append(Row("  votes/s on a quiet machine (#15)", f"{rate:,.0f} (the cores allow ≈ {ceiling:,.0f} at "
                        f"{1000 * per_vote:.2f} ms CPU per vote, server + client)",
                        f"≥ {TARGET_VOTES_SQLITE_QUIET:,}", verdict(rate >= TARGET_VOTES_SQLITE_QUIET)))
    total = votes["ok"] + votes["errors"]
    rows.append(Row("vote errors (non-2xx or no confirmation)", f"{votes['errors']} of {total:,}"
                    + (f", {len(votes['login_errors'])} failed logins" if votes["login_errors"] else ""),
                    "0", verdict(votes["errors"] == 0 and not votes["login_errors"] and total > 0)))
    wrong = integrity["wrong"]
    rows.append(Row("tallies == COUNT(*) of votes", f"{integrity['articles'] - len(wrong)}/{integrity['articles']} "
                    "articles", "all", verdict(not wrong)))
    rows.append(Row("duplicate (account, article) pairs", f"{integrity['duplicates']}", "0",
                    verdict(integrity["duplicates"] == 0)))
    consistent = integrity["mismatched"] == 0 and integrity["extra"] == 0
    rows.append(Row("stored vote == client's last confirmed vote",
                    f"{integrity['pairs'] - integrity['mismatched']:,}/{integrity['pairs']:,} pairs"
                    + (f", {integrity['extra']} unconfirmed" if integrity["extra"] else ""),
                    "all", verdict(consistent)))

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


def run(opts: Options) -> bool:
    """Run every requested database and print the tables; True when every target was met."""
    outcomes: dict[str, Outcome] = {}

    def one(kind: str) -> Outcome:
        outcomes[kind] = run_database(kind, opts)
        return outcomes[kind]

    passed = run_tables("Participation", opts.databases, one, None, load_by="the load generator",
                        python_version=True)
    if "votes" in opts.parts and {"sqlite", "postgres"} <= outcomes.keys():
        sqlite_rate, pg_rate = outcomes["sqlite"].votes_per_second, outcomes["postgres"].votes_per_second
        ok = pg_rate >= sqlite_rate > 0
        print(f"votes/s PostgreSQL ÷ SQLite (same run): {pg_rate:,.0f} ÷ {sqlite_rate:,.0f} = "
              f"{pg_rate / max(sqlite_rate, 1e-9):.2f} (target ≥ 1): {verdict(ok)}", flush=True)
        passed = passed and ok
    return passed
