"""Results: public, aggregate-only statistics of a consultation's participation."""

from flask import Blueprint

bp = Blueprint("results", __name__)

from consulta.results import catalogue, opendata, views  # noqa: E402,F401  (routes attach to bp)
