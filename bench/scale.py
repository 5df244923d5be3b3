"""``python -m bench scale``: the national platform's size against the demo's, in one PostgreSQL database.

Loads two open consultations (the demo text each) into one fresh PostgreSQL database with bench/results.py's
loader (COPY): a demo-sized one (2,000 contributions, 10,000 votes) and one 100 times larger (200,000
contributions, 1,000,000 votes, about 100,000 accounts); sizes are options. Then, against gunicorn, one
signed-in account per consultation measures in interleaved rounds (demo, large; large, demo; ...):

- the article page, signed in (the article with the most contributions), page cache off;
- a vote (htmx POST with the session cookie and CSRF token), alternating values;
- the public results page (its background snapshot, as served);
- the open-data export (/dados/contribuicoes.csv), as rows per second (it grows with the data by design).

Each request is timed sequentially from one client (median of the round medians). The target for each is
"100× data ÷ demo data ≥ 0.8": the large consultation's throughput (1 / median latency, or rows/s for the
export) at least 0.8 of the demo's.
"""

import argparse
import re
import secrets
import statistics
import time

from bench import data
from bench.loadgen import Client
from bench.report import DB_LABELS, Outcome, Row, log, run_tables, verdict
from bench.results import SLUGS, ConfiguredServer, Options, load

TARGET = 0.8
SIZES = ("small", "large")
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def _best_article(db, slug: str) -> tuple[int, int]:
    """(article with the most top-level contributions, a recommendation that takes votes) of `slug`."""
    from sqlalchemy import func, select

    from consulta.models import Article, Consultation, Contribution

    consultation_id = db.session.scalar(select(Consultation.id).where(Consultation.slug == slug))
    article = db.session.execute(
        select(Contribution.article_id, func.count()).where(
            Contribution.consultation_id == consultation_id, Contribution.article_id.is_not(None))
        .group_by(Contribution.article_id).order_by(func.count().desc()).limit(1)).first()[0]
    recommendation = db.session.scalar(select(Article.id).where(
        Article.consultation_id == consultation_id, Article.accepts_votes.is_(True)).order_by(Article.position))
    return article, recommendation


def _sign_in(port: int, email: str) -> Client:
    client = Client("127.0.0.1", port)
    status, body, _ = client.request("GET", "/entrar")
    token = CSRF_RE.search(body.decode()).group(1)
    status, body, _ = client.request("POST", "/entrar", form={"csrf_token": token, "email": email,
                                                               "password": data.VOTER_PASSWORD})
    if status != 303:
        raise RuntimeError(f"sign-in of {email} answered {status}")
    return client


class Target:
    """One consultation's signed-in client and its four requests."""

    def __init__(self, port: int, slug: str, email: str, article: int, recommendation: int) -> None:
        self.client = _sign_in(port, email)
        self.slug, self.article, self.recommendation = slug, article, recommendation
        status, body, _ = self.client.request("GET", f"/consultas/{slug}/artigos/{recommendation}")
        self.token = CSRF_RE.search(body.decode()).group(1)
        self.flip = 0

    def page(self) -> float:
        return self._timed("GET", f"/consultas/{self.slug}/artigos/{self.article}", expect="/sair")

    def vote(self) -> float:
        self.flip += 1
        value = ("agree", "disagree")[self.flip % 2]
        return self._timed("POST", f"/consultas/{self.slug}/artigos/{self.recommendation}/voto",
                           form={"csrf_token": self.token, "value": value}, headers={"HX-Request": "true"},
                           expect="Seu voto foi registrado")

    def results(self) -> float:
        return self._timed("GET", f"/consultas/{self.slug}/resultados", cookies=False, expect="Votos")

    def export(self) -> tuple[float, int]:
        started = time.perf_counter()
        status, body, _ = self.client.request("GET", f"/consultas/{self.slug}/dados/contribuicoes.csv",
                                              cookies=False)
        seconds = time.perf_counter() - started
        if status != 200:
            raise RuntimeError(f"export of {self.slug} answered {status}")
        return seconds, body.count(b"\n") - 1

    def _timed(self, method: str, path: str, expect: str, cookies: bool = True, **kwargs) -> float:
        started = time.perf_counter()
        status, body, _ = self.client.request(method, path, cookies=cookies, **kwargs)
        seconds = time.perf_counter() - started
        if status != 200 or expect.encode() not in body:
            raise RuntimeError(f"{method} {path} answered {status} without {expect!r}")
        return seconds


def measure(targets: dict[str, Target], rounds: int, requests: int) -> dict[str, dict[str, list[float]]]:
    """Per request kind and size: the median seconds of each round (the export: seconds per row)."""
    out: dict[str, dict[str, list[float]]] = {k: {s: [] for s in SIZES} for k in ("page", "vote", "results", "export")}
    for n in range(rounds):
        order = SIZES if n % 2 == 0 else tuple(reversed(SIZES))
        for size in order:
            target = targets[size]
            for kind in ("page", "vote", "results"):
                fn = getattr(target, kind)
                fn()  # one unmeasured request after switching consultation
                out[kind][size].append(statistics.median(fn() for _ in range(requests)))
            seconds, rows = target.export()
            out["export"][size].append(seconds / max(rows, 1))
    return out


