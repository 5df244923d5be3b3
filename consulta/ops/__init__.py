"""Operations: the health check, CSP violation reports and the administrators' health page."""

from flask import Blueprint

bp = Blueprint("ops", __name__)

from consulta.ops import views  # noqa: E402,F401  (routes attach to bp)
