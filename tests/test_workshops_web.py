"""Workshop pages: registration, attendance, the quick input form, spreadsheet import, the public pages and map."""

import csv
import io
import re
from datetime import UTC, datetime

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from consulta.extensions import db
from consulta.models import (
    Article,
    Attendee,
    Audience,
    AuditLog,
    Channel,
    Consultation,
    Contribution,
    Sector,
    User,
    Workshop,
    WorkshopFormat,
    WorkshopStatus,
)
from consulta.workshops import services, spreadsheets
from consulta.workshops.views import tile_map_scale
from tests.multipart import post_multipart

PAST = datetime(2024, 5, 10, 13, 0, tzinfo=UTC)  # 10:00 in Brasília



# -- fixtures and helpers -----------------------------------------------------------------------------------

@pytest.fixture
def consultation(create_consultation):
    return create_consultation("open")


@pytest.fixture
def facilitator(create_user):
    return create_user("facilitator", name="Fátima Facilitadora")


@pytest.fixture
def make_workshop(app):
    """Factory: a workshop registered through the service by `owner`; returns its id."""

    def make(owner, consultation, **overrides) -> int:
        fields = {"title": "Oficina regional Norte", "format": WorkshopFormat.IN_PERSON, "starts_at": PAST,
                  "uf": "AM", "municipality": "Manaus", "venue": "Teatro Amazonas", "audience": Audience.GENERAL}
        fields.update(overrides)
        with app.app_context():
            workshop = services.create_workshop(
                db.session.get(User, owner.id), db.session.get(Consultation, consultation.id), **fields
            )
            db.session.commit()
            return workshop.id

    return make


@pytest.fixture
def workshop_id(make_workshop, facilitator, consultation):
    return make_workshop(facilitator, consultation)


def articles(app, consultation) -> dict[str, int]:
    """label -> id of the consultation's articles."""
    with app.app_context():
        rows = db.session.execute(
            select(Article.label, Article.id).where(Article.consultation_id == consultation.id)
            .order_by(Article.position)
        ).all()
    return {label: id_ for label, id_ in rows}


def get_workshop(app, workshop_id) -> Workshop:
    with app.app_context():
        workshop = db.session.get(Workshop, workshop_id)
        db.session.expunge(workshop)
        return workshop


def workshop_contributions(app, workshop_id) -> list[Contribution]:
    with app.app_context():
        rows = db.session.scalars(
            select(Contribution).where(Contribution.workshop_id == workshop_id).order_by(Contribution.id)
        ).all()
        for row in rows:
            db.session.expunge(row)
        return rows


def registration(**overrides) -> dict:
    data = {"title": "Oficina regional Norte", "format": "in_person", "starts_at": "2024-05-10T09:30",
            "uf": "AM", "municipality": "Manaus", "venue": "Teatro Amazonas", "audience": "aberta",
            "summary": "Encontro com gestores e sociedade civil."}
    data.update(overrides)
    return data


def row_data(index: int, article_id: int | str = "", body: str = "", *, kind="comment", stance="none",
             head_count="", group="") -> dict:
    return {f"rows-{index}-article": str(article_id), f"rows-{index}-kind": kind, f"rows-{index}-stance": stance,
            f"rows-{index}-body": body, f"rows-{index}-head_count": str(head_count),
            f"rows-{index}-group_label": group}


def flashes(client) -> list[str]:
    with client.session_transaction() as session:
        return [message for _, message in session.get("_flashes", [])]


def upload(client, url, content: bytes, filename: str):
    return post_multipart(client, url, {"file": (content, filename)})


def uploaded(client, response):
    """The page an upload leads to (the test queue has read the file by the time the POST returns)."""
    assert response.status_code == 303, response.get_data(as_text=True)
    return client.get(response.headers["Location"])


def upload_and_confirm(client, url, content: bytes, filename: str):
    """Upload a file, see its preview, confirm it; the confirmation's response."""
    preview = uploaded(client, upload(client, url, content, filename))
    assert preview.status_code == 200, preview.get_data(as_text=True)
    return client.post(preview.request.path, data={})


def csv_bytes(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";").writerows(rows)
    return buffer.getvalue().encode("utf-8")


# -- registration -------------------------------------------------------------------------------------------

def test_facilitator_registers_an_in_person_workshop_in_brasilia_time(app, client, auth, facilitator, consultation):
    auth.login(facilitator)
    page = client.get(f"/consultas/{consultation.slug}/oficinas/nova")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'type="datetime-local"' in html and 'list="municipios-opcoes"' in html
    assert 'hx-get="/municipios"' in html and 'hx-target="#municipios-opcoes"' in html

    response = client.post(f"/consultas/{consultation.slug}/oficinas/nova", data=registration())
    assert response.status_code == 303
    with app.app_context():
        workshop = db.session.scalars(select(Workshop)).one()
        assert response.headers["Location"] == f"/oficinas/{workshop.id}"
        assert (workshop.uf, workshop.municipality_code, workshop.municipality_name) == ("AM", "1302603", "Manaus")
        assert workshop.starts_at == datetime(2024, 5, 10, 12, 30, tzinfo=UTC)
        assert workshop.facilitator_id == facilitator.id and workshop.status is WorkshopStatus.PLANNED
    assert "Oficina registrada." in flashes(client)[0]