def _top_up_accounts(db, accounts: int, loaded) -> int:
    """More participants (who neither write nor vote) until the database holds `accounts`; returns how many."""
    import random
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import func, select

    from consulta.auth.passwords import hash_password
    from consulta.models import User

    missing = accounts - db.session.scalar(select(func.count()).select_from(User))
    if missing <= 0:
        return 0
    now = datetime.now(UTC)
    data.insert_participants(db, random.Random(7), missing, "conta-", hash_password(data.VOTER_PASSWORD),
                             start=now - timedelta(days=60), end=now - timedelta(hours=1))
    db.session.commit()
    loaded.consultations["large"].participants += missing
    return missing


def run_database(kind: str, opts: Options, rounds: int, requests: int, accounts: int = 0) -> Outcome:
    from consulta.extensions import db

    outcome = Outcome(DB_LABELS[kind])
    with data.workspace(kind, "scale", opts.keep) as (workdir, instance):
        log(f"[{kind}] loading {opts.small[0]:,} + {opts.large[0]:,} contributions and "
            f"{opts.small[1]:,} + {opts.large[1]:,} votes into a fresh database")
        loaded = load(data.database_url(kind, workdir), instance, opts)
        app = data.bench_app(loaded.url, instance)
        with app.app_context():
            picks = {size: _best_article(db, SLUGS[size]) for size in SIZES}
            extra = _top_up_accounts(db, accounts, loaded)
            db.session.remove()
            db.engine.dispose()
        log(f"[{kind}] loaded in {loaded.seconds:.0f} s; starting gunicorn")
        server = ConfiguredServer(loaded.url, workdir, workers=opts.workers, threads=opts.threads,
                                  ratelimit="off", secret_key=secrets.token_urlsafe(32), page_cache=0,
                                  settings=opts.server_env)
        with server:
            targets = {size: Target(server.port, SLUGS[size], f"{size}-000001@bench.example", *picks[size])
                       for size in SIZES}
            log(f"[{kind}] {rounds} interleaved rounds of {requests} requests per kind")
            results = measure(targets, rounds, requests)
    labels = {"page": "article page, signed in", "vote": "vote (htmx POST)", "results": "results page",
              "export": "open-data export (CSV), per row"}
    small, large = loaded.consultations["small"], loaded.consultations["large"]
    for key, label in labels.items():
        demo = statistics.median(results[key]["small"])
        big = statistics.median(results[key]["large"])
        ratio = demo / big if big else 0.0
        unit = (f"{1 / demo:,.0f} vs {1 / big:,.0f} rows/s" if key == "export"
                else f"{1000 * demo:.1f} vs {1000 * big:.1f} ms")
        outcome.rows.append(Row(f"{label}: demo vs 100×", f"{unit}, ratio {ratio:.2f}", f"≥ {TARGET}",
                                verdict(ratio >= TARGET)))
    outcome.footer.append(
        f"data: demo {small.contributions:,} contributions, {small.votes:,} votes, {small.participants:,} accounts; "
        f"large {large.contributions:,} contributions, {large.votes:,} votes, {large.participants:,} accounts "
        f"({extra:,} of them added to reach {accounts:,} accounts in the database); "
        f"one database, loaded in {loaded.seconds:.0f} s ({loaded.db_version})")
    outcome.footer.append(f"ratio = demo's median latency ÷ the large one's (throughput large ÷ demo); "
                          f"{rounds} interleaved rounds, each the median of {requests} sequential requests from "
                          "one signed-in client; gunicorn "
                          f"{opts.workers} workers x {opts.threads} threads, page cache off")
    return outcome


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench scale", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--contributions", type=int, default=200_000, help="large consultation (default %(default)s)")
    parser.add_argument("--votes", type=int, default=1_000_000, help="large consultation (default %(default)s)")
    parser.add_argument("--accounts", type=int, default=100_000,
                        help="accounts in the database at least (participants who neither write nor vote fill up)")
    parser.add_argument("--demo-contributions", type=int, default=2_000)
    parser.add_argument("--demo-votes", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--requests", type=int, default=25, help="per kind, size and round (default %(default)s)")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--no-fail", action="store_true")
    args = parser.parse_args(argv)
    opts = Options(databases=["postgres"], small=(args.demo_contributions, args.demo_votes),
                   large=(args.contributions, args.votes), keep=args.keep)
    passed = run_tables("Scale (100× data ÷ demo data)", ["postgres"],
                        lambda kind: run_database(kind, opts, args.rounds, args.requests, args.accounts), None,
                        load_by="the client")
    return 0 if passed or args.no_fail else 1
