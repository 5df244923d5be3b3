"""Accounts: registration, login, logout, profile and the privacy page."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from consulta.auth import consent, second_factor, views  # noqa: E402,F401  (routes attach to bp)
