"""The page that waits for an upload read in the background: with JavaScript htmx polls it and reloads it when
the file is read; without, a <noscript> meta refresh does. Either way the preview follows."""

from datetime import UTC, datetime

import pytest
from flask import Flask
from playwright.sync_api import expect
from sqlalchemy import select

from consulta.extensions import db
from consulta.models import Audience, Consultation, Upload, UploadPurpose, User, WorkshopFormat
from consulta.uploads import services as uploads
from consulta.workshops import services
from tests.browser.test_participation import log_in

CSV = "dispositivo;texto\nArt. 2º;A sala pediu prazos claros.\n".encode()


@pytest.mark.parametrize("javascript", [True, False], ids=["htmx", "sem-js"])
def test_the_waiting_page_turns_into_the_preview_once_the_file_is_read(new_page, app: Flask, demo_consultation: str,
                                                                      create_user, javascript: bool):
    facilitator = create_user("facilitator")
    with app.app_context():
        consultation = db.session.scalar(select(Consultation).where(Consultation.slug == demo_consultation))
        workshop = services.create_workshop(
            db.session.get(User, facilitator.id), consultation, title="Oficina remota", format=WorkshopFormat.REMOTE,
            starts_at=datetime(2024, 5, 20, 17, tzinfo=UTC), uf=None, municipality=None, venue=None,
            audience=Audience.GENERAL)
        upload = Upload(user_id=facilitator.id, purpose=UploadPurpose.WORKSHOP_INPUTS, target_id=workshop.id,
                        filename="relato.csv", size=len(CSV), content=CSV)
        db.session.add(upload)  # stored without its job, as while a worker is busy
        db.session.commit()
        url, upload_id = f"/oficinas/{workshop.id}/importar/{upload.token}", upload.id
    page = new_page(java_script_enabled=javascript)
    log_in(page, facilitator.email)
    page.goto(url)
    expect(page.locator("#leitura-envio")).to_contain_text("Processando…")
    with app.app_context():
        uploads.read(upload_id)  # what the worker does
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirmar a importação", timeout=10_000)
    page.get_by_role("button", name="Importar 1 contribuição").click()
    expect(page.locator(".flashes")).to_contain_text("1 contribuição importada, 0 já existiam.")