def test_municipality_may_be_given_by_its_ibge_code(app, client, auth, facilitator, consultation):
    auth.login(facilitator)
    response = client.post(f"/consultas/{consultation.slug}/oficinas/nova",
                           data=registration(uf="RS", municipality="4314902"))
    assert response.status_code == 303
    with app.app_context():
        assert db.session.scalars(select(Workshop.municipality_name)).one() == "Porto Alegre"


def test_municipality_not_in_the_state_keeps_everything_typed_with_422(app, client, auth, facilitator, consultation):
    auth.login(facilitator)
    data = registration(uf="SP", municipality="Manaus", title="Oficina da Região Norte", venue="Auditório 2")
    response = client.post(f"/consultas/{consultation.slug}/oficinas/nova", data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "O município &#34;Manaus&#34; não pertence a SP. Ele fica em AM." in html
    assert 'value="Oficina da Região Norte"' in html and 'value="Manaus"' in html and 'value="Auditório 2"' in html
    assert '<option selected value="SP">' in html
    assert 'value="2024-05-10T09:30"' in html
    assert "Encontro com gestores e sociedade civil." in html
    assert 'aria-invalid="true"' in html
    # The re-rendered form offers the chosen state's municipalities without JavaScript.
    assert '<option value="São Paulo">3550308</option>' in html
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Workshop)) == 0


def test_in_person_workshop_needs_state_and_municipality(app, client, auth, facilitator, consultation):
    auth.login(facilitator)
    response = client.post(f"/consultas/{consultation.slug}/oficinas/nova",
                           data=registration(uf="", municipality="", title=""))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    for message in ("Informe o título da oficina.", "Escolha o estado onde a oficina acontece.",
                    "Informe o município onde a oficina acontece."):
        assert message in html
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Workshop)) == 0


def test_remote_workshop_needs_no_municipality(app, client, auth, facilitator, consultation):
    auth.login(facilitator)
    response = client.post(f"/consultas/{consultation.slug}/oficinas/nova", data=registration(
        format="remote", uf="", municipality="", venue="Videoconferência", audience="sociedade_civil",
        title="Oficina remota com a sociedade civil"))
    assert response.status_code == 303
    with app.app_context():
        workshop = db.session.scalars(select(Workshop)).one()
        assert workshop.format is WorkshopFormat.REMOTE
        assert (workshop.uf, workshop.municipality_code, workshop.region) == (None, None, None)
        assert workshop.place_label == "Oficina remota com a sociedade civil"


def test_remote_workshop_refuses_a_municipality(client, auth, facilitator, consultation):
    auth.login(facilitator)
    response = client.post(f"/consultas/{consultation.slug}/oficinas/nova",
                           data=registration(format="remote", uf="AM", municipality="Manaus"))
    assert response.status_code == 422
    assert "Oficinas remotas não têm município" in response.get_data(as_text=True)


