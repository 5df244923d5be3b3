"""Search: full-text search and filters of a consultation's public contributions (one page, two engines)."""

from flask import Blueprint

from consulta.models import Contribution
from consulta.search import schema

bp = Blueprint("search", __name__)
schema.install(Contribution.__table__)

from consulta.search import views  # noqa: E402,F401  (routes attach to bp)
