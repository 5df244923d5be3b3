"""Moderation: dismissing reports ("descartar denúncia") and the audit log in Portuguese."""

import ast
import pathlib

import pytest
from sqlalchemy import select

import consulta
from consulta.extensions import db
from consulta.models import (
    Article,
    AuditLog,
    Consultation,
    Contribution,
    Report,
    Stance,
    User,
    Visibility,
    record,
)
from consulta.moderation.audit_labels import ACTION_LABELS, action_label, describe_details
from consulta.participation import services
from tests.conftest import PASSWORD, csrf_token_from
from tests.test_moderation import LOG, QUEUE, audit, contribute, contribution, report_over_http, stance_counts


@pytest.fixture
def place(app, create_consultation):
    """An open consultation and its first article: (slug, article id)."""
    consultation = create_consultation("open")
    with app.app_context():
        article_id = db.session.scalar(
            select(Article.id).join(Consultation).where(Consultation.slug == consultation.slug)
            .order_by(Article.position).limit(1)
        )
    return consultation.slug, article_id


@pytest.fixture
def mod_client(client, auth, create_user):
    auth.login(create_user("moderator", email="moderadora@exemplo.com.br", name="Marta Moderadora"))
    return client


def dismiss(client, cid, **data):
    return client.post(f"/moderacao/contribuicoes/{cid}/descartar-denuncias", data=data)


def counters(app, *ids):
    """The stance tallies of every article and reply/report counts of the given contributions."""
    with app.app_context():
        db.session.expire_all()
        articles = [(a.id, a.contributions_agree, a.contributions_partly, a.contributions_disagree,
                     a.contributions_none) for a in db.session.scalars(select(Article).order_by(Article.id))]
        rows = [(c.id, c.reply_count, c.report_count, c.visibility)
                for c in db.session.scalars(select(Contribution).where(Contribution.id.in_(ids)).order_by(Contribution.id))]
        return articles, rows


def recounted(app, *ids):
    with app.app_context():
        services.recount()
        db.session.commit()
    return counters(app, *ids)


def test_dismissing_reports_on_a_pending_contribution_makes_it_visible_with_counters_as_recount(
        app, mod_client, create_user, place):
    cid = contribute(app, create_user(), place[1], "Relato fiel da oficina.", stance=Stance.DISAGREE)
    report_over_http(app, create_user, cid, 3)
    assert contribution(app, cid).visibility is Visibility.PENDING
    assert stance_counts(app, place[1]) == (0, 0, 0, 0)

    response = dismiss(mod_client, cid, note="É o registro da oficina, não é spam.")

    assert response.status_code == 303 and response.headers["Location"] == "/moderacao/"
    row = contribution(app, cid)
    assert row.visibility is Visibility.VISIBLE and row.moderation_reason is None
    assert stance_counts(app, place[1]) == (0, 0, 1, 0)
    before = counters(app, cid)
    assert recounted(app, cid) == before
    with app.app_context():
        assert db.session.scalar(select(Report.id).where(Report.resolved_at.is_(None))) is None
        assert db.session.get(User, row.author_id).blocked_at is None
    entries = audit(app, "contribution.dismiss_reports")
    assert [e[1:] for e in entries] == [("contribution.dismiss_reports", "Contribution", cid,
                                         "É o registro da oficina, não é spam.")]
    assert "Relato fiel da oficina." not in mod_client.get(QUEUE).get_data(as_text=True)


def test_dismissing_reports_on_a_pending_reply_restores_the_parents_reply_count(app, mod_client, create_user, place):
    author = create_user()
    parent = contribute(app, author, place[1], "Contribuição principal.")
    with app.app_context():
        reply, _ = services.reply(db.session.get(User, author.id), db.session.get(Contribution, parent),
                                  "Uma resposta denunciada.")
        db.session.commit()
        reply_id = reply.id
    report_over_http(app, create_user, reply_id, 3)
    assert contribution(app, reply_id).visibility is Visibility.PENDING
    assert contribution(app, parent).reply_count == 0

    assert dismiss(mod_client, reply_id).status_code == 303

    assert contribution(app, reply_id).visibility is Visibility.VISIBLE
    assert contribution(app, parent).reply_count == 1
    before = counters(app, parent, reply_id)
    assert recounted(app, parent, reply_id) == before


def test_dismissed_reports_no_longer_count_toward_hiding(app, mod_client, create_user, place):
    cid = contribute(app, create_user(), place[1], "Denunciada e mantida.")
    report_over_http(app, create_user, cid, 2)
    assert contribution(app, cid).visibility is Visibility.VISIBLE
    page = mod_client.get(QUEUE).get_data(as_text=True)
    assert "Denunciada e mantida." in page and "Descartar denúncia" in page

    assert dismiss(mod_client, cid).status_code == 303
    assert contribution(app, cid).visibility is Visibility.VISIBLE
    assert "Denunciada e mantida." not in mod_client.get(QUEUE).get_data(as_text=True)
    report_over_http(app, create_user, cid, 2)  # two new reports: under the threshold of three again
    assert contribution(app, cid).visibility is Visibility.VISIBLE


