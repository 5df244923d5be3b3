"""Security events and log hygiene (OWASP ASVS V16, LGPD art. 46).

Security events go to the logger "consulta.security" with structured `extra` fields: `event` (its name) and
`security` (a dict: `event`, `user_id`, `email_digest`, `ip`, `path`, ...) for the log pipeline to index. No log line, rate-limit key or event carries an
e-mail, a password (or its hash) or a CPF: an e-mail appears only as `email_digest`, a keyed hash that
links the events of one address without revealing it.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
from typing import Any

from flask import current_app, has_request_context, request

from analysis import mask_personal_data

log = logging.getLogger("consulta.security")

LOGIN_FAILED = "login.failed"
LOGIN_THROTTLED = "login.throttled"
RATE_LIMITED = "rate_limit.exceeded"
LOGIN_SUCCEEDED = "login.succeeded"
ROLE_CHANGED = "user.role_changed"
ACCOUNT_BLOCKED = "user.blocked"
ACCOUNT_DELETED = "user.deleted"
EXPORT = "data.exported"
BACKUP = "data.backup"
RESTORE = "data.restore"
SECOND_FACTOR_FAILED = "totp.failed"
SECOND_FACTOR_ENABLED = "totp.enabled"
CSP_VIOLATION = "csp.violation"
CSRF_FAILED = "csrf.failed"
UPLOAD_LIMIT_EXCEEDED = "upload.limit_exceeded"  # an untrusted upload hit the sandbox's time or memory limit


def email_digest(email: str | None) -> str:
    """A keyed, irreversible tag of an e-mail address (16 hex digits), the same for the same address."""
    key = ("email-digest:" + str(current_app.config["SECRET_KEY"])).encode()
    normalized = (email or "").strip().lower().encode()
    return hmac.new(key, normalized, hashlib.sha256).hexdigest()[:16]


_RECORD_ATTRIBUTES = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime", "taskName"}


def log_event(event: str, *, level: int = logging.INFO, email: str | None = None, **fields: Any) -> None:
    """Log the security `event` with structured fields; an e-mail is logged only as its digest."""
    extra: dict[str, Any] = {"event": event, **fields}
    if email is not None:
        extra["email_digest"] = email_digest(email)
    if has_request_context():
        extra.setdefault("ip", request.remote_addr)
        extra.setdefault("path", request.path)
    described = " ".join(f"{key}={value}" for key, value in sorted(extra.items()))
    # The fields also as attributes of the record (for the JSON log), where they do not shadow LogRecord's own.
    attributes = {key: value for key, value in fields.items() if key not in _RECORD_ATTRIBUTES}
    log.log(level, "security event %s", described, extra={**attributes, "event": event, "security": extra})


_PASSWORD_HASH_RE = re.compile(r"\$(?:argon2(?:id|i|d)|2[aby]|pbkdf2[\w-]*|scrypt)\$[^\s'\",)]+")


def redact(text: str) -> str:
    """`text` with e-mails, CPFs, CNPJs, phone numbers and password hashes replaced by placeholders."""
    return mask_personal_data(_PASSWORD_HASH_RE.sub("[hash]", text))


class RedactingFilter(logging.Filter):
    """Redact personal data from a record's message and traceback (a database error quotes the row it refused)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = redact(record.getMessage()), None
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(_FORMATTER.formatException(record.exc_info))
        return True


_FORMATTER = logging.Formatter()
REDACTING_FILTER = RedactingFilter()


def init_app(app) -> None:
    """Redact the application's log (unhandled exceptions are logged there)."""
    if REDACTING_FILTER not in app.logger.filters:
        app.logger.addFilter(REDACTING_FILTER)
