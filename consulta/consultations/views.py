"""Public pages: home, consultation, article and full text."""

from flask import Response, abort, render_template, request

from consulta.consultations import bp, services
from consulta.consultations.attachments import attachments_of
from consulta.db_utils import autocommit_reads
from consulta.extensions import db
from consulta.models import Attachment, FollowTarget, Section
from consulta.notifications.follows import follow_context
from consulta.participation.page import article_page, filter_from_args, section_context
from consulta.web import anonymous_page_cache


@bp.route("/")
@anonymous_page_cache
def home():
    """Open and closed consultations."""
    return render_template("consultations/home.html", consultations=services.public_consultations())


@bp.route("/consultas/<slug>")
@anonymous_page_cache
def consultation(slug: str):
    """A consultation: status, dates and the table of contents."""
    consultation = services.get_visible_or_404(slug)
    sections, by_section = services.table_of_contents(consultation)
    return render_template(
        "consultations/consultation.html",
        consultation=consultation,
        sections=sections,
        by_section=by_section,
        article_total=sum(len(v) for v in by_section.values()),
        attachments=attachments_of(consultation),
        **follow_context(FollowTarget.CONSULTATION, consultation.id),
    )


@bp.route("/consultas/<slug>/documentos/<int:attachment_id>")
def attachment(slug: str, attachment_id: int):
    """An attached PDF, as a download that cannot run in the site's origin."""
    consultation = services.get_visible_or_404(slug)
    item = db.get_or_404(Attachment, attachment_id)
    if item.consultation_id != consultation.id or not item.is_file:
        abort(404)
    response = Response(item.content, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{item.filename}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "sandbox"
    return response


@bp.route("/consultas/<slug>/artigos/<int:article_id>")
@autocommit_reads
@anonymous_page_cache
def article(slug: str, article_id: int):
    """One article with its numbered structure and links to its neighbours."""
    head = services.get_visible_article_head_or_404(slug, article_id)
    return article_page(head, filter_from_args(request.args),
                        lambda: services.get_visible_article_or_404(slug, article_id))


@bp.route("/consultas/<slug>/secoes/<int:section_id>")
@anonymous_page_cache
def section(slug: str, section_id: int):
    """A section: its articles and the proposals of new articles, with the proposal form."""
    consultation = services.get_visible_or_404(slug)
    section = db.get_or_404(Section, section_id)
    if section.consultation_id != consultation.id:
        abort(404)
    return render_template("consultations/section.html", **section_context(section, filter_from_args(request.args)))


@bp.route("/consultas/<slug>/texto")
@anonymous_page_cache
def full_text(slug: str):
    """The whole draft on one page, for reading and printing."""
    consultation = services.get_visible_or_404(slug)
    sections, by_section = services.table_of_contents(consultation)
    return render_template(
        "consultations/full_text.html", consultation=consultation, sections=sections, by_section=by_section
    )
