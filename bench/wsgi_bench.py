"""The production app plus one trivial route, for benchmarks: ``gunicorn bench.wsgi_bench:app``.

``app`` is ``consulta.wsgi:app``, the production entry point (``create_app()``, configured by CONSULTA_* variables), with
a single extra route, ``/bench/bare``, that returns a short text. Both the article page and the bare route
are served by this one app under one gunicorn configuration, so their ratio measures what the article page
costs on top of the request plumbing every route pays (sessions, Flask-Login, Babel, Talisman headers,
rate-limit hooks, the access log).

The benchmark server sets CONSULTA_INSTANCE_PATH to a throw-away directory so a benchmark never reads or
writes the developer's ``instance/`` (secret key, SQLite file, config.py).
"""

from consulta.wsgi import app


def bare() -> tuple[str, int, dict[str, str]]:
    """The cheapest answer the app can give: no template, no database."""
    return "ok\n", 200, {"Content-Type": "text/plain; charset=utf-8"}


app.add_url_rule("/bench/bare", endpoint="bench_bare", view_func=bare)