def test_dismissing_without_open_reports_is_refused_with_a_message(app, mod_client, create_user, place):
    cid = contribute(app, create_user(), place[1], "Nunca denunciada.")
    response = mod_client.post(f"/moderacao/contribuicoes/{cid}/descartar-denuncias", data={},
                               follow_redirects=True)
    assert "Esta contribuição não tem denúncias em aberto." in response.get_data(as_text=True)
    assert audit(app, "contribution.dismiss_reports") == []


def test_dismiss_note_is_limited_and_kept(app, mod_client, create_user, place):
    cid = contribute(app, create_user(), place[1], "Com denúncia.")
    report_over_http(app, create_user, cid, 1)
    response = dismiss(mod_client, cid, note="x" * 501)
    assert response.status_code == 422
    assert "x" * 501 in response.get_data(as_text=True)
    assert contribution(app, cid).report_count == 1
    with app.app_context():
        assert db.session.scalar(select(Report.id).where(Report.resolved_at.is_(None))) is not None


def test_dismiss_needs_the_csrf_token(make_app, create_user, place, app):
    cid = contribute(app, create_user(), place[1], "Com denúncia CSRF.")
    report_over_http(app, create_user, cid, 1)
    strict = make_app(WTF_CSRF_ENABLED=True)
    browser = strict.test_client()
    mod = create_user("moderator")
    token = csrf_token_from(browser.get("/entrar").get_data(as_text=True))
    browser.post("/entrar", data={"email": mod.email, "password": PASSWORD, "csrf_token": token})
    assert browser.post(f"/moderacao/contribuicoes/{cid}/descartar-denuncias", data={}).status_code == 400
    assert contribution(app, cid).report_count == 1
    token = csrf_token_from(browser.get(QUEUE).get_data(as_text=True))
    response = browser.post(f"/moderacao/contribuicoes/{cid}/descartar-denuncias",
                            data={"csrf_token": token, "next": "/moderacao/"})
    assert response.status_code == 303
    assert audit(app, "contribution.dismiss_reports")[0][3] == cid


# -- the audit log --------------------------------------------------------------------------------------

def recorded_action_codes() -> set[str]:
    """Every literal action code passed to record(...) in consulta/, f-strings expanded by their callers."""
    codes: set[str] = set()
    root = pathlib.Path(consulta.__file__).parent
    for path in root.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) == "record" \
                    and len(node.args) >= 2:
                code = node.args[1]
                if isinstance(code, ast.Constant) and isinstance(code.value, str):
                    codes.add(code.value)
                elif isinstance(code, ast.JoinedStr):
                    codes.add(ast.unparse(code))
    return codes


def test_every_recorded_action_code_has_a_portuguese_label():
    codes = recorded_action_codes()
    assert "workshop.status" in codes and "contribution.dismiss_reports" in codes  # the walk finds them
    # set_password records f"user.{reason}"; its callers pass these reasons
    dynamic = {code for code in codes if code.startswith("f")}
    assert dynamic == {"f'user.{reason}'"}
    codes = (codes - dynamic) | {"user.change_password", "user.reset_password"}
    source = "\n".join(p.read_text(encoding="utf-8") for p in pathlib.Path(consulta.__file__).parent.rglob("*.py"))
    assert 'reason="change_password"' in source and 'reason="reset_password"' in source
    assert sorted(codes - ACTION_LABELS.keys()) == []


def test_unknown_action_codes_fall_back_to_readable_words():
    assert action_label("something.new_thing") == "Ação: something › new thing"


def test_registro_shows_labels_and_portuguese_details_without_none(app, mod_client, create_user, create_consultation):
    consultation = create_consultation("open")
    with app.app_context():
        target = db.session.get(User, create_user().id)
        record(None, "workshop.status", target, **{"from": "held", "to": "reported"})
        record(None, "workshop.create", target, consultation_id=1, uf=None, municipality_code=None)
        record(None, "consultation.update", target, changes={"title": {"from": "A", "to": "B"},
                                                             "organ": {"from": None, "to": "MS"}})
        record(None, "something.unknown", target, flag=True, nothing=None)
        db.session.commit()
    del consultation
    page = mod_client.get(LOG).get_data(as_text=True)
    assert "None" not in page
    assert "workshop.status" not in page and "uf:" not in page
    assert "Mudou a situação da oficina" in page and "Cadastrou uma oficina" in page
    assert "Alterou os dados da consulta" in page
    assert "alterações: título: A → B, órgão: — → MS" in page
    assert "Ação: something › unknown" in page and "flag: sim" in page


def test_describe_details_of_a_workshop_status_names_the_statuses():
    entry = AuditLog(action="workshop.status", object_type="Workshop", object_id=1,
                     details={"from": "held", "to": "reported"})
    text = describe_details(entry)
    assert "held" not in text and text.startswith("De ")


def test_registro_filters_workshop_actions(app, mod_client, create_user):
    with app.app_context():
        target = db.session.get(User, create_user().id)
        record(None, "workshop.reopen_report", target)
        record(None, "user.verify_email", target)
        db.session.commit()
    page = mod_client.get(LOG + "?tipo=oficinas").get_data(as_text=True)
    assert "Reabriu o relato da oficina" in page and "Confirmou o e-mail" not in page