def test_invalid_registration_answers_200_to_htmx(client, auth, facilitator, consultation):
    auth.login(facilitator)
    response = client.post(f"/consultas/{consultation.slug}/oficinas/nova", data=registration(title=""),
                           headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "Informe o título da oficina." in response.get_data(as_text=True)


def test_municipality_options_for_a_state(client):
    response = client.get("/municipios/AM")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<option value="Manaus">1302603</option>' in html
    assert html.count("<option") == 62  # Amazonas has 62 municipalities
    assert client.get("/municipios?uf=am").get_data(as_text=True) == html  # what htmx sends from the select
    assert client.get("/municipios/XX").status_code == 404
    assert client.get("/municipios").get_data(as_text=True).strip() == ""


def test_participant_cannot_register_a_workshop(client, auth, create_user, consultation):
    auth.login(create_user())
    assert client.get(f"/consultas/{consultation.slug}/oficinas/nova").status_code == 403
    assert client.post(f"/consultas/{consultation.slug}/oficinas/nova", data=registration()).status_code == 403


def test_owner_edits_the_workshop(app, client, auth, facilitator, workshop_id):
    auth.login(facilitator)
    page = client.get(f"/oficinas/{workshop_id}/editar").get_data(as_text=True)
    assert 'value="Manaus"' in page and 'value="2024-05-10T10:00"' in page
    response = client.post(f"/oficinas/{workshop_id}/editar", data=registration(
        title="Oficina de Belém", uf="PA", municipality="Belém", starts_at="2024-05-10T10:00"))
    assert response.status_code == 303
    workshop = get_workshop(app, workshop_id)
    assert (workshop.title, workshop.uf, workshop.municipality_name) == ("Oficina de Belém", "PA", "Belém")


# -- who may change a workshop ------------------------------------------------------------------------------

# (method, url, what an admin gets: pages 200, an empty form re-rendered 422, the status change 303, and the
# row fragment, asked for without htmx, a redirect to the whole form)
OWNER_ROUTES = [
    ("GET", "/oficinas/{id}/editar", 200), ("POST", "/oficinas/{id}/editar", 422),
    ("POST", "/oficinas/{id}/situacao", 303),
    ("GET", "/oficinas/{id}/presenca", 200), ("POST", "/oficinas/{id}/presenca", 422),
    ("POST", "/oficinas/{id}/presenca/lista", 422), ("GET", "/oficinas/{id}/presenca/modelo.csv", 200),
    ("GET", "/oficinas/{id}/relato", 200), ("POST", "/oficinas/{id}/relato", 422),
    ("GET", "/oficinas/{id}/relato/linha?n=3", 302),
    ("GET", "/oficinas/{id}/relato/modelo.csv", 200), ("GET", "/oficinas/{id}/relato/modelo.xlsx", 200),
    ("GET", "/oficinas/{id}/importar", 200), ("POST", "/oficinas/{id}/importar", 422),
]


@pytest.mark.parametrize(("method", "url", "admin_status"), OWNER_ROUTES, ids=[f"{m} {u}" for m, u, _ in OWNER_ROUTES])
def test_only_the_owner_facilitator_or_an_admin_may_change_a_workshop(client, auth, create_user, workshop_id,
                                                                      method, url, admin_status):
    path = url.format(id=workshop_id)
    assert client.open(path, method=method).status_code == 302  # anonymous: to the login page
    auth.login(create_user("facilitator", email="outra.facilitadora@exemplo.com.br"))
    assert client.open(path, method=method).status_code == 403
    auth.logout()
    auth.login(create_user("admin"))
    assert client.open(path, method=method).status_code == admin_status


def test_admin_edits_another_facilitators_workshop(app, client, auth, create_user, workshop_id):
    auth.login(create_user("admin"))
    response = client.post(f"/oficinas/{workshop_id}/editar", data=registration(title="Corrigido pela admin"))
    assert response.status_code == 303
    assert get_workshop(app, workshop_id).title == "Corrigido pela admin"


def test_workshop_of_a_draft_consultation_is_hidden_from_the_public(app, client, auth, create_user,
                                                                      create_consultation, make_workshop):
    draft = create_consultation("draft")
    admin = create_user("admin")
    workshop = make_workshop(admin, draft)
    assert client.get(f"/oficinas/{workshop}").status_code == 404
    assert client.get(f"/consultas/{draft.slug}/oficinas").status_code == 404
    auth.login(create_user("facilitator"))
    assert client.get(f"/oficinas/{workshop}").status_code == 404
    assert client.get(f"/consultas/{draft.slug}/oficinas/nova").status_code == 404
    auth.logout()
    auth.login(admin)
    assert client.get(f"/oficinas/{workshop}").status_code == 200


# -- status and the audit trail -----------------------------------------------------------------------------

def test_status_buttons_move_the_workshop_and_edits_after_the_report_are_audited(app, client, auth, facilitator,
                                                                                 workshop_id):
    auth.login(facilitator)
    page = client.get(f"/oficinas/{workshop_id}").get_data(as_text=True)
    assert 'name="status" value="held"' in page
    assert client.post(f"/oficinas/{workshop_id}/situacao", data={"status": "held"}).status_code == 303
    # Reporting needs the attendance total first: refused with a message, nothing changed.
    response = client.post(f"/oficinas/{workshop_id}/situacao", data={"status": "reported"})
    assert response.status_code == 303
    assert "Informe o total de participantes antes de enviar o relato." in flashes(client)
    assert get_workshop(app, workshop_id).status is WorkshopStatus.HELD

    client.post(f"/oficinas/{workshop_id}/presenca", data={"total": "40"})
    response = client.post(f"/oficinas/{workshop_id}/situacao", data={"status": "reported", "next": "/oficinas/minhas"})
    assert response.status_code == 303 and response.headers["Location"] == "/oficinas/minhas"
    assert get_workshop(app, workshop_id).status is WorkshopStatus.REPORTED

    assert client.post(f"/oficinas/{workshop_id}/editar", data=registration(title="Título corrigido")).status_code == 303
    client.post(f"/oficinas/{workshop_id}/presenca", data={"total": "42"})
    with app.app_context():
        entries = db.session.scalars(select(AuditLog).where(
            AuditLog.object_type == "Workshop", AuditLog.object_id == workshop_id,
            AuditLog.action == "workshop.edit_after_report").order_by(AuditLog.id)).all()
        assert len(entries) == 2
        assert entries[0].actor_id == facilitator.id
        assert entries[0].details["changes"]["title"] == ["Oficina regional Norte", "Título corrigido"]
        assert "attendance" in entries[1].details["changes"]
    edit_page = client.get(f"/oficinas/{workshop_id}/editar").get_data(as_text=True)
    assert "as alterações ficam registradas no histórico" in edit_page


def test_status_change_outside_the_life_cycle_is_refused(app, client, auth, facilitator, workshop_id):
    auth.login(facilitator)
    client.post(f"/oficinas/{workshop_id}/situacao", data={"status": "reported"})
    assert get_workshop(app, workshop_id).status is WorkshopStatus.PLANNED
    assert any("Não é possível passar a oficina" in m for m in flashes(client))


# -- attendance ---------------------------------------------------------------------------------------------

def test_attendance_total_and_sectors_are_saved(app, client, auth, facilitator, workshop_id):
    auth.login(facilitator)
    page = client.get(f"/oficinas/{workshop_id}/presenca").get_data(as_text=True)
    for sector in Sector:
        assert f'name="sector_{sector.value}"' in page
    response = client.post(f"/oficinas/{workshop_id}/presenca", data={
        "total": "45", "sector_cidadao": "20", "sector_estados_municipios": "15", "sector_academia": ""})
    assert response.status_code == 303 and response.headers["Location"] == f"/oficinas/{workshop_id}"
    with app.app_context():
        workshop = db.session.get(Workshop, workshop_id)
        assert workshop.attendance_total == 45
        assert {a.sector: a.count for a in workshop.attendance} == {Sector.CITIZEN: 20, Sector.STATE_MUNICIPAL: 15}
    public = client.get(f"/oficinas/{workshop_id}").get_data(as_text=True)
    assert "45 pessoas participaram." in public and "Cidadão ou cidadã" in public


def test_attendance_errors_keep_the_numbers_typed(app, client, auth, facilitator, workshop_id):
    auth.login(facilitator)
    response = client.post(f"/oficinas/{workshop_id}/presenca", data={"total": "10", "sector_cidadao": "20"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "O total (10) é menor que a soma por setor (20)." in html
    assert 'value="10"' in html and 'value="20"' in html
    response = client.post(f"/oficinas/{workshop_id}/presenca", data={"total": "-3"})
    assert response.status_code == 422
    assert "Informe um número inteiro de 0 a 100.000." in response.get_data(as_text=True)
    assert get_workshop(app, workshop_id).attendance_total is None


def test_attendee_list_upload_and_names_are_never_public(app, client, auth, facilitator, consultation, workshop_id):
    auth.login(facilitator)
    template = client.get(f"/oficinas/{workshop_id}/presenca/modelo.csv")
    assert template.status_code == 200
    assert template.mimetype == "text/csv"
    assert template.headers["Content-Disposition"].startswith("attachment;")
    assert next(csv.reader(io.StringIO(template.data.decode("utf-8-sig")), delimiter=";")) == \
        spreadsheets.ATTENDEE_COLUMNS

    content = csv_bytes([["nome", "organizacao", "setor", "uf"],
                         ["Maria Aparecida Tapajós", "Prefeitura de Manaus", "Estados e municípios", "AM"],
                         ["Joaquim Xavier Nogueira", "", "Cidadão ou cidadã", "PA"]])
    response = upload_and_confirm(client, f"/oficinas/{workshop_id}/presenca/lista", content, "presenca.csv")
    assert response.status_code == 303
    assert "Lista de presença salva: 2 pessoas." in flashes(client)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Attendee)) == 2
    assert "A lista atual tem 2 pessoas." in client.get(f"/oficinas/{workshop_id}/presenca").get_data(as_text=True)

    auth.logout()
    for url in (f"/oficinas/{workshop_id}", f"/consultas/{consultation.slug}/oficinas"):
        html = client.get(url).get_data(as_text=True)
        assert "Maria Aparecida" not in html and "Joaquim Xavier" not in html and "Tapajós" not in html
    assert "2 pessoas participaram." in client.get(f"/oficinas/{workshop_id}").get_data(as_text=True)


def test_attendee_list_with_errors_saves_nothing_and_shows_a_report(app, client, auth, facilitator, workshop_id):
    auth.login(facilitator)
    content = csv_bytes([["nome", "setor", "cpf"], ["Ana", "Astronauta", "123"]])
    response = uploaded(client, upload(client, f"/oficinas/{workshop_id}/presenca/lista", content, "presenca.csv"))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Nada foi salvo." in html and "Problemas encontrados na planilha</caption>" in html
    assert "cpf" in html.lower()
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Attendee)) == 0
    missing = client.post(f"/oficinas/{workshop_id}/presenca/lista", data={})
    assert missing.status_code == 422
    assert "Escolha o arquivo da lista de presença." in missing.get_data(as_text=True)


