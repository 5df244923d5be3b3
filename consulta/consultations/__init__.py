"""Consultations: public pages for a consultation and its draft, and the draft import."""

from flask import Blueprint

bp = Blueprint("consultations", __name__)

from consulta.consultations import views  # noqa: E402,F401  (routes attach to bp)
