"""Uploads read in the background, in a child process with hard limits (issue #16, item 3).

Hostile spreadsheets (two million blank rows, a shared-strings bomb, a zip bomb) with the caps of
consulta/uploads/sheets.py raised out of the way, so that only the child's limits stand: each ends with the
Portuguese message, the child dead within the limit and nothing saved. A real `flask consulta worker` reads
one upload end to end while the web request returns at once. Both databases (CONSULTA_TEST_DATABASE_URL).
"""

import io
import json
import os
import time
import zipfile
from datetime import timedelta

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from consulta.extensions import db
from consulta.jobs import queue
from consulta.models import Attendee, Contribution, Job, Upload, UploadPurpose, UploadState, utcnow
from consulta.uploads import sandbox, sheets
from tests import test_job_workers, test_workshops_web
from tests.multipart import post_multipart
from tests.test_job_workers import FAST, wait_for

# Fixtures shared with the workshop pages and the real-worker tests.
consultation, facilitator = test_workshops_web.consultation, test_workshops_web.facilitator
make_workshop, workshop_id = test_workshops_web.make_workshop, test_workshops_web.workshop_id
queue_url, workers = test_job_workers.queue_url, test_job_workers.workers
_own_queue_name = test_job_workers._own_queue_name

LIMIT_SECONDS = 3
WORKER_LIMIT_SECONDS = 15
LIMIT_MB = 256
NO_CAPS = {"MAX_LINES": 10**9, "MAX_SHARED_STRINGS": 10**9, "MAX_UNCOMPRESSED_BYTES": 10**12}
LIMITS = {"UPLOAD_PARSE_SECONDS": LIMIT_SECONDS, "UPLOAD_PARSE_MEMORY_MB": LIMIT_MB, "UPLOAD_SHEET_CAPS": NO_CAPS}
PASSWORD = "uma senha longa de teste"
LIMIT_MESSAGES = ("A planilha excedeu o limite de tempo de leitura", "A planilha excedeu o limite de memória de leitura")
HEADER = b'<row r="1"><c r="A1" t="inlineStr"><is><t>dispositivo</t></is></c></row>'


def _xlsx(sheet: bytes | None = None, add: dict[str, bytes] | None = None) -> bytes:
    """A real workbook with its sheet replaced or members added, compressed as Excel does."""
    source = io.BytesIO()
    Workbook().save(source)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(source.getvalue())) as old, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as new:
        for info in old.infolist():
            data = old.read(info.filename)
            if sheet is not None and info.filename == "xl/worksheets/sheet1.xml":
                data = (b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
                        b'spreadsheetml/2006/main"><sheetData>' + sheet + b"</sheetData></worksheet>")
            new.writestr(info.filename, data)
        for name, data in (add or {}).items():
            new.writestr(name, data)
    return out.getvalue()


def blank_rows() -> bytes:
    """Two million blank rows: about 20 KB."""
    return _xlsx(HEADER + b"<row/>" * 2_000_000)


def shared_strings_bomb() -> bytes:
    """Five million shared strings: about 370 KB."""
    strings = b"<si><t>texto repetido</t></si>" * 5_000_000
    return _xlsx(add={"xl/sharedStrings.xml": b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.'
                                              b'openxmlformats.org/spreadsheetml/2006/main">' + strings + b"</sst>"})


def zip_bomb() -> bytes:
    """One cell of 300 MB: about 300 KB."""
    return _xlsx(HEADER + b'<row r="2"><c r="A2" t="inlineStr"><is><t>' + b"x" * (300 * 2**20) + b"</t></is></c></row>")


def _csv(rows: list[list[str]]) -> bytes:
    return "\n".join(";".join(row) for row in rows).encode("utf-8")


GOOD = _csv([["dispositivo", "posicao", "texto", "pessoas_apoiando"],
             ["Art. 1º", "Concordo", "A sala apoiou a estratégia.", "12"],
             ["Art. 2º", "Discordo", "Retirar o inciso II.", "4"]])


