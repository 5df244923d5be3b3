"""Accessibility tools of gov.br pages: high contrast and larger text (a cookie set by a form), VLibras."""

from flask import Blueprint

bp = Blueprint("accessibility", __name__)

from consulta.accessibility import views  # noqa: E402,F401  (routes attach to bp)
