"""Participation: contributions, replies, supports, votes and reports on the articles of a consultation."""

from flask import Blueprint

bp = Blueprint("participation", __name__)

from consulta.participation import stats, views  # noqa: E402,F401  (routes attach to bp)

bp.add_app_template_global(stats.article_statistics, "article_statistics")