def _login(client, user) -> None:
    response = client.post("/entrar", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 303


def _post_file(client, url: str, data: bytes, name: str):
    return post_multipart(client, url, {"file": (data, name)})


def _upload(app, token: str) -> Upload:
    with app.app_context():
        upload = db.session.scalars(select(Upload).where(Upload.token == token)).one()
        db.session.refresh(upload)
        _ = upload.content, upload.result
        db.session.expunge(upload)
        return upload


def _sandbox_children() -> list[int]:
    """Live children of this process running the sandbox."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/stat") as stat, open(f"/proc/{pid}/cmdline", "rb") as cmdline:
                parent = int(stat.read().rsplit(")", 1)[1].split()[1])
                if parent == os.getpid() and b"consulta.uploads.child" in cmdline.read():
                    found.append(int(pid))
        except (OSError, ValueError, IndexError):
            continue
    return found


def _count(app, model, **where) -> int:
    with app.app_context():
        query = select(func.count()).select_from(model)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        return db.session.scalar(query)


# -- the child and its limits ----------------------------------------------------------------------------------

def test_an_ordinary_file_is_read_in_the_child():
    read = sandbox.run("sheet", GOOD, seconds=30, memory_bytes=512 * 2**20, filename="relato.csv")
    assert read["refused"] is None and read["rows"][1] == [2, ["Art. 1º", "Concordo", "A sala apoiou a estratégia.", "12"]]


def test_a_zip_bomb_runs_the_child_out_of_memory_not_the_server():
    data = zip_bomb()
    started = time.monotonic()
    with pytest.raises(sandbox.LimitExceeded) as raised:
        sandbox.run("sheet", data, seconds=60, memory_bytes=LIMIT_MB * 2**20, filename="bomba.xlsx",
                    caps=NO_CAPS)
    assert raised.value.which == "memory" and time.monotonic() - started < 60
    assert _sandbox_children() == []


def test_endless_work_is_killed_at_the_wall_clock_limit():
    data = shared_strings_bomb()
    started = time.monotonic()
    with pytest.raises(sandbox.LimitExceeded) as raised:
        sandbox.run("sheet", data, seconds=1, memory_bytes=1024 * 2**20, filename="bomba.xlsx",
                    caps=NO_CAPS)
    assert raised.value.which == "time" and time.monotonic() - started < 3
    assert _sandbox_children() == []


# -- through the web, with the test queue (the job runs in-process after the commit) ----------------------------

@pytest.mark.parametrize("hostile", [blank_rows, shared_strings_bomb, zip_bomb])
def test_hostile_spreadsheets_end_with_the_limit_message_and_nothing_saved(make_app, facilitator, workshop_id,
                                                                          hostile, caplog):
    app = make_app(**LIMITS)
    client = app.test_client()
    _login(client, facilitator)
    data = hostile()
    assert len(data) < 400_000
    response = _post_file(client, f"/oficinas/{workshop_id}/importar", data, "relato.xlsx")
    assert response.status_code == 303
    token = response.headers["Location"].rsplit("/", 1)[1]
    upload = _upload(app, token)
    assert upload.state is UploadState.FAILED and upload.error in ("time", "memory")
    assert upload.content is None and upload.seconds <= LIMIT_SECONDS + 1.5  # killed within the limit
    assert _sandbox_children() == []
    events = [r for r in caplog.records if getattr(r, "event", None) == "upload.limit_exceeded"]
    assert [e.security["limit"] for e in events] == [upload.error]  # a security event, with no personal data
    page = client.get(response.headers["Location"])
    assert page.status_code == 422
    assert any(message in page.get_data(as_text=True) for message in LIMIT_MESSAGES)
    assert _count(app, Contribution, workshop_id=workshop_id) == 0


def test_with_the_default_caps_a_hostile_file_stops_at_the_first_cap(client, auth, facilitator, workshop_id):
    auth.login(facilitator)
    response = _post_file(client, f"/oficinas/{workshop_id}/importar", blank_rows(), "relato.xlsx")
    page = client.get(response.headers["Location"])
    assert page.status_code == 422 and "linhas (contando as vazias)" in page.get_data(as_text=True)


def test_a_file_past_the_size_limit_is_refused_before_it_is_stored(app, client, auth, facilitator, workshop_id):
    auth.login(facilitator)
    response = _post_file(client, f"/oficinas/{workshop_id}/importar", b"a;b\n" * (sheets.MAX_FILE_BYTES // 4 + 1),
                          "grande.csv")
    assert response.status_code == 422 and "O arquivo passa de 5 MB" in response.get_data(as_text=True)
    assert _count(app, Upload) == 0 and _count(app, Job, name="read_upload") == 0


def test_the_waiting_page_refreshes_itself_and_htmx_reloads_when_read(app, client, auth, facilitator, workshop_id):
    auth.login(facilitator)
    with app.app_context():
        upload = Upload(user_id=facilitator.id, purpose=UploadPurpose.WORKSHOP_INPUTS, target_id=workshop_id,
                        filename="relato.csv", size=len(GOOD), content=GOOD)
        db.session.add(upload)  # stored without its job: it stays queued
        db.session.commit()
        token = upload.token
    url = f"/oficinas/{workshop_id}/importar/{token}"
    html = client.get(url).get_data(as_text=True)
    assert '<noscript><meta http-equiv="refresh" content="2"></noscript>' in html
    assert f'hx-get="{url}"' in html and "Processando…" in html
    fragment = client.get(url, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in fragment and 'id="leitura-envio"' in fragment and "every 2s" in fragment
    with app.app_context():
        from consulta.uploads import services as uploads

        uploads.read(db.session.scalars(select(Upload.id)).one(), None)
    polled = client.get(url, headers={"HX-Request": "true"})
    assert polled.status_code == 204 and polled.headers["HX-Refresh"] == "true"
    assert _upload(app, token).content is None  # the file is gone once read


def test_the_preview_is_confirmed_once_and_the_upload_is_forgotten(app, client, auth, facilitator, workshop_id):
    auth.login(facilitator)
    response = _post_file(client, f"/oficinas/{workshop_id}/importar", GOOD, "relato.csv")
    preview = client.get(response.headers["Location"])
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "2 contribuições prontas para importar" in html
    assert _count(app, Contribution, workshop_id=workshop_id) == 0  # nothing saved before the confirmation
    confirmed = client.post(response.headers["Location"], data={})
    assert confirmed.status_code == 303 and _count(app, Contribution, workshop_id=workshop_id) == 2
    assert _count(app, Upload) == 0
    again = client.post(response.headers["Location"], data={})
    assert again.status_code == 303 and again.headers["Location"].endswith(f"/oficinas/{workshop_id}/importar")
    assert _count(app, Contribution, workshop_id=workshop_id) == 2


def test_someone_elses_upload_is_not_found(app, client, auth, create_user, facilitator, workshop_id):
    auth.login(facilitator)
    location = _post_file(client, f"/oficinas/{workshop_id}/importar", GOOD, "relato.csv").headers["Location"]
    auth.logout()
    auth.login(create_user("admin"))  # may edit the workshop, but did not send the file
    assert client.get(location).status_code == 404


def test_an_attendance_list_is_read_in_the_background_and_confirmed(app, client, auth, facilitator, workshop_id):
    auth.login(facilitator)
    data = _csv([["nome", "setor", "uf"], ["Ana Souza", "Academia", "AM"]])
    response = _post_file(client, f"/oficinas/{workshop_id}/presenca/lista", data, "presenca.csv")
    assert response.status_code == 303 and "/presenca/lista/" in response.headers["Location"]
    assert "A lista presenca.csv não tem problemas: 1 pessoa." in client.get(
        response.headers["Location"]).get_data(as_text=True)
    assert _count(app, Attendee) == 0
    assert client.post(response.headers["Location"], data={}).status_code == 303
    assert _count(app, Attendee) == 1 and _count(app, Upload) == 0


def test_uploads_expire_with_their_results(app, facilitator, workshop_id):
    with app.app_context():
        db.session.add_all([
            Upload(user_id=facilitator.id, purpose=UploadPurpose.WORKSHOP_INPUTS, target_id=workshop_id,
                   content=b"velho", created_at=utcnow() - timedelta(hours=25)),
            Upload(user_id=facilitator.id, purpose=UploadPurpose.WORKSHOP_INPUTS, target_id=workshop_id,
                   content=b"novo"),
        ])
        db.session.commit()
        queue.schedule_periodic(utcnow().replace(hour=3, minute=0))  # the hourly pass queues clean_up
        job = db.session.scalar(select(Job).where(Job.name == "clean_up"))
        assert job is not None and job.error is None
        assert db.session.scalars(select(Upload.content)).all() == [b"novo"]
        queue.schedule_periodic(utcnow().replace(hour=3, minute=1))  # not at other minutes
        assert db.session.scalar(select(func.count()).select_from(Job).where(Job.name == "clean_up")) == 1


# -- a real worker ---------------------------------------------------------------------------------------------

def test_a_real_worker_reads_uploads_while_the_request_returns_at_once(make_app, workers, queue_url, facilitator,
                                                                      workshop_id, monkeypatch):
    # The worker's settings, as CONSULTA_* variables (JSON); more time than in-process, so that the ordinary
    # file below is read even on a busy machine and the request surely answers before the bomb is killed.
    for name, value in {**LIMITS, "UPLOAD_PARSE_SECONDS": WORKER_LIMIT_SECONDS}.items():
        monkeypatch.setitem(FAST, name, json.dumps(value) if isinstance(value, dict) else value)
    app = make_app(QUEUE_URL=queue_url, QUEUE_NAME=FAST["QUEUE_NAME"])
    app.extensions[queue.EXTENSION].huey.flush()
    workers(queue_url).start()
    client = app.test_client()
    _login(client, facilitator)

    data = shared_strings_bomb()  # with the caps lifted it runs for seconds, until a limit kills it
    started = time.monotonic()
    response = _post_file(client, f"/oficinas/{workshop_id}/importar", data, "bomba.xlsx")
    took = time.monotonic() - started
    hostile = response.headers["Location"]
    token = hostile.rsplit("/", 1)[1]
    # The request only stored the file (the worker reads it, below): it answered well inside the limit.
    assert response.status_code == 303 and took < WORKER_LIMIT_SECONDS
    if _upload(app, token).state is UploadState.QUEUED:
        assert "Processando…" in client.get(hostile).get_data(as_text=True)
    wait_for(lambda: _upload(app, token).state is not UploadState.QUEUED, 60)
    with app.app_context():
        job = db.session.scalars(select(Job).where(Job.name == "read_upload")).one()
        assert job.worker != queue.worker_name() and job.state.value == "done"  # read by the worker process
    upload = _upload(app, token)
    assert upload.state is UploadState.FAILED and upload.error in ("time", "memory")
    assert upload.seconds <= WORKER_LIMIT_SECONDS + 1.5  # killed within the limit
    assert any(m in client.get(hostile).get_data(as_text=True) for m in LIMIT_MESSAGES)

    response = _post_file(client, f"/oficinas/{workshop_id}/importar", GOOD, "relato.csv")
    token = response.headers["Location"].rsplit("/", 1)[1]
    wait_for(lambda: _upload(app, token).state is not UploadState.QUEUED, 60)
    with app.app_context():
        job = db.session.scalars(select(Job).where(Job.name == "read_upload").order_by(Job.id.desc())).first()
        assert job.worker != queue.worker_name()  # read by the worker process, not here
    assert "2 contribuições prontas para importar" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert client.post(response.headers["Location"], data={}).status_code == 303
    assert _count(app, Contribution, workshop_id=workshop_id) == 2


def test_deleting_an_account_deletes_its_uploads(app, facilitator, workshop_id):
    with app.app_context():
        from consulta.auth.services import delete_account
        from consulta.models import User

        db.session.add(Upload(user_id=facilitator.id, purpose=UploadPurpose.WORKSHOP_ATTENDEES,
                              target_id=workshop_id, content=b"nome\nAna Souza"))
        db.session.commit()
        delete_account(db.session.get(User, facilitator.id))
        db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(Upload)) == 0



def test_a_word_document_bomb_ends_with_the_limit_message(make_app, create_user, create_consultation):
    from tests.test_draft_corpus import build_docx

    paragraph = b"<w:p><w:r><w:t>" + b"palavra " * 1000 + b"</w:t></w:r></w:p>"
    body = (b'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
            b'wordprocessingml/2006/main"><w:body>' + paragraph * 30_000 + b"</w:body></w:document>")
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(build_docx())) as old, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            new.writestr(info.filename, body if info.filename == "word/document.xml" else old.read(info.filename))
    assert len(out.getvalue()) < 2 * 1024 * 1024  # under the importer's own 2 MB limit
    app = make_app(**LIMITS)
    client = app.test_client()
    _login(client, create_user("admin"))
    consultation = create_consultation("draft", text="")
    response = _post_file(client, f"/admin/consultas/{consultation.slug}/importar", out.getvalue(), "decreto.docx")
    assert response.status_code == 303
    page = client.get(response.headers["Location"])
    assert page.status_code == 422
    text = page.get_data(as_text=True)
    assert "O documento excedeu o limite de" in text and "Nada foi salvo" in text
    upload = _upload(app, response.headers["Location"].rsplit("/", 1)[1])
    assert upload.content is None and upload.seconds <= LIMIT_SECONDS + 1.5