# -- the quick input form -----------------------------------------------------------------------------------

def test_quick_form_starts_with_three_rows_listing_the_articles(app, client, auth, facilitator, consultation,
                                                               workshop_id):
    auth.login(facilitator)
    html = client.get(f"/oficinas/{workshop_id}/relato").get_data(as_text=True)
    assert [f'name="rows-{i}-body"' in html for i in range(4)] == [True, True, True, False]
    ids = articles(app, consultation)
    assert f'<option value="{ids["Art. 1º"]}">Art. 1º</option>' in html
    assert f'hx-get="/oficinas/{workshop_id}/relato/linha?n=3"' in html
    assert 'name="acao" value="adicionar"' in html and 'name="acao" value="salvar"' in html


def test_adding_a_row_without_javascript_keeps_every_value(app, client, auth, facilitator, consultation,
                                                          workshop_id):
    auth.login(facilitator)
    ids = articles(app, consultation)
    data = {"acao": "adicionar", **row_data(0, ids["Art. 1º"], "Falta falar de acessibilidade.", stance="partly",
                                              head_count=12, group="Mesa 1"),
            **row_data(1, ids["Art. 2º"], "", kind="removal"), **row_data(2)}
    response = client.post(f"/oficinas/{workshop_id}/relato", data=data)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'name="rows-3-body"' in html and 'name="rows-4-body"' not in html
    assert "Falta falar de acessibilidade.</textarea>" in html
    assert f'<option selected value="{ids["Art. 1º"]}">' in html
    assert '<option selected value="partly">' in html and '<option selected value="removal">' in html
    assert 'value="12"' in html and 'value="Mesa 1"' in html
    assert f'hx-get="/oficinas/{workshop_id}/relato/linha?n=4"' in html
    assert re.search(r'<select[^>]*autofocus[^>]*name="rows-3-article"|<select[^>]*name="rows-3-article"[^>]*autofocus',
                     html)
    assert workshop_contributions(app, workshop_id) == []


