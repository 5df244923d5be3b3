"""Administration: create, import with preview, publish, close, reopen, roles."""

import html
import io
import re

import pytest
from sqlalchemy import func, select

from consulta.extensions import db
from consulta.models import Article, AuditLog, Consultation, Role, Section, Status, User
from tests.conftest import SMALL_DRAFT
from tests.multipart import post_multipart


@pytest.fixture
def admin_client(client, auth, create_user):
    auth.login(create_user("admin", email="admin@exemplo.com.br"))
    return client


def consultation(app, slug):
    with app.app_context():
        c = db.session.scalar(select(Consultation).where(Consultation.slug == slug))
        db.session.expunge(c)
        return c


def article_count(app, slug):
    with app.app_context():
        return db.session.scalar(
            select(func.count()).select_from(Article).join(Consultation).where(Consultation.slug == slug)
        )


def test_create_consultation(app, admin_client):
    response = admin_client.post("/admin/consultas/nova", data={
        "title": "Plano Nacional de Cultura", "slug": "cultura", "summary": "Resumo",
        "opens_at": "2026-12-01T09:00", "closes_at": "2027-01-31T18:00",
    })
    assert response.status_code == 303
    created = consultation(app, "cultura")
    assert created.status is Status.DRAFT
    assert created.opens_at.isoformat() == "2026-12-01T12:00:00+00:00"  # Brasília is UTC-3


@pytest.mark.parametrize(("data", "message"), [
    ({"title": "", "slug": "x"}, "Informe o título."),
    ({"title": "T", "slug": "Com Espaço"}, "Use só letras minúsculas"),
    ({"title": "T", "slug": "t", "opens_at": "2027-01-02T10:00", "closes_at": "2027-01-01T10:00"},
     "O encerramento precisa ser depois da abertura."),
])
def test_create_consultation_validation(admin_client, data, message):
    response = admin_client.post("/admin/consultas/nova", data=data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)


def test_slug_must_be_unique(admin_client, create_consultation):
    create_consultation("draft", slug="repetida")
    response = admin_client.post("/admin/consultas/nova", data={"title": "T", "slug": "repetida"})
    assert response.status_code == 422
    assert "Já existe uma consulta com este endereço." in response.get_data(as_text=True)


def test_import_shows_preview_and_saves_nothing_until_confirmed(app, admin_client, create_consultation):
    c = create_consultation("draft", text="")
    response = admin_client.post(
        f"/admin/consultas/{c.slug}/importar",
        data={"file": (io.BytesIO(SMALL_DRAFT.encode()), "rascunho.md")},
        content_type="multipart/form-data",
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Pré-visualização" in page and "Art. 2º" in page and "Recomendação 1.2" in page
    assert article_count(app, c.slug) == 0
    source = SMALL_DRAFT
    response = admin_client.post(f"/admin/consultas/{c.slug}/importar/confirmar", data={"source": source})
    assert response.status_code == 303
    assert article_count(app, c.slug) == 4
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AuditLog).where(
            AuditLog.action == "consultation.import_text")) == 1


def test_import_by_pasting_text(app, admin_client, create_consultation):
    c = create_consultation("draft", text="")
    response = admin_client.post(f"/admin/consultas/{c.slug}/importar", data={"text": "# T\n\nArt. 1º Único."})
    assert response.status_code == 200 and "Art. 1º" in response.get_data(as_text=True)


