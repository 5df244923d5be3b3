"""Workshops through a real browser: a facilitator registers a workshop, logs input with the quick form
(adding a row in place with htmx) and a CSV upload, and the input shows on the workshop and article pages.
The public workshops page (with the map) and the registration form are checked with axe and captured."""

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from consulta.extensions import db
from consulta.models import Audience, Consultation, Sector, User, WorkshopFormat
from consulta.workshops import services
from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.test_accessibility import article_id, assert_accessible
from tests.browser.test_participation import assert_same_page, log_in, set_marker
from tests.browser.test_reading import assert_no_horizontal_scroll, save_screenshot

UPLOADED = "Na oficina, as prefeituras pediram apoio técnico para integrar os seus serviços."


def registered_workshops(app: Flask, slug: str, facilitator_id: int) -> None:
    """Workshops in every region (and one remote), with attendance, so the map has every colour."""
    places = [("AM", "Manaus", 120), ("CE", "Fortaleza", 210), ("RJ", "Rio de Janeiro", 160), ("GO", "Goiânia", 95),
              ("RS", "Porto Alegre", 140), ("PA", "Belém", 30), ("BA", "Salvador", 60)]
    with app.app_context():
        actor = db.session.get(User, facilitator_id)
        consultation = db.session.scalar(db.select(Consultation).where(Consultation.slug == slug))
        for uf, city, total in places:
            workshop = services.create_workshop(
                actor, consultation, title=f"Oficina regional em {city}", format=WorkshopFormat.IN_PERSON,
                starts_at=datetime(2024, 5, 10, 13, tzinfo=UTC), uf=uf, municipality=city, venue="Auditório",
                audience=Audience.GENERAL,
            )
            services.set_attendance(actor, workshop, total, {Sector.CITIZEN: total // 2})
        remote = services.create_workshop(
            actor, consultation, title="Oficina remota com estados e municípios", format=WorkshopFormat.REMOTE,
            starts_at=datetime(2024, 5, 20, 17, tzinfo=UTC), uf=None, municipality=None, venue="Videoconferência",
            audience=Audience.STATES_MUNICIPALITIES,
        )
        services.set_attendance(actor, remote, 80, {})
        db.session.commit()


def test_facilitator_registers_a_workshop_and_logs_its_input(
    page: Page, app: Flask, demo_consultation: str, create_user, tmp_path: Path
):
    facilitator = create_user("facilitator", name="Fátima Facilitadora")
    log_in(page, facilitator.email)
    page.get_by_role("link", name="Minhas oficinas").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Minhas oficinas")
    page.goto(f"/consultas/{demo_consultation}/oficinas")
    page.get_by_role("link", name="Registrar oficina").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Registrar oficina")

    # Registration: choosing the state loads its municipalities into the <datalist> (htmx).
    page.get_by_label("Título").fill("Oficina regional Norte")
    page.get_by_role("radio", name="Presencial").check()
    page.get_by_label("Data e hora de início").fill("2024-05-10T09:00")
    page.get_by_label("Estado (UF)").select_option("AM")
    expect(page.locator("#municipios-opcoes option[value='Manaus']")).to_have_count(1)
    expect(page.locator("#municipios-opcoes option")).to_have_count(62)
    page.get_by_label("Município").fill("Manaus")
    page.get_by_label("Local").fill("Teatro Amazonas")
    page.get_by_label("Público").select_option(label="Estados e municípios")
    page.get_by_role("button", name="Registrar oficina").click()
    expect(page.locator(".flashes")).to_contain_text("Oficina registrada.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Oficina regional Norte")
    expect(page.locator(".workshop .meta").first).to_contain_text("Oficina de Manaus/AM")
    workshop_url = page.url

    # Quick form: three rows; "Adicionar linha" appends a fourth in place and moves focus to it.
    page.get_by_role("link", name="Relato rápido").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Relato rápido")
    rows = page.locator("#linhas fieldset")
    expect(rows).to_have_count(3)
    first = page.locator("#linha-1")
    first.get_by_label("Dispositivo").select_option(label="Art. 1º")
    first.get_by_label("Tipo").select_option(label="Comentário")
    first.get_by_label("Posição da sala").select_option(label="Concordo em parte")
    first.get_by_label("O que foi dito").fill("A sala pediu metas de inclusão digital para a Região Norte.")
    first.get_by_label("Pessoas que apoiaram").fill("25")
    first.get_by_label("Grupo ou mesa").fill("Mesa 1")
    url = set_marker(page)
    page.get_by_role("button", name="Adicionar linha").click()
    expect(rows).to_have_count(4)
    fourth = page.locator("#linha-4")
    expect(fourth.get_by_label("Dispositivo")).to_be_focused()
    assert_same_page(page, url)
    expect(first.get_by_label("O que foi dito")).to_have_value(
        "A sala pediu metas de inclusão digital para a Região Norte.")
    page.get_by_role("button", name="Adicionar linha").click()  # the next index came with the new button
    expect(rows).to_have_count(5)
    expect(page.locator("#linha-5 select[name='rows-4-article']")).to_have_count(1)
    fourth.get_by_label("Dispositivo").select_option(label="Recomendação 1.1")
    fourth.get_by_label("Posição da sala").select_option(label="Concordo")
    fourth.get_by_label("O que foi dito").fill("Todos apoiaram o CPF como identificador único.")
    fourth.get_by_label("Pessoas que apoiaram").fill("40")
    page.get_by_role("button", name="Salvar contribuições").click()
    expect(page.locator(".flashes")).to_contain_text("2 contribuições registradas.")
    expect(page).to_have_url(re.compile(re.escape(workshop_url) + "#contribuicoes$"))

    # Spreadsheet upload: a CSV made here, as a facilitator would save it from a spreadsheet program.
    csv_file = tmp_path / "relato-manaus.csv"
    csv_file.write_text(
        "dispositivo;tipo;posicao;texto;texto_proposto;pessoas_apoiando;grupo\n"
        f"Art. 5º;Comentário;Concordo;{UPLOADED};;18;Mesa 2\n", encoding="utf-8",
    )
    page.get_by_role("link", name="Importar planilha").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Importar planilha")
    page.get_by_label("Planilha (CSV ou XLSX)").set_input_files(str(csv_file))
    page.get_by_role("button", name="Importar").click()
    # Read in the background (at once by the test queue), then previewed; confirming saves it.
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirmar a importação")
    expect(page.locator("main")).to_contain_text("1 contribuição pronta para importar")
    page.get_by_role("button", name="Importar 1 contribuição").click()
    expect(page.locator(".flashes")).to_contain_text("1 contribuição importada, 0 já existiam.")

    # The workshop page lists all three, per article; the article page shows them under the workshop's name.
    inputs = page.locator("#contribuicoes ~ .workshop-article")
    expect(inputs).to_have_count(3)
    expect(page.locator(".workshop-inputs")).to_contain_text([
        "A sala pediu metas de inclusão digital", UPLOADED, "Todos apoiaram o CPF",
    ])
    expect(page.get_by_text("25 pessoas apoiaram · Grupo: Mesa 1")).to_be_visible()
    page.get_by_role("link", name="Art. 5º", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Art. 5º")
    item = page.locator(".contribution").filter(has_text=UPLOADED)
    expect(item.locator(".contribution__author")).to_have_text("Oficina de Manaus/AM")
    expect(item.locator(".contribution__tags")).to_have_text("Comentário Concordo")

    page.goto(f"/consultas/{demo_consultation}/artigos/{article_id(app, demo_consultation, 'Recomendação 1.1')}")
    item = page.locator(".contribution").filter(has_text="Todos apoiaram o CPF como identificador único.")
    expect(item.locator(".contribution__author")).to_have_text("Oficina de Manaus/AM")


def test_quick_form_adds_rows_without_javascript(new_page, app: Flask, demo_consultation: str, create_user):
    page = new_page(java_script_enabled=False)
    facilitator = create_user("facilitator")
    with app.app_context():
        actor = db.session.get(User, facilitator.id)
        consultation = db.session.scalar(db.select(Consultation).where(Consultation.slug == demo_consultation))
        workshop = services.create_workshop(
            actor, consultation, title="Oficina remota", format=WorkshopFormat.REMOTE,
            starts_at=datetime(2024, 5, 20, 17, tzinfo=UTC), uf=None, municipality=None, venue=None,
            audience=Audience.CIVIL_SOCIETY,
        )
        db.session.commit()
        workshop_id = workshop.id
    log_in(page, facilitator.email)
    page.goto(f"/oficinas/{workshop_id}/relato")
    page.locator("#linha-1").get_by_label("Dispositivo").select_option(label="Art. 2º")
    page.locator("#linha-1").get_by_label("O que foi dito").fill("Definir melhor os termos.")
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.get_by_role("button", name="Adicionar linha").click()
    assert answer.value.status == 200
    expect(page.locator("#linhas fieldset")).to_have_count(4)
    expect(page.locator("#linha-1").get_by_label("O que foi dito")).to_have_value("Definir melhor os termos.")
    expect(page.locator("#linha-4").get_by_label("Dispositivo")).to_be_focused()
    page.get_by_role("button", name="Salvar contribuições").click()
    expect(page.locator(".flashes")).to_contain_text("1 contribuição registrada.")


@pytest.fixture
def map_page_data(app: Flask, demo_consultation: str, create_user) -> str:
    facilitator = create_user("facilitator")
    registered_workshops(app, demo_consultation, facilitator.id)
    return demo_consultation


@pytest.mark.parametrize("width", [PHONE["width"], DESKTOP["width"]], ids=["360", "1280"])
def test_public_workshops_page_with_the_map_is_accessible(new_page, map_page_data: str, artifacts: Path, width: int):
    if width == PHONE["width"]:
        page = new_page(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    else:
        page = new_page(viewport=DESKTOP)
    page.goto(f"/consultas/{map_page_data}/oficinas")
    expect(page.get_by_role("heading", level=1)).to_have_text("Oficinas")
    tiles = page.locator("svg.tile-map__svg a")
    expect(tiles).to_have_count(27)
    expect(page.get_by_role("link", name=re.compile(r"^Ceará \(CE\), região Nordeste: 210 participantes"))).to_have_count(1)
    expect(page.locator(".tile-map__tile--5")).to_have_count(1)
    expect(page.locator(".tile-map__tile--0")).to_have_count(20)
    assert_no_horizontal_scroll(page, width)
    assert_accessible(page, f"/consultas/{map_page_data}/oficinas ({width}px)")
    save_screenshot(page, artifacts / f"oficinas-mapa-{width}.png")

    # A tile leads to its state's row in the data table.
    page.get_by_role("link", name=re.compile(r"^Amazonas \(AM\)")).click()
    expect(page).to_have_url(re.compile(r"#uf-AM$"))
    expect(page.locator("#uf-AM")).to_contain_text("120")


@pytest.mark.parametrize("width", [PHONE["width"], DESKTOP["width"]], ids=["360", "1280"])
def test_registration_form_is_accessible_also_with_errors(new_page, demo_consultation: str, create_user, width: int):
    page = new_page(viewport={"width": width, "height": 900})
    facilitator = create_user("facilitator")
    log_in(page, facilitator.email)
    page.goto(f"/consultas/{demo_consultation}/oficinas/nova")
    expect(page.get_by_role("heading", level=1)).to_have_text("Registrar oficina")
    assert_no_horizontal_scroll(page, width)
    assert_accessible(page, f"registro de oficina ({width}px)")

    # Manaus is not in São Paulo: the form comes back (422) with the message on the field and all typed kept.
    page.get_by_label("Título").fill("Oficina regional Sudeste")
    page.get_by_label("Data e hora de início").fill("2024-05-12T14:00")
    page.get_by_label("Estado (UF)").select_option("SP")
    page.get_by_label("Município").fill("Manaus")
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.get_by_role("button", name="Registrar oficina").click()
    assert answer.value.status == 422
    expect(page.get_by_role("alert").first).to_contain_text("Corrija o campo abaixo")
    expect(page.get_by_role("alert").first).to_contain_text('O município "Manaus" não pertence a SP. Ele fica em AM.')
    expect(page.get_by_label("Título")).to_have_value("Oficina regional Sudeste")
    expect(page.get_by_label("Data e hora de início")).to_have_value("2024-05-12T14:00")
    expect(page.get_by_label("Estado (UF)")).to_have_value("SP")
    expect(page.get_by_label("Município")).to_have_value("Manaus")
    expect(page.get_by_label("Município")).to_have_attribute("aria-invalid", "true")
    assert_accessible(page, f"registro de oficina com erros ({width}px)")
