"""``python -m bench [SUBCOMMAND ...]`` (``make bench BENCH_ARGS="..."``): benchmarks that print tables.

Subcommands:

* ``participation`` (the default when none is given): article page and votes over HTTP against gunicorn,
  on SQLite (WAL) and PostgreSQL; exits 1 when a target is missed (``--no-fail`` to always exit 0).
* ``opendata``: streams 100,000 public contributions as CSV and JSON from one gunicorn worker; rows/s and
  the worker's memory growth per database (``--no-fail`` to always exit 0).
* ``results``: the public results page of a consultation with 1,000 contributions and 10,000 votes against
  one with 100,000 and 1,000,000, in interleaved rounds, per database (``--no-fail`` to always exit 0).
* ``jobs``: analysis runs through the job queue on Redis with 1, 2 and 4 worker processes: jobs/s, scaling
  ratios, and the enqueue latency of the web request that starts a run (``--no-fail`` to always exit 0).
* ``profile``: pyinstrument call trees of a signed-in vote and article page, in-process (#15).
* ``scale``: PostgreSQL with 100,000 accounts, 200,000 contributions and 1,000,000 votes against demo-sized
  data: the signed-in article page, a vote, the results page and the open-data export (#15).
* ``search``: the contribution search of a consultation with 200,000 contributions, a mix of searches with and
  without filters: p50/p95 per database, PASS when p95 < 50 ms (``--no-fail`` to always exit 0).
* ``analysis NAME [ARGS...]``: runs ``bench/analysis_NAME.py``'s ``main()`` (found at run time), e.g.
  ``python -m bench analysis quality``; those scripts also run directly.

Add a subcommand by writing a function ``(argv) -> int`` and listing it in ``SUBCOMMANDS``.
"""

import argparse
import importlib
import inspect
import sys
from collections.abc import Callable
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent


def _databases(choice: str) -> list[str]:
    return ["sqlite", "postgres"] if choice == "both" else [choice]


def _common(parser: argparse.ArgumentParser) -> None:
    """Options every database benchmark takes."""
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both",
                        help="database(s) to run on (default: both, SQLite first)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder and database afterwards")
    parser.add_argument("--no-fail", action="store_true", help="exit 0 even when a target is missed")


def _page_load(parser: argparse.ArgumentParser, defaults) -> None:
    """Options of the page measurements against gunicorn (participation, results)."""
    parser.add_argument("--duration", type=float, default=defaults.duration,
                        help="measured seconds per page URL, split into interleaved rounds (default %(default)s)")
    parser.add_argument("--rounds", type=int, default=defaults.rounds,
                        help="interleaved rounds of page windows, one window per URL (default %(default)s)")
    parser.add_argument("--workers", type=int, default=defaults.workers, help="gunicorn workers (default %(default)s)")
    parser.add_argument("--threads", type=int, default=defaults.threads,
                        help="gunicorn threads per worker (default %(default)s)")
    parser.add_argument("--connections", type=int, default=defaults.connections,
                        help="concurrent connections for the page measurements (default %(default)s)")
    parser.add_argument("--processes", type=int, default=defaults.processes,
                        help="load-generator processes sharing the connections (default %(default)s)")


def participation(argv: list[str]) -> int:
    from bench.participation import Options, run

    defaults = Options(databases=[])
    parser = argparse.ArgumentParser(
        prog="python -m bench participation",
        description="Article page and voting over real HTTP against gunicorn serving the production app.",
    )
    _common(parser)
    _page_load(parser, defaults)  # --workers defaults to nproc here
    parser.add_argument("--vote-duration", type=float, default=defaults.vote_duration,
                        help="seconds of voting (default %(default)s)")
    parser.add_argument("--clients", type=int, default=defaults.clients,
                        help="concurrent voting clients (default %(default)s)")
    parser.add_argument("--accounts-per-client", type=int, default=defaults.accounts_per_client,
                        help="logged-in accounts each voting client alternates between (default %(default)s)")
    parser.add_argument("--page-cache", type=int, default=None, metavar="SECONDS",
                        help="anonymous page cache seconds for the server (default: the app's; 0 = off)")
    parser.add_argument("--ratelimit", choices=("off", "redis"), default=defaults.ratelimit,
                        help="off: CONSULTA_RATELIMIT_ENABLED=false; redis: limits on with Redis db 14 and "
                             "raised far above the load (default %(default)s)")
    parser.add_argument("--no-keepalive", action="store_true",
                        help="one connection per request (as behind a proxy without upstream keep-alive)")
    parser.add_argument("--no-access-log", action="store_true", help="run gunicorn without its access log")
    parser.add_argument("--wsgi", default=defaults.wsgi,
                        help="WSGI app for gunicorn, to try a change without editing the app (default %(default)s)")
    parser.add_argument("--only", choices=("pages", "votes"), help="run one half of the benchmark")
    args = parser.parse_args(argv)
    opts = Options(
        databases=_databases(args.db),
        duration=args.duration, rounds=max(1, args.rounds), vote_duration=args.vote_duration,
        workers=args.workers, threads=args.threads, connections=args.connections, clients=args.clients,
        accounts_per_client=args.accounts_per_client, processes=max(1, args.processes), ratelimit=args.ratelimit,
        page_cache=args.page_cache,
        keepalive=not args.no_keepalive, access_log=not args.no_access_log, keep=args.keep,
        parts=(args.only,) if args.only else ("pages", "votes"), wsgi=args.wsgi,
    )
    passed = run(opts)
    return 0 if passed or args.no_fail else 1