def test_htmx_gets_one_more_row_and_the_next_add_button(app, client, auth, facilitator, workshop_id):
    auth.login(facilitator)
    response = client.get(f"/oficinas/{workshop_id}/relato/linha?n=3", headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<legend>Linha 4</legend>" in html and 'name="rows-3-article"' in html
    assert 'id="adicionar-linha"' in html and 'hx-swap-oob="true"' in html
    assert f'/oficinas/{workshop_id}/relato/linha?n=4' in html
    assert "<html" not in html
    # Without htmx the address leads to the form itself.
    plain = client.get(f"/oficinas/{workshop_id}/relato/linha?n=3")
    assert plain.status_code == 302 and plain.headers["Location"] == f"/oficinas/{workshop_id}/relato"


def test_saving_rows_creates_workshop_contributions_on_the_articles(app, client, auth, facilitator, consultation,
                                                                   workshop_id):
    auth.login(facilitator)
    ids = articles(app, consultation)
    data = {"acao": "salvar", "submission_key": "chave-1",
            **row_data(0, ids["Art. 1º"], "A estratégia precisa citar a inclusão digital.", stance="partly",
                       head_count=18, group="Mesa 2"),
            **row_data(1), **row_data(2, ids["Recomendação 1.1"], "Apoio total.", stance="agree", head_count=30)}
    response = client.post(f"/oficinas/{workshop_id}/relato", data=data)
    assert response.status_code == 303
    assert response.headers["Location"] == f"/oficinas/{workshop_id}#contribuicoes"
    assert "2 contribuições registradas." in flashes(client)
    saved = workshop_contributions(app, workshop_id)
    assert [(c.article_id, c.stance.value, c.head_count, c.group_label, c.channel) for c in saved] == [
        (ids["Art. 1º"], "partly", 18, "Mesa 2", Channel.WORKSHOP),
        (ids["Recomendação 1.1"], "agree", 30, None, Channel.WORKSHOP),
    ]
    with app.app_context():
        assert db.session.get(Article, ids["Art. 1º"]).contributions_partly == 1
    article_page = client.get(f"/consultas/{consultation.slug}/artigos/{ids['Art. 1º']}").get_data(as_text=True)
    assert "Oficina de Manaus/AM" in article_page and "A estratégia precisa citar a inclusão digital." in article_page

    # The same form sent again (double click, reload) saves nothing new.
    again = client.post(f"/oficinas/{workshop_id}/relato", data=data)
    assert again.status_code == 303
    assert "0 contribuições registradas (2 já tinham sido enviadas)." in flashes(client)
    assert len(workshop_contributions(app, workshop_id)) == 2


def test_a_row_with_errors_saves_nothing_and_keeps_every_row(app, client, auth, facilitator, consultation,
                                                            workshop_id):
    auth.login(facilitator)
    ids = articles(app, consultation)
    data = {"acao": "salvar", **row_data(0, ids["Art. 1º"], "Texto da primeira linha."),
            **row_data(1, ids["Art. 2º"], "", head_count="muitos"), **row_data(2, "", "Sem dispositivo.")}
    response = client.post(f"/oficinas/{workshop_id}/relato", data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Nada foi salvo. Corrija as linhas abaixo:" in html
    assert "Linha 2, O que foi dito</a>: Escreva o que foi dito sobre o dispositivo." in html
    assert "Linha 2, Pessoas que apoiaram</a>: O valor inteiro não é válido." in html
    assert "Linha 3, Dispositivo</a>: Escolha o dispositivo." in html
    assert "Texto da primeira linha.</textarea>" in html and "Sem dispositivo.</textarea>" in html
    assert 'value="muitos"' in html
    assert workshop_contributions(app, workshop_id) == []
    htmx = client.post(f"/oficinas/{workshop_id}/relato", data=data, headers={"HX-Request": "true"})
    assert htmx.status_code == 200


def test_saving_only_empty_rows_asks_for_one(client, auth, facilitator, workshop_id):
    auth.login(facilitator)
    response = client.post(f"/oficinas/{workshop_id}/relato",
                           data={"acao": "salvar", **row_data(0), **row_data(1), **row_data(2)})
    assert response.status_code == 422
    assert "Preencha pelo menos uma linha" in response.get_data(as_text=True)


def test_quick_form_refuses_input_for_a_draft_consultation(app, client, auth, create_user, create_consultation,
                                                           make_workshop):
    draft = create_consultation("draft")
    admin = create_user("admin")
    workshop = make_workshop(admin, draft)
    auth.login(admin)
    article_id = articles(app, draft)["Art. 1º"]
    response = client.post(f"/oficinas/{workshop}/relato",
                           data={"acao": "salvar", **row_data(0, article_id, "Um texto.")})
    assert response.status_code == 403
    assert "ainda está em preparação" in response.get_data(as_text=True)
    assert workshop_contributions(app, workshop) == []


# -- spreadsheets -------------------------------------------------------------------------------------------

def test_templates_download_as_attachments_that_open(app, client, auth, facilitator, consultation, workshop_id):
    auth.login(facilitator)
    labels = list(articles(app, consultation))
    response = client.get(f"/oficinas/{workshop_id}/relato/modelo.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == \
        f'attachment; filename="contribuicoes-oficina-{workshop_id}.csv"'
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == spreadsheets.INPUT_COLUMNS and [r[0] for r in rows[1:]] == labels

    response = client.get(f"/oficinas/{workshop_id}/relato/modelo.xlsx")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    sheet = load_workbook(io.BytesIO(response.data))["Relato"]
    values = [row for row in sheet.iter_rows(values_only=True) if row[0] is not None]
    assert list(values[0]) == spreadsheets.INPUT_COLUMNS and [r[0] for r in values[1:]] == labels
    assert client.get(f"/oficinas/{workshop_id}/relato/modelo.pdf").status_code == 404


def test_csv_import_creates_contributions_once(app, client, auth, facilitator, consultation, workshop_id):
    auth.login(facilitator)
    ids = articles(app, consultation)
    page = client.get(f"/oficinas/{workshop_id}/importar").get_data(as_text=True)
    assert f"/oficinas/{workshop_id}/relato/modelo.xlsx" in page and 'enctype="multipart/form-data"' in page
    content = csv_bytes([
        ["dispositivo", "tipo", "posicao", "texto", "texto_proposto", "pessoas_apoiando", "grupo"],
        ["Art. 1º", "Comentário", "Concordo", "A sala apoiou a estratégia.", "", "25", "Mesa A"],
        ["Art. 2º", "Supressão", "Discordo", "Retirar o inciso II.", "", "7", "Mesa B"],
        ["Recomendação 1.2", "", "", "", "", "", ""],  # a template row left blank
    ])
    response = upload_and_confirm(client, f"/oficinas/{workshop_id}/importar", content, "relato.csv")
    assert response.status_code == 303
    assert "2 contribuições importadas, 0 já existiam." in flashes(client)
    saved = workshop_contributions(app, workshop_id)
    assert [(c.article_id, c.kind.value, c.stance.value, c.head_count, c.group_label) for c in saved] == [
        (ids["Art. 1º"], "comment", "agree", 25, "Mesa A"), (ids["Art. 2º"], "removal", "disagree", 7, "Mesa B"),
    ]
    again = upload_and_confirm(client, f"/oficinas/{workshop_id}/importar", content, "relato.csv")
    assert again.status_code == 303
    assert "0 contribuições importadas, 2 já existiam." in flashes(client)
    assert len(workshop_contributions(app, workshop_id)) == 2


def test_xlsx_import_works(app, client, auth, facilitator, consultation, workshop_id):
    auth.login(facilitator)
    book = Workbook()
    sheet = book.active
    sheet.title = "Relato"
    sheet.append(spreadsheets.INPUT_COLUMNS)
    sheet.append(["Recomendação 1.1", "Nova redação", "Concordo em parte", "Incluir os municípios.",
                  "Garantir acesso digital a todos os municípios.", 14, "Grupo 3"])
    buffer = io.BytesIO()
    book.save(buffer)
    response = upload_and_confirm(client, f"/oficinas/{workshop_id}/importar", buffer.getvalue(), "relato.xlsx")
    assert response.status_code == 303
    assert "1 contribuição importada, 0 já existiam." in flashes(client)
    [saved] = workshop_contributions(app, workshop_id)
    assert saved.proposed_text == "Garantir acesso digital a todos os municípios." and saved.head_count == 14


def test_import_with_errors_shows_line_column_and_message_and_saves_nothing(app, client, auth, facilitator,
                                                                            workshop_id):
    auth.login(facilitator)
    content = csv_bytes([
        ["dispositivo", "posicao", "texto", "pessoas_apoiando"],
        ["Art. 1º", "Concordo", "Texto válido.", "10"],
        ["Art. 99", "Concordo", "Dispositivo que não existe.", "3"],
        ["Art. 2º", "Talvez", "", "dez"],
    ])
    response = uploaded(client, upload(client, f"/oficinas/{workshop_id}/importar", content, "relato.csv"))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Nada foi salvo. Corrija os 4 problemas abaixo" in html
    assert "<th scope=\"col\">Linha</th><th scope=\"col\">Coluna</th><th scope=\"col\">Mensagem</th>" in html
    assert re.search(r"<td>3</td><td>dispositivo</td><td>Dispositivo &#34;Art. 99&#34; não encontrado", html)
    assert re.search(r"<td>4</td><td>posicao</td>", html) and re.search(r"<td>4</td><td>texto</td>", html)
    assert re.search(r"<td>4</td><td>pessoas_apoiando</td>", html)
    assert workshop_contributions(app, workshop_id) == []

    missing = client.post(f"/oficinas/{workshop_id}/importar", data={})
    assert missing.status_code == 422
    assert "Escolha o arquivo da planilha." in missing.get_data(as_text=True)


# -- public pages -------------------------------------------------------------------------------------------

@pytest.fixture
def populated(app, create_user, consultation, make_workshop, facilitator):
    """Two in-person workshops (Manaus, Porto Alegre) and one remote, with attendance and input."""
    manaus = make_workshop(facilitator, consultation)
    porto_alegre = make_workshop(facilitator, consultation, title="Oficina regional Sul", uf="RS",
                                 municipality="Porto Alegre", venue="Usina do Gasômetro")
    remote = make_workshop(facilitator, consultation, title="Oficina remota com empresas públicas de TI",
                           format=WorkshopFormat.REMOTE, uf=None, municipality=None, audience=Audience.PUBLIC_IT)
    ids = articles(app, consultation)
    with app.app_context():
        actor = db.session.get(User, facilitator.id)
        for workshop_id, total in ((manaus, 80), (porto_alegre, 20), (remote, 35)):
            workshop = db.session.get(Workshop, workshop_id)
            services.set_attendance(actor, workshop, total, {Sector.CITIZEN: 10})
        services.add_input(actor, db.session.get(Workshop, manaus), article=db.session.get(Article, ids["Art. 1º"]),
                           kind="comment", stance="agree", body="Precisamos de conectividade nas comunidades.",
                           head_count=40, group_label="Mesa ribeirinha")
        services.replace_attendees(actor, db.session.get(Workshop, manaus),
                                   [spreadsheets.AttendeeRow(2, "Raimunda Nonata Pessoa", None, None, "AM")])
        db.session.commit()
    return {"manaus": manaus, "porto_alegre": porto_alegre, "remote": remote}


def test_public_list_shows_region_counts_the_map_and_a_data_table(client, consultation, populated):
    response = client.get(f"/consultas/{consultation.slug}/oficinas")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    # Totals and the region cards.
    assert re.search(r"<dt>Oficinas</dt><dd>3</dd>", html) and re.search(r"<dt>Participantes</dt><dd>135</dd>", html)
    assert "1 oficina · 80 participantes · 1 contribuição" in html  # Norte
    assert "1 oficina · 20 participantes · 0 contribuições" in html  # Sul
    # The map: one linked tile per UF, coloured by participants, with a legend.
    start = html.index("<svg class=\"tile-map__svg\"")
    svg = html[start:html.index("</svg>", start)]
    tiles = re.findall(r'<a class="tile-map__tile tile-map__tile--(\d)" href="#uf-([A-Z]{2})" aria-label="([^"]+)"', svg)
    assert len(tiles) == 27 and len({uf for _, uf, _ in tiles}) == 27
    assert svg.count("<title>") == 27
    steps = {uf: step for step, uf, _ in tiles}
    assert steps["AM"] == "5" and steps["RS"] == "2" and steps["SP"] == "0"
    assert "Amazonas (AM), região Norte: 80 participantes" in html
    assert "tile-map__legend" in html and "65 a 80" in html
    # The data-table alternative: every UF has a row the tiles link to.
    assert "Oficinas, participantes e contribuições por região e estado</caption>" in html
    for _, uf, _ in tiles:
        assert f'<tr id="uf-{uf}">' in html
    assert re.search(r'<tr id="uf-AM">\s*<td>Norte</td>\s*<th scope="row">Amazonas \(AM\)</th>\s*'
                     r"<td>1</td><td>80</td><td>1</td>", html)
    assert "Sem estado definido" in html  # the remote workshop
    # The list, by region, in Brasília time.
    assert html.index('id="regiao-norte"') < html.index('id="regiao-sul"') < html.index('id="regiao-remotas"')
    assert "Oficina remota com empresas públicas de TI" in html and "10/05/2024 10:00" in html
    assert "Raimunda" not in html


def test_public_workshop_page_shows_inputs_and_never_attendee_names(app, client, consultation, populated):
    ids = articles(app, consultation)
    response = client.get(f"/oficinas/{populated['manaus']}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<h1>Oficina regional Norte</h1>" in html and "Oficina de Manaus/AM" in html
    assert f'href="/consultas/{consultation.slug}/artigos/{ids["Art. 1º"]}">Art. 1º</a>' in html
    assert "Precisamos de conectividade nas comunidades." in html
    assert "40 pessoas apoiaram" in html and "Grupo: Mesa ribeirinha" in html
    assert '<span class="stance stance--agree">Concordo</span>' in html
    assert "80 pessoas participaram." in html
    assert "Raimunda" not in html and "Nonata" not in html
    assert "Gerenciar esta oficina" not in html


def test_the_consultation_and_the_navigation_link_to_workshops(client, auth, create_user, consultation):
    assert f'href="/consultas/{consultation.slug}/oficinas"' in client.get(f"/consultas/{consultation.slug}").get_data(
        as_text=True)
    auth.login(create_user())
    assert "Minhas oficinas" not in client.get("/").get_data(as_text=True)
    auth.logout()
    auth.login(create_user("facilitator"))
    assert 'href="/oficinas/minhas">Minhas oficinas</a>' in client.get("/").get_data(as_text=True)


def test_my_workshops_lists_only_mine_with_each_step(client, auth, create_user, facilitator, consultation,
                                                     make_workshop):
    mine = make_workshop(facilitator, consultation)
    other = make_workshop(create_user("facilitator"), consultation, title="Oficina de outra pessoa")
    auth.login(facilitator)
    html = client.get("/oficinas/minhas").get_data(as_text=True)
    assert "Oficina regional Norte" in html and "Oficina de outra pessoa" not in html
    for step in ("editar", "presenca", "relato", "importar"):
        assert f'href="/oficinas/{mine}/{step}"' in html
    assert f'href="/consultas/{consultation.slug}/oficinas/nova"' in html
    auth.logout()
    auth.login(create_user("admin"))
    html = client.get("/oficinas/minhas").get_data(as_text=True)
    assert "Oficina regional Norte" in html and f'href="/oficinas/{other}/editar"' in html


def test_map_scale_has_five_steps_and_a_neutral_zero():
    scale = tile_map_scale({"AM": 80, "RS": 20, "SP": 0, "BA": 1})
    assert [(s.step, s.low, s.high) for s in scale.steps] == [(1, 1, 16), (2, 17, 32), (3, 33, 48), (4, 49, 64),
                                                              (5, 65, 80)]
    assert [scale.step_of(v) for v in (0, None, 1, 16, 17, 80)] == [0, 0, 1, 1, 2, 5]
    small = tile_map_scale({"AM": 2})
    assert [(s.step, s.low, s.high) for s in small.steps] == [(3, 1, 1), (5, 2, 2)]
    assert tile_map_scale({}).steps == ()


def test_no_xss_payload_survives_the_workshop_pages(app, client, facilitator, consultation, make_workshop):
    from tests.test_xss_templates import PAYLOADS
    from tests.xss import active_content_between

    payloads = PAYLOADS[:40]
    ids = articles(app, consultation)
    workshop_id = make_workshop(facilitator, consultation, title=payloads[0][:200], venue=payloads[1][:300],
                                summary="\n\n".join(payloads[2:6]))
    with app.app_context():
        actor = db.session.get(User, facilitator.id)
        workshop = db.session.get(Workshop, workshop_id)
        for n, payload in enumerate(payloads):
            services.add_input(actor, workshop, article=db.session.get(Article, ids["Art. 1º"]), kind="comment",
                               stance="agree", body=payload, head_count=n, group_label=payload[:120])
        db.session.commit()
    html = client.get(f"/oficinas/{workshop_id}").get_data(as_text=True)
    assert html.count('<li class="contribution"') == len(payloads)
    assert active_content_between(html, '<article class="workshop">', "</article>") == []
    listing = client.get(f"/consultas/{consultation.slug}/oficinas").get_data(as_text=True)
    assert active_content_between(listing, '<section aria-labelledby="lista-oficinas">', "</section>") == []
