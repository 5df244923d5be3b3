"""Participation: contributions, replies, supports, votes and reports on the articles of a consultation."""

from flask import Blueprint

bp = Blueprint("participation", __name__)

from consulta.participation import views  # noqa: E402,F401  (routes attach to bp)
