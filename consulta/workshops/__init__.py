"""Workshops (oficinas): registration, attendance and the input logged per article by facilitators."""

from flask import Blueprint

bp = Blueprint("workshops", __name__)

from consulta.workshops import imports, views  # noqa: E402,F401  (routes attach to bp)
