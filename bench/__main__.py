"""``python -m bench [SUBCOMMAND ...]`` (``make bench BENCH_ARGS="..."``): benchmarks that print tables.

Subcommands:

* ``participation`` (the default when none is given): article page and votes over HTTP against gunicorn,
  on SQLite (WAL) and PostgreSQL; exits 1 when a target is missed (``--no-fail`` to always exit 0).
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


def participation(argv: list[str]) -> int:
    from bench.participation import Options, run

    defaults = Options(databases=[])
    parser = argparse.ArgumentParser(
        prog="python -m bench participation",
        description="Article page and voting over real HTTP against gunicorn serving the production app.",
    )
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both",
                        help="database(s) to run on (default: both, SQLite first)")
    parser.add_argument("--duration", type=float, default=defaults.duration,
                        help="measured seconds per page URL, split into interleaved rounds (default %(default)s)")
    parser.add_argument("--rounds", type=int, default=defaults.rounds,
                        help="interleaved rounds of bare / 1k / 10k page windows (default %(default)s)")
    parser.add_argument("--vote-duration", type=float, default=defaults.vote_duration,
                        help="seconds of voting (default %(default)s)")
    parser.add_argument("--workers", type=int, default=defaults.workers, help="gunicorn workers (default: nproc, here %(default)s)")
    parser.add_argument("--threads", type=int, default=defaults.threads,
                        help="gunicorn threads per worker (default %(default)s)")
    parser.add_argument("--connections", type=int, default=defaults.connections,
                        help="concurrent connections for the page measurements (default %(default)s)")
    parser.add_argument("--clients", type=int, default=defaults.clients,
                        help="concurrent voting clients (default %(default)s)")
    parser.add_argument("--accounts-per-client", type=int, default=defaults.accounts_per_client,
                        help="logged-in accounts each voting client alternates between (default %(default)s)")
    parser.add_argument("--processes", type=int, default=defaults.processes,
                        help="load-generator processes sharing the connections (default %(default)s)")
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
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder and database afterwards")
    parser.add_argument("--no-fail", action="store_true", help="exit 0 even when a target is missed")
    args = parser.parse_args(argv)
    opts = Options(
        databases=["sqlite", "postgres"] if args.db == "both" else [args.db],
        duration=args.duration, rounds=max(1, args.rounds), vote_duration=args.vote_duration,
        workers=args.workers, threads=args.threads, connections=args.connections, clients=args.clients,
        accounts_per_client=args.accounts_per_client, processes=max(1, args.processes), ratelimit=args.ratelimit,
        page_cache=args.page_cache,
        keepalive=not args.no_keepalive, access_log=not args.no_access_log, keep=args.keep,
        parts=(args.only,) if args.only else ("pages", "votes"), wsgi=args.wsgi,
    )
    passed = run(opts)
    return 0 if passed or args.no_fail else 1


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
    "analysis": analysis,
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
