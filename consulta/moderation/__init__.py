"""Moderation: the moderators' queue of reported contributions, hiding and restoring, blocking accounts, audit log."""

from flask import Blueprint

bp = Blueprint("moderation", __name__, url_prefix="/moderacao")

from consulta.moderation import views  # noqa: E402,F401  (routes attach to bp)
