"""`/saude` for load balancers and systemd, the CSP report endpoint, and the administrators' health page."""

import logging

from flask import abort, current_app, jsonify, render_template, request

from consulta import security
from consulta.authz import Permission, require
from consulta.extensions import CSP_REPORT_PATH, csrf, db, limiter
from consulta.ops import bp, services

REPORT_TYPES = ("application/csp-report", "application/reports+json")


@bp.route("/saude", methods=["GET"])
@limiter.exempt
def health():
    """JSON: the database and Redis (when configured) answer; 200 when all do, 503 otherwise. No personal data."""
    result = services.health()
    return jsonify(result), 200 if result["status"] == "ok" else 503


@bp.route(CSP_REPORT_PATH, methods=["POST"])
@csrf.exempt  # the browser posts reports by itself, with no form and no token
@limiter.limit(lambda: current_app.config["RATELIMIT_CSP_REPORT"])
def csp_report():
    """Take a browser's CSP violation report (either format), log it as a security event and count it."""
    limit = current_app.config["CSP_REPORT_MAX_BYTES"]
    if request.content_length is not None and request.content_length > limit:
        abort(413)
    body = request.stream.read(limit + 1)
    if len(body) > limit:
        abort(413)
    content_type = request.mimetype
    if content_type == "application/json":
        content_type = "application/csp-report"  # some browsers label report-uri posts as plain JSON
    if content_type not in REPORT_TYPES:
        abort(415)
    try:
        violations = services.parse_reports(body, content_type)
    except (ValueError, UnicodeDecodeError):
        abort(400)
    for violation in violations:
        security.log_event(security.CSP_VIOLATION, level=logging.WARNING, directive=violation.directive,
                           blocked=violation.blocked, page=violation.page)
    services.record_violations(violations)
    db.session.commit()
    return "", 204


@bp.route("/admin/saude")
@require(Permission.MANAGE_CONSULTATIONS)
def admin_health():
    """The administrators' view of the service: its counterparts and the CSP violations received."""
    return render_template("ops/health.html", health=services.health(), violations=services.violation_summary())
