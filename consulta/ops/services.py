"""Health checks of the app's counterparts and the reading of CSP violation reports."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import func, select, text

from consulta.extensions import db
from consulta.models import CspViolation, utcnow

# Values of blocked-uri / blockedURL that are keywords rather than addresses.
BLOCKED_KEYWORDS = {"inline", "eval", "wasm-eval", "self", "data", "blob", "trusted-types-policy",
                    "trusted-types-sink"}


# -- health -------------------------------------------------------------------------------------------------

def redis_urls() -> list[str]:
    """The Redis servers this configuration uses (rate-limit counters, shared cache), each once."""
    config = current_app.config
    urls = []
    if str(config.get("RATELIMIT_STORAGE_URI", "")).startswith(("redis://", "rediss://")):
        urls.append(config["RATELIMIT_STORAGE_URI"])
    if config.get("CACHE_TYPE") in ("RedisCache", "redis") and config.get("CACHE_REDIS_URL"):
        urls.append(config["CACHE_REDIS_URL"])
    return list(dict.fromkeys(urls))


def health() -> dict[str, Any]:
    """Whether the database and (when configured) Redis answer: {"status": "ok"|"fail", "checks": {...}}."""
    checks: dict[str, str] = {}
    try:
        db.session.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception:  # noqa: BLE001 - any failure to reach the database is "fail", never a 500
        db.session.rollback()
        checks["database"] = "fail"
    urls = redis_urls()
    if not urls:
        checks["redis"] = "not configured"
    for n, url in enumerate(urls):
        checks["redis" if n == 0 else f"redis_{n + 1}"] = "ok" if _redis_answers(url) else "fail"
    failed = any(value == "fail" for value in checks.values())
    return {"status": "fail" if failed else "ok", "checks": checks}


def _redis_answers(url: str) -> bool:
    import redis

    try:
        client = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except redis.RedisError:
        return False


# -- CSP violation reports ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Violation:
    """What is kept of one report: the directive, what was blocked (keyword or origin) and the page's path."""

    directive: str
    blocked: str
    page: str


def parse_reports(body: bytes, content_type: str) -> list[Violation]:
    """The violations in a report body: `application/csp-report` (report-uri, one object) or
    `application/reports+json` (report-to, a list of reports of which the csp-violation ones count).
    Raises ValueError when the body is not such a report."""
    data = json.loads(body.decode("utf-8"))
    if content_type == "application/csp-report":
        if not isinstance(data, dict) or not isinstance(data.get("csp-report"), dict):
            raise ValueError("not a csp-report")
        report = data["csp-report"]
        return [_violation(report.get("effective-directive") or report.get("violated-directive"),
                           report.get("blocked-uri"), report.get("document-uri"))]
    if not isinstance(data, list):
        raise ValueError("not a reports+json list")
    violations = []
    for report in data[:20]:
        if isinstance(report, dict) and report.get("type") == "csp-violation" and isinstance(report.get("body"), dict):
            body_ = report["body"]
            violations.append(_violation(body_.get("effectiveDirective"), body_.get("blockedURL"),
                                         body_.get("documentURL") or report.get("url")))
    return violations


def _violation(directive: Any, blocked: Any, document: Any) -> Violation:
    directive = str(directive or "desconhecida").split()[0][:64]
    return Violation(directive=directive, blocked=_blocked(str(blocked or "")), page=_path(str(document or "")))


def _blocked(value: str) -> str:
    """A keyword as it is; an address reduced to its origin (paths and queries may carry personal data)."""
    if value in BLOCKED_KEYWORDS or not value:
        return value or "desconhecido"
    parts = urlsplit(value)
    if parts.scheme in ("http", "https", "ws", "wss") and parts.hostname:
        port = f":{parts.port}" if parts.port else ""
        return f"{parts.scheme}://{parts.hostname}{port}"[:120]
    return (parts.scheme or value)[:40]


def _path(value: str) -> str:
    return (urlsplit(value).path or "/")[:200]


def record_violations(violations: list[Violation]) -> None:
    """Store the violations (the caller commits)."""
    db.session.add_all(CspViolation(directive=v.directive, blocked=v.blocked, page=v.page) for v in violations)
    db.session.flush()


def violation_summary() -> dict[str, Any]:
    """Counts for the health page: in the last 24 hours, in all, and the last day's by directive."""
    since = utcnow() - timedelta(days=1)
    total = db.session.scalar(select(func.count(CspViolation.id))) or 0
    recent = db.session.execute(
        select(CspViolation.directive, CspViolation.blocked, func.count(CspViolation.id))
        .where(CspViolation.received_at >= since)
        .group_by(CspViolation.directive, CspViolation.blocked)
        .order_by(func.count(CspViolation.id).desc(), CspViolation.directive)
        .limit(50)
    ).all()
    last_day = db.session.scalar(select(func.count(CspViolation.id)).where(CspViolation.received_at >= since)) or 0
    return {"total": total, "last_day": last_day, "by_directive": recent}