def opendata(argv: list[str]) -> int:
    from bench.opendata import Options, run

    defaults = Options(databases=[])
    parser = argparse.ArgumentParser(
        prog="python -m bench opendata",
        description="Streams the contributions open-data files (CSV and JSON) over real HTTP from one gunicorn "
                    "worker: rows/s and the worker's resident memory growth.",
    )
    _common(parser)
    parser.add_argument("--contributions", type=int, default=defaults.contributions,
                        help="visible contributions, i.e. rows of each file (default %(default)s)")
    parser.add_argument("--authors", type=int, default=defaults.authors, help="participants (default %(default)s)")
    parser.add_argument("--repeat", type=int, default=defaults.repeat,
                        help="downloads per format (default %(default)s)")
    parser.add_argument("--threads", type=int, default=defaults.threads,
                        help="gunicorn threads of the single worker (default %(default)s)")
    parser.add_argument("--profile", action="store_true",
                        help="also run the CSV export in-process under cProfile and print the top functions")
    parser.add_argument("--wsgi", default=defaults.wsgi,
                        help="WSGI app for gunicorn, to compare a change without editing the app (default %(default)s)")
    args = parser.parse_args(argv)
    opts = Options(databases=_databases(args.db), contributions=args.contributions, authors=max(12, args.authors),
                   repeat=max(1, args.repeat), threads=args.threads, profile=args.profile, keep=args.keep,
                   wsgi=args.wsgi)
    return 0 if run(opts) or args.no_fail else 1


def results(argv: list[str]) -> int:
    from bench.results import Options, run

    defaults = Options(databases=[])
    parser = argparse.ArgumentParser(
        prog="python -m bench results",
        description="The public results page of a small and a large consultation in one database, over real "
                    "HTTP against gunicorn, in interleaved rounds: requests/s and the ratio large / small.",
    )
    _common(parser)
    _page_load(parser, defaults)
    parser.add_argument("--page-cache", type=int, default=0, metavar="SECONDS",
                        help="the server's anonymous page cache (CONSULTA_PAGE_CACHE_SECONDS; default 0 = off, "
                             "so the page's own cost is measured)")
    parser.add_argument("--server-env", action="append", default=[], metavar="CONSULTA_NAME=VALUE",
                        help="extra configuration for the server, e.g. CONSULTA_RESULTS_MAX_AGE=60 (repeatable)")
    parser.add_argument("--large", type=int, nargs=2, default=defaults.large, metavar=("CONTRIBUTIONS", "VOTES"),
                        help="size of the large consultation (default %(default)s)")
    parser.add_argument("--small", type=int, nargs=2, default=defaults.small, metavar=("CONTRIBUTIONS", "VOTES"),
                        help="size of the small consultation (default %(default)s)")
    args = parser.parse_args(argv)
    if any("=" not in item or not item.startswith("CONSULTA_") for item in args.server_env):
        parser.error("--server-env takes CONSULTA_NAME=VALUE")
    server_env = dict(item.split("=", 1) for item in args.server_env)
    opts = Options(databases=_databases(args.db), duration=args.duration, rounds=max(1, args.rounds),
                   workers=args.workers, threads=args.threads, connections=args.connections,
                   processes=max(1, args.processes), page_cache=args.page_cache, server_env=server_env,
                   small=tuple(args.small), large=tuple(args.large), keep=args.keep)
    return 0 if run(opts) or args.no_fail else 1


