"""Logging: one JSON object per line on stdout with the request id, and security events.

Every request gets an id (the proxy's `X-Request-Id` when it sends a sane one, else a new one), echoed in
the `X-Request-Id` response header and added to each log line written while it is handled. Log lines name
events, counts, endpoints and ids of objects; never e-mails, names, addresses or typed text.
Security events (consulta.security.log_event) go to the `consulta.security` logger and come out here with
their fields.
"""

import json
import logging
import re
import sys
import uuid
from datetime import UTC, datetime

from flask import Flask, Response, g, has_request_context, request

REQUEST_ID_HEADER = "X-Request-Id"
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{8,64}")
# Attributes every LogRecord has; anything else on a record came from `extra=` and is logged as a field.
_RECORD_ATTRIBUTES = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime", "taskName"}

def current_request_id() -> str | None:
    """The id of the request being handled, if any."""
    return g.get("request_id") if has_request_context() else None


def _timestamp(created: float) -> str:
    return datetime.fromtimestamp(created, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class JsonFormatter(logging.Formatter):
    """A record as one JSON line: time, level, logger, message, request_id and the record's extra fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {"time": _timestamp(record.created), "level": record.levelname, "logger": record.name,
                 "message": record.getMessage()}
        request_id = current_request_id()
        if request_id:
            entry["request_id"] = request_id
        for key, value in vars(record).items():
            if key not in _RECORD_ATTRIBUTES and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class AccessJsonFormatter(logging.Formatter):
    """gunicorn's access log line (its atoms) as JSON in the same shape as the app's lines.

    The path is logged without its query string (a search may carry what a person typed). The client
    address is kept: Marco Civil da Internet (Lei 12.965/2014, art. 15) obliges an application provider to
    keep access records (address, date and time) for six months. Behind nginx it is in `forwarded_for`.
    """

    def format(self, record: logging.LogRecord) -> str:
        atoms = record.args if isinstance(record.args, dict) else {}

        def atom(key: str) -> str | None:
            value = atoms.get(key)
            return None if value in (None, "-") else str(value)

        duration = atom("D")
        entry = {
            "time": _timestamp(record.created), "level": record.levelname, "logger": record.name,
            "message": "request", "method": atom("m"), "path": atom("U"), "status": int(atom("s") or 0),
            "bytes": int(atom("B") or 0), "duration_ms": round(int(duration) / 1000, 1) if duration else None,
            "request_id": atom("{x-request-id}o"), "remote_addr": atom("h"),
            "forwarded_for": atom("{x-forwarded-for}i"),
        }
        return json.dumps({k: v for k, v in entry.items() if v is not None}, ensure_ascii=False)


def init_app(app: Flask) -> None:
    """Give each request an id; log the app's lines as JSON on stdout unless logging was configured already."""
    package_logger = logging.getLogger("consulta")
    if not logging.getLogger().handlers and not package_logger.handlers:
        # Nobody configured logging (flask run, a plain WSGI server): our lines would be lost below WARNING.
        handler = logging.StreamHandler(sys.stdout)
        handler.setFormatter(JsonFormatter())
        package_logger.addHandler(handler)
        package_logger.setLevel(logging.INFO)
        package_logger.propagate = False

    @app.before_request
    def assign_request_id() -> None:
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        g.request_id = incoming if _SANE_REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex

    @app.after_request
    def echo_request_id(response: Response) -> Response:
        if "request_id" in g:
            response.headers[REQUEST_ID_HEADER] = g.request_id
        return response
