"""Routes: the drafting team edits and publishes versions (/analise/...); the public reads the quadro
comparativo, an article's changes and the relatório de devolutiva."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from consulta.authz import Permission, require
from consulta.consultations.services import get_visible_or_404
from consulta.extensions import db
from consulta.inputs import parse_id
from consulta.insights.responses import public_author
from consulta.models import (
    Article,
    Change,
    Channel,
    Consultation,
    Contribution,
    ResponseStatus,
    TextVersion,
    VersionArticle,
    VersionError,
    Visibility,
)
from consulta.versions import bp, services
from consulta.versions.forms import ArticleForm, ConfirmForm, ImportTextForm, NewVersionForm
from consulta.web import anonymous_page_cache, form_status


def _published(slug: str) -> tuple[Consultation, TextVersion]:
    consultation = get_visible_or_404(slug)
    version = services.published_version(consultation)
    if version is None:
        abort(404)
    return consultation, version


# -- the drafting team ------------------------------------------------------------------------------------

@bp.route("/analise/consultas/<slug>/versoes", methods=["GET", "POST"])
@require(Permission.ANALYZE)
def versions(slug: str):
    """The consultation's versions, and the form that starts a new one."""
    consultation = get_visible_or_404(slug)
    form = NewVersionForm()
    if form.validate_on_submit():
        try:
            version = services.create_version(current_user, consultation, form.title.data, form.note.data or "")
        except VersionError as error:
            form.form_errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Versão %(number)s criada a partir do texto consultado. Edite os dispositivos que mudam.", number=version.number),
                  "success")
            return redirect(url_for("versions.edit_version", version_id=version.id), 303)
    return render_template("versions/list.html", consultation=consultation, form=form,
                           versions=services.versions_of(consultation)), form_status()


def _version(version_id: int) -> TextVersion:
    version = db.get_or_404(TextVersion, version_id)
    get_visible_or_404(version.consultation.slug)
    return version


@bp.route("/analise/versoes/<int:version_id>")
@require(Permission.ANALYZE)
def edit_version(version_id: int):
    """A version's articles with what changed, and the links to edit each."""
    version = _version(version_id)
    changed = sum(a.change is not Change.UNCHANGED for a in version.articles)
    return render_template("versions/edit.html", version=version, consultation=version.consultation,
                           changed=changed)


def _entry(version: TextVersion, entry_id: int) -> VersionArticle:
    entry = db.get_or_404(VersionArticle, entry_id)
    if entry.version_id != version.id:
        abort(404)
    return entry


def _article_contributions(entry: VersionArticle) -> list[Contribution]:
    """The article's public top-level contributions, to tick those the change considered."""
    if entry.article_id is None:
        return []
    return list(db.session.scalars(
        db.select(Contribution).where(Contribution.article_id == entry.article_id, Contribution.parent_id.is_(None),
                                      Contribution.visibility == Visibility.VISIBLE).order_by(Contribution.id)))


def _ticked() -> list[int]:
    """The contribution numbers ticked in the form's "citar" checkboxes (malformed ones ignored)."""
    return [n for n in map(parse_id, request.form.getlist("citar")) if n is not None]


def _cited_from(form: ArticleForm) -> list[int]:
    return _ticked() + form.other_contribution_ids()


@bp.route("/analise/versoes/<int:version_id>/dispositivos/<int:entry_id>", methods=["GET", "POST"])
@require(Permission.ANALYZE)
def edit_article(version_id: int, entry_id: int):
    """Edit one article's text in the version (or suppress it), with the justification and citations."""
    version = _version(version_id)
    entry = _entry(version, entry_id)
    form = ArticleForm(obj=entry)
    suppress = request.form.get("acao") == "suprimir"
    if not version.is_published and form.validate_on_submit():
        try:
            if suppress:
                services.remove_article(current_user, entry, justification=form.justification.data,
                                        cited_ids=_cited_from(form))
            else:
                services.edit_article(current_user, entry, body=form.body.data or "",
                                      justification=form.justification.data, cited_ids=_cited_from(form))
        except VersionError as error:
            db.session.rollback()
            form.form_errors.append(str(error))
        else:
            db.session.commit()
            flash(f"{entry.label}: {entry.change.label.lower()}.", "success")
            return redirect(url_for("versions.edit_version", version_id=version.id, _anchor=f"v-{entry.id}"), 303)
    contributions = _article_contributions(entry)
    cited = set(_ticked()) if request.method == "POST" else {c.id for c in entry.cited}
    if request.method == "GET":
        article_ids = {c.id for c in contributions}
        form.other_ids.data = ", ".join(str(c.id) for c in entry.cited if c.id not in article_ids)
    return render_template("versions/article_form.html", version=version, entry=entry, form=form,
                           consultation=version.consultation, contributions=contributions,
                           cited=cited, public_author=public_author), form_status()