def jobs(argv: list[str]) -> int:
    from bench.jobs import Options, run_database
    from bench.report import run_tables

    defaults = Options()
    parser = argparse.ArgumentParser(
        prog="python -m bench jobs",
        description="Queued analysis runs of one article through 1, 2 and 4 `flask consulta worker` processes on "
                    "Redis: jobs/s and scaling; enqueue latency of the web request that starts a run.",
    )
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="postgres",
                        help="database (default postgres: SQLite serialises the workers' writes)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder and database afterwards")
    parser.add_argument("--no-fail", action="store_true", help="exit 0 even when a target is missed")
    parser.add_argument("--runs", type=int, default=defaults.runs, help="queued runs per worker count (default %(default)s)")
    parser.add_argument("--contributions", type=int, default=defaults.contributions,
                        help="contributions of the analysed article (default %(default)s)")
    parser.add_argument("--workers", type=int, nargs="+", default=defaults.workers,
                        help="worker process counts to measure (default %(default)s)")
    parser.add_argument("--requests", type=int, default=defaults.requests,
                        help="web requests timed for the enqueue latency (default %(default)s)")
    parser.add_argument("--queue", default=defaults.queue_url,
                        help="queue URL (default %(default)s; CONSULTA_BENCH_REDIS_URL overrides it)")
    args = parser.parse_args(argv)
    opts = Options(databases=_databases(args.db), runs=max(1, args.runs), contributions=max(20, args.contributions),
                   workers=sorted(set(args.workers)), requests=max(1, args.requests), queue_url=args.queue,
                   keep=args.keep)
    reading = ("each worker process runs one job at a time with BLAS on one thread, so the runs are CPU-bound "
               "Python/numpy; on this 2-core machine 2 workers can at best double 1, and 4 cannot beat 2.")
    passed = run_tables("Job queue", opts.databases, lambda kind: run_database(kind, opts), reading,
                        load_by="the workers")
    return 0 if passed or args.no_fail else 1


def profile(argv: list[str]) -> int:
    from bench.profile import main

    return main(argv)


def scale(argv: list[str]) -> int:
    from bench.scale import main

    return main(argv)
def search(argv: list[str]) -> int:
    from bench.search import Options, run

    defaults = Options(databases=[])
    parser = argparse.ArgumentParser(
        prog="python -m bench search",
        description="Full-text search and filters of a consultation's contributions (200,000 by default): a fixed "
                    "mix of searches in interleaved rounds, p50/p95 per database; PASS when p95 < 50 ms.",
    )
    _common(parser)
    parser.add_argument("--contributions", type=int, default=defaults.contributions,
                        help="contributions in the consultation (default %(default)s)")
    parser.add_argument("--authors", type=int, default=defaults.authors, help="participants (default %(default)s)")
    parser.add_argument("--rounds", type=int, default=defaults.rounds,
                        help="measured rounds of the whole mix (default %(default)s)")
    args = parser.parse_args(argv)
    opts = Options(databases=_databases(args.db), contributions=max(1_000, args.contributions),
                   authors=max(12, args.authors), rounds=max(1, args.rounds), keep=args.keep)
    return 0 if run(opts) or args.no_fail else 1


def analysis(argv: list[str]) -> int:
    available = sorted(p.stem.removeprefix("analysis_") for p in BENCH_DIR.glob("analysis_*.py"))
    if not argv or argv[0] in ("-h", "--help"):
        print("usage: python -m bench analysis NAME [ARGS...]\n"
              f"NAME: {', '.join(available) or '(no bench/analysis_*.py yet)'}")
        return 0 if argv else 2
    name, rest = argv[0], argv[1:]
    if name not in available:
        print(f"no bench/analysis_{name}.py (available: {', '.join(available) or 'none'})", file=sys.stderr)
        return 2
    module = importlib.import_module(f"bench.analysis_{name}")
    main = getattr(module, "main", None)
    if not callable(main):
        print(f"bench/analysis_{name}.py defines no main(); run it directly", file=sys.stderr)
        return 2
    if inspect.signature(main).parameters:
        result = main(rest)
    else:
        sys.argv = [f"bench/analysis_{name}.py", *rest]
        result = main()
    return result if isinstance(result, int) else 0


SUBCOMMANDS: dict[str, Callable[[list[str]], int]] = {
    "participation": participation,
    "opendata": opendata,
    "results": results,
    "jobs": jobs,
    "search": search,
    "analysis": analysis,
    "profile": profile,
    "scale": scale,
}


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in ("-h", "--help"):
        print(__doc__.strip())
        return 0
    if not argv or argv[0].startswith("-"):
        return participation(argv)  # `python -m bench` and `python -m bench --db sqlite` run participation
    command = SUBCOMMANDS.get(argv[0])
    if command is None:
        print(f"unknown subcommand {argv[0]!r}; choose from: {', '.join(SUBCOMMANDS)}", file=sys.stderr)
        return 2
    return command(argv[1:])


if __name__ == "__main__":
    sys.exit(main())
