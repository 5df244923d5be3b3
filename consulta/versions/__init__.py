"""Text versions after the consultation: the drafting team's editing, the public quadro comparativo and the
relatório de devolutiva."""

from flask import Blueprint

bp = Blueprint("versions", __name__)

from consulta.versions import downloads, services, views  # noqa: E402,F401

bp.add_app_template_global(services.published_version, "published_text_version")
bp.add_app_template_global(services.changes_for_article, "article_change")