@bp.route("/analise/versoes/<int:version_id>/incluir", methods=["GET", "POST"])
@require(Permission.ANALYZE)
def add_article(version_id: int):
    """Include a new article in the version, after the one given in ?depois= (or at the start)."""
    version = _version(version_id)
    after_id = parse_id(request.args.get("depois"))
    after = _entry(version, after_id) if after_id is not None else None
    form = ArticleForm()
    if not version.is_published and form.validate_on_submit():
        try:
            entry = services.add_article(current_user, version, after, label=form.label.data or "",
                                         body=form.body.data or "", justification=form.justification.data,
                                         cited_ids=form.other_contribution_ids())
        except VersionError as error:
            db.session.rollback()
            form.form_errors.append(str(error))
        else:
            db.session.commit()
            flash(_("%(label)s incluído.", label=entry.label), "success")
            return redirect(url_for("versions.edit_version", version_id=version.id, _anchor=f"v-{entry.id}"), 303)
    return render_template("versions/article_form.html", version=version, entry=None, form=form, after=after,
                           consultation=version.consultation, contributions=[], cited=set(),
                           public_author=public_author), form_status()


@bp.route("/analise/versoes/<int:version_id>/publicar", methods=["GET", "POST"])
@require(Permission.ANALYZE)
def publish(version_id: int):
    """Ask for confirmation (GET), then publish the version (POST)."""
    version = _version(version_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            services.publish(current_user, version)
        except VersionError as error:
            form.form_errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Versão %(number)s publicada: o quadro comparativo e o relatório de devolutiva estão públicos.", number=version.number), "success")
            return redirect(url_for("versions.comparison", slug=version.consultation.slug), 303)
    changed = [a for a in version.articles if a.change is not Change.UNCHANGED]
    return render_template("versions/publish.html", version=version, consultation=version.consultation,
                           changed=changed, form=form), form_status()


def _parse_units(source: str):
    """(units, problems) of a pasted or uploaded Markdown draft, in document order."""
    from consulta.drafts import parse_draft
    from consulta.versions.matching import Unit

    draft = parse_draft(source)
    units = [Unit(article.label, article.body) for _, article in draft.iter_articles()]
    labels = [unit.label for unit in units]
    repeated = sorted({label for label in labels if labels.count(label) > 1}, key=labels.index)
    return units, [p.message for p in draft.errors] + [
        _("O dispositivo “%(label)s” aparece mais de uma vez: cada rótulo identifica um só dispositivo.", label=label)
        for label in repeated]


@bp.route("/analise/versoes/<int:version_id>/importar", methods=["GET", "POST"])
@require(Permission.ANALYZE)
def import_version_text(version_id: int):
    """Paste the new text in Markdown: see how it matches the current one, then confirm."""
    from consulta.versions.matching import Unit, match

    version = _version(version_id)
    form = ImportTextForm()
    preview = None
    if not version.is_published and form.validate_on_submit():
        units, problems = _parse_units(form.text.data or "")
        if problems or not units:
            form.text.errors.extend(problems or [_("O texto não tem nenhum dispositivo reconhecível.")])
        else:
            current = [a for a in version.articles if a.change is not Change.REMOVED]
            matches = match([Unit(a.label, a.body) for a in current], units)
            if request.form.get("acao") == "confirmar":
                services.import_text(current_user, version, units, matches)
                db.session.commit()
                flash(_("Novo texto aplicado à versão. Justifique cada alteração antes de publicar."), "success")
                return redirect(url_for("versions.edit_version", version_id=version.id), 303)
            preview = [(m, [current[i] for i in m.old], [units[j] for j in m.new]) for m in matches]
    return render_template("versions/import.html", version=version, consultation=version.consultation,
                           form=form, preview=preview), 200 if preview is not None else form_status()


# -- the public -------------------------------------------------------------------------------------------

@bp.route("/consultas/<slug>/comparativo")
@anonymous_page_cache
def comparison(slug: str):
    """The quadro comparativo: each article as consulted and as published, why, and what was considered."""
    consultation, version = _published(slug)
    return render_template("versions/comparison.html", consultation=consultation, version=version,
                           rows=services.comparison(version), public_author=public_author)


@bp.route("/consultas/<slug>/artigos/<int:article_id>/alteracoes")
@anonymous_page_cache
def article_changes(slug: str, article_id: int):
    """One article's change in the published version (a word diff), with its justification."""
    consultation, version = _published(slug)
    article = db.get_or_404(Article, article_id)
    if article.consultation_id != consultation.id:
        abort(404)
    entry = next((a for a in version.articles if a.article_id == article.id), None)
    return render_template("versions/article_changes.html", consultation=consultation, version=version,
                           article=article, entry=entry, public_author=public_author)


@bp.route("/consultas/<slug>/devolutiva")
@anonymous_page_cache
def devolutiva(slug: str):
    """The consultation's relatório de devolutiva: answers by status, article and channel, and their reasons."""
    consultation, version = _published(slug)
    by_article, by_channel, total = services.devolutiva_summary(consultation)
    answers = services.answered(consultation)
    return render_template(
        "versions/devolutiva.html", consultation=consultation, version=version, by_article=by_article,
        by_channel=by_channel, total=total, statuses=services.STATUS_ORDER, answers=answers,
        workshop_answers=[c for c in answers if c.channel is Channel.WORKSHOP],
        changes=services.citing_changes(answers), public_author=public_author, ResponseStatus=ResponseStatus,
    )
