"""Workshops (oficinas): registration, attendance and the input logged per article by facilitators."""

from flask import Blueprint

bp = Blueprint("workshops", __name__)

from consulta.workshops import views  # noqa: E402,F401,I001  (routes attach to bp; views first: import cycles)
from consulta.workshops import imports  # noqa: E402,F401