@pytest.mark.parametrize(("payload", "message"), [
    (b"", "O arquivo está vazio."),
    (b"%PDF-1.4\x00\x01\x02binary", "não é um arquivo de texto"),
    (b"# Titulo\n\n## Outro\n", "Nenhum artigo encontrado"),
])
def test_bad_upload_gets_a_message_and_saves_nothing(app, admin_client, create_consultation, payload, message):
    c = create_consultation("draft", text="")
    response = admin_client.post(
        f"/admin/consultas/{c.slug}/importar",
        data={"file": (io.BytesIO(payload), "rascunho.md")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Nada foi salvo" in page or "Envie um arquivo" in page
    assert message in page
    assert article_count(app, c.slug) == 0


def test_oversized_upload_is_refused_with_a_message(app, admin_client, create_consultation):
    c = create_consultation("draft", text="")
    big = ("Art. 1º " + "palavra " * 400_000).encode()
    response = post_multipart(admin_client, f"/admin/consultas/{c.slug}/importar", {"file": (big, "grande.md")})
    assert response.status_code == 422
    assert "o limite é 2 MB" in response.get_data(as_text=True)


# The test client spools a large form body to a temporary file it leaves to the garbage collector.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_pasted_text_over_two_megabytes_gets_the_importers_message_and_is_kept(app, admin_client, create_consultation):
    import gc

    c = create_consultation("draft", text="")
    big = "Art. 1º " + "palavra " * 300_000
    response = admin_client.post(f"/admin/consultas/{c.slug}/importar", data={"text": big})
    page = response.get_data(as_text=True)
    response.close()
    gc.collect()  # collect the abandoned request body here, under this test's warning filter
    assert response.status_code == 422
    assert "O texto colado tem 2,3 MB; o limite é 2 MB." in page
    assert page.count("palavra") >= 300_000  # what was pasted is still in the text box
    assert article_count(app, c.slug) == 0


def test_docx_upload_is_previewed_and_confirmed(app, admin_client, create_consultation):
    from tests.test_draft_corpus import build_docx

    c = create_consultation("draft", text="")
    response = admin_client.post(
        f"/admin/consultas/{c.slug}/importar",
        data={"file": (io.BytesIO(build_docx()), "decreto.docx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 303  # stored; read by a job in the sandbox (at once by the test queue)
    response = admin_client.get(response.headers["Location"])
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Pré-visualização" in page and "Seção I — Do Comitê" in page
    source = re.search(r'name="source" type="hidden" value="([^"]*)"', page) or re.search(
        r'type="hidden" name="source" value="([^"]*)"', page)
    assert source is not None
    response = admin_client.post(f"/admin/consultas/{c.slug}/importar/confirmar",
                                 data={"source": html.unescape(source.group(1))})
    assert response.status_code == 303
    assert article_count(app, c.slug) == 3


# Werkzeug's test client leaves its spooled upload file to the garbage collector when the body is refused.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_request_over_max_content_length_gets_413_page(make_app, create_user, create_consultation):
    app = make_app(MAX_CONTENT_LENGTH=1024)
    client = app.test_client()
    client.post("/entrar", data={"email": create_user("admin").email, "password": "uma senha longa de teste"})
    c = create_consultation("draft", text="")
    response = client.post(f"/admin/consultas/{c.slug}/importar",
                           data={"file": (io.BytesIO(b"x" * 4096), "a.md")}, content_type="multipart/form-data")
    assert response.status_code == 413
    assert "Arquivo grande demais" in response.get_data(as_text=True)
    response.close()
    import gc

    gc.collect()  # collect the abandoned upload file here, under this test's warning filter


def test_reimport_replaces_text_while_in_draft(app, admin_client, create_consultation):
    c = create_consultation("draft")
    assert article_count(app, c.slug) == 4
    admin_client.post(f"/admin/consultas/{c.slug}/importar/confirmar", data={"source": "# Novo\n\nArt. 1º Só um."})
    assert article_count(app, c.slug) == 1
    with app.app_context():
        titles = db.session.scalars(select(Section.title).join(Consultation).where(Consultation.slug == c.slug))
        assert list(titles) == ["Novo"]


def test_text_is_frozen_once_open(app, admin_client, create_consultation):
    c = create_consultation("open")
    response = admin_client.post(f"/admin/consultas/{c.slug}/importar/confirmar", data={"source": "# N\n\nArt. 1º X."})
    assert response.status_code == 303
    assert article_count(app, c.slug) == 4
    follow = admin_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "não pode mais ser substituído" in follow


def test_publish_close_and_reopen_with_reason(app, admin_client, create_consultation):
    c = create_consultation("draft")
    assert admin_client.post(f"/admin/consultas/{c.slug}/abrir").status_code == 303
    assert consultation(app, c.slug).status is Status.OPEN
    assert admin_client.post(f"/admin/consultas/{c.slug}/encerrar").status_code == 303
    assert consultation(app, c.slug).status is Status.CLOSED
    response = admin_client.post(f"/admin/consultas/{c.slug}/reabrir", data={"reason": ""})
    assert response.status_code == 422
    assert consultation(app, c.slug).status is Status.CLOSED
    admin_client.post(f"/admin/consultas/{c.slug}/reabrir", data={"reason": "Prazo prorrogado a pedido dos estados"})
    assert consultation(app, c.slug).status is Status.OPEN
    with app.app_context():
        entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "consultation.reopen"))
        assert entry.reason == "Prazo prorrogado a pedido dos estados"
        assert entry.actor.email == "admin@exemplo.com.br"


def test_empty_draft_cannot_be_opened(app, admin_client, create_consultation):
    c = create_consultation("draft", text="")
    admin_client.post(f"/admin/consultas/{c.slug}/abrir")
    assert consultation(app, c.slug).status is Status.DRAFT


def test_admin_changes_a_role_and_it_is_logged(app, admin_client, create_user):
    user = create_user(email="futura-analista@exemplo.com.br")
    response = admin_client.post(f"/admin/usuarios/{user.id}/papel", data={f"u{user.id}-role": "analyst"})
    assert response.status_code == 303
    with app.app_context():
        assert db.session.get(User, user.id).role is Role.ANALYST
        entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "user.change_role"))
        assert entry.details == {"previous": "participant", "new": "analyst"}


def test_admin_cannot_demote_themselves(app, client, auth, create_user):
    admin = create_user("admin")
    auth.login(admin)
    client.post(f"/admin/usuarios/{admin.id}/papel", data={f"u{admin.id}-role": "participant"})
    with app.app_context():
        assert db.session.get(User, admin.id).role is Role.ADMIN


def test_users_page_searches(admin_client, create_user):
    create_user(name="Joana Prado")
    create_user(name="Carlos Lima")
    page = admin_client.get("/admin/usuarios?q=joana").get_data(as_text=True)
    assert "Joana Prado" in page and "Carlos Lima" not in page


def _details(slug: str, **overrides) -> dict:
    data = {"title": "Consulta renomeada", "slug": slug, "summary": "Resumo novo.", "opens_at": "2027-03-01T09:00",
            "closes_at": "2027-03-15T23:59", "time_zone": "America/Sao_Paulo", "organ": "", "contact": "",
            "requirement": "any"}
    data.update(overrides)
    return data


def test_admin_edits_title_slug_and_dates_and_the_change_is_audited(app, admin_client, create_consultation):
    c = create_consultation("draft")
    response = admin_client.post(f"/admin/consultas/{c.slug}", data=_details("consulta-renomeada"))
    assert response.status_code == 303 and response.headers["Location"].endswith("/admin/consultas/consulta-renomeada")
    with app.app_context():
        row = db.session.get(Consultation, c.id)
        assert (row.title, row.slug, row.summary) == ("Consulta renomeada", "consulta-renomeada", "Resumo novo.")
        changes = db.session.scalars(select(AuditLog).where(AuditLog.action == "consultation.update")).one()
        assert changes.details["changes"]["slug"] == {"from": c.slug, "to": "consulta-renomeada"}
        assert changes.details["changes"]["title"]["to"] == "Consulta renomeada"
    assert admin_client.get(f"/consultas/{c.slug}").status_code == 404  # the old address is gone


@pytest.mark.parametrize(("overrides", "message"), [
    ({"slug": "outra-consulta"}, "Já existe uma consulta com este endereço."),
    ({"closes_at": "2027-02-01T09:00"}, "O encerramento precisa ser depois da abertura."),
    ({"title": ""}, "Informe o título."),
])
def test_refused_details_keep_what_was_typed_and_change_nothing(app, admin_client, create_consultation, overrides,
                                                                 message):
    c = create_consultation("draft")
    create_consultation("draft", slug="outra-consulta")
    data = {**_details(c.slug, summary="Texto digitado."), **overrides}
    response = admin_client.post(f"/admin/consultas/{c.slug}", data=data)
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 422 and message in page and "Texto digitado." in page
    with app.app_context():
        row = db.session.get(Consultation, c.id)
        assert (row.title, row.slug, row.opens_at) == (c.title, c.slug, None)
        assert db.session.scalar(select(func.count()).select_from(AuditLog).where(
            AuditLog.action == "consultation.update")) == 0


@pytest.mark.parametrize("role", ["participant", "facilitator", "moderator", "analyst"])
def test_only_admins_edit_a_consultations_details(app, client, auth, create_user, create_consultation, role):
    c = create_consultation("draft")
    auth.login(create_user(role))
    assert client.post(f"/admin/consultas/{c.slug}", data=_details("tomada")).status_code == 403
    with app.app_context():
        assert db.session.get(Consultation, c.id).slug == c.slug
