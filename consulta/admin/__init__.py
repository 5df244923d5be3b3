"""Administration: consultations (create, edit, import, publish, close, reopen) and account roles."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from consulta.admin import jobs, schedule, views  # noqa: E402,F401  (routes attach to bp)
