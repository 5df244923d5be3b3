"""``python -m bench profile``: where a signed-in request spends its time, in-process, with pyinstrument.

Loads the participation benchmark's data (SQLite by default) and profiles, through Flask's test client (no
network, no gunicorn), N htmx votes by one signed-in account, N signed-in article pages (1,000
contributions) and N anonymous ones with the page cache off, printing pyinstrument's call tree for each and the mean wall time per request.
pyinstrument is a developer tool, not a dependency: ``pip install pyinstrument``.
"""

import argparse
import re
import secrets
import time

from bench import data


def _profile(label: str, fn, n: int, show: bool) -> float:
    from pyinstrument import Profiler

    for _ in range(20):  # warm caches and compiled statements
        fn()
    started = time.perf_counter()
    for _ in range(n):
        fn()
    plain = (time.perf_counter() - started) / n * 1000
    if show:
        profiler = Profiler(interval=0.0002)
        profiler.start()
        for _ in range(n):
            fn()
        profiler.stop()
        print(profiler.output_text(unicode=True, color=False, show_all=False))
    print(f"{label}: {plain:.2f} ms per request (in-process, mean of {n})")
    return plain


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench profile", description=__doc__)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("-n", type=int, default=300, help="requests per measurement (default %(default)s)")
    parser.add_argument("--quiet", action="store_true", help="only the mean times, no call trees")
    parser.add_argument("--only", choices=("vote", "page", "anon", "bare"), action="append")
    args = parser.parse_args(argv)
    only = set(args.only or ("vote", "page", "anon", "bare"))

    with data.workspace(args.db, "profile") as (workdir, instance):
        dataset = data.load(data.database_url(args.db, workdir), instance, small=1000, large=1000, authors=100,
                            voters=2)
        from consulta import create_app

        app = create_app({"DATABASE_URL": dataset.url, "SECRET_KEY": secrets.token_urlsafe(16),
                          "RATELIMIT_ENABLED": False, "PAGE_CACHE_SECONDS": 0}, instance_path=str(instance))
        app.add_url_rule("/bench/bare", endpoint="bench_bare", view_func=lambda: "ok\n")
        client = app.test_client()
        page = client.get("/entrar")
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text).group(1)
        answer = client.post("/entrar", data={"csrf_token": token, "email": dataset.voter_emails[0],
                                              "password": data.VOTER_PASSWORD})
        if answer.status_code != 303:
            raise RuntimeError(f"login answered {answer.status_code}")
        article = f"/consultas/{dataset.slug}/artigos/{dataset.article_small}"
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get(article).text).group(1)
        values = iter(["agree", "disagree", "abstain", ""] * 100_000)

        def vote():
            response = client.post(f"{article}/voto", data={"csrf_token": token, "value": next(values)},
                                   headers={"HX-Request": "true"})
            assert response.status_code == 200 and "votacao" in response.text, response.status_code

        def article_page():
            response = client.get(article)
            assert response.status_code == 200 and "/sair" in response.text

        anonymous = app.test_client()

        def anonymous_page():
            response = anonymous.get(article)
            assert response.status_code == 200 and "Set-Cookie" not in response.headers

        def bare():
            assert client.get("/bench/bare").status_code == 200

        results = {}
        if "bare" in only:
            results["bare"] = _profile("bare route", bare, args.n, False)
        if "vote" in only:
            results["vote"] = _profile("vote (htmx, signed in)", vote, args.n, not args.quiet)
        if "page" in only:
            results["page"] = _profile("article page (signed in, 1k contributions)", article_page, args.n,
                                       not args.quiet)
        if "anon" in only:
            results["anon"] = _profile("article page (anonymous, no page cache)", anonymous_page, args.n,
                                       not args.quiet)
        if "bare" in results:
            print(", ".join(f"{k} {v / results['bare']:.1f}x bare" for k, v in results.items() if k != "bare"))
        from consulta.extensions import db

        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    return 0
