"""Insights: the policy team's analysis of contributions (clustering runs and their edits) and responses."""

from flask import Blueprint

bp = Blueprint("insights", __name__, url_prefix="/analise")

# Routes attach to bp: views (analysis runs) and responses (devolutiva).
from consulta.insights import downloads, responses, views  # noqa: E402,F401
