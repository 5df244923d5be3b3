"""gunicorn settings for production: ``gunicorn -c python:consulta.gunicorn_conf consulta.wsgi:app``.

Logs go to stdout (journald under systemd) as one JSON object per line: the app's own lines, gunicorn's
and the access log alike (formatters in consulta.logs). Workers, threads and the address come from the
command line or GUNICORN_CMD_ARGS; the values here are the defaults the README sizes.
"""

import os

bind = os.environ.get("CONSULTA_BIND", "127.0.0.1:8000")
worker_class = "gthread"
threads = 2
timeout = 60  # nginx's proxy_read_timeout is the same (README): the slowest page is a large export
graceful_timeout = 30
control_socket_disable = True  # several instances on one host would fight over ~/.gunicorn/gunicorn.ctl
forwarded_allow_ips = "127.0.0.1,::1"

logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "consulta.logs.JsonFormatter"},
        "access": {"()": "consulta.logs.AccessJsonFormatter"},
    },
    "handlers": {
        "stdout": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stdout"},
        "access": {"class": "logging.StreamHandler", "formatter": "access", "stream": "ext://sys.stdout"},
    },
    "root": {"level": "INFO", "handlers": ["stdout"]},
    "loggers": {
        "gunicorn.error": {"level": "INFO", "handlers": ["stdout"], "propagate": False},
        "gunicorn.access": {"level": "INFO", "handlers": ["access"], "propagate": False},
    },
}
