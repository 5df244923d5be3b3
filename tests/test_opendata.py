"""Open data downloads: text, contributions, votes and workshops in CSV and JSON, streamed, without personal data."""

import csv
import io
import json
import random
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from analysis import mask_personal_data
from consulta import privacy
from consulta.extensions import db
from consulta.models import (
    AccountKind,
    Article,
    Attendee,
    Channel,
    Consultation,
    Contribution,
    ResponseStatus,
    Section,
    Sector,
    User,
    Visibility,
    Workshop,
    WorkshopAttendance,
    WorkshopFormat,
    WorkshopStatus,
)
from consulta.privacy import public_id, public_pseudonym
from consulta.results import opendata

DAY = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)  # 23:00 of 9 March in Brasília
SECRET_NAME = "Zuleica Tavares Quintanilha"
SECRET_EMAIL = "zuleica.quintanilha@exemplo.com.br"
CPF = "123.456.789-09"
ATTENDEE_NAME = "Genoveva Attendeira"
DATASETS = ["texto", "contribuicoes", "votos", "oficinas", "estados", "setores"]


def _url(slug: str, dataset: str, fmt: str) -> str:
    return f"/consultas/{slug}/dados/{dataset}.{fmt}"


def _rows(response, fmt: str) -> list[dict]:
    assert response.status_code == 200
    assert response.is_streamed
    assert response.headers["Content-Disposition"].startswith("attachment;")
    data = response.get_data()
    if fmt == "json":
        assert response.mimetype == "application/json"
        return json.loads(data.decode("utf-8"))
    assert response.mimetype == "text/csv"
    assert data.startswith(b"\xef\xbb\xbf")  # utf-8-sig
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


@pytest.fixture
def seeded(app, create_consultation):
    """Authors (a person with a distinctive name, an organization), a workshop, hidden and withdrawn input."""
    consultation = create_consultation("open")
    with app.app_context():
        c = db.session.scalar(select(Consultation).where(Consultation.slug == consultation.slug))
        articles = db.session.scalars(select(Article).where(Article.consultation_id == c.id)
                                      .order_by(Article.position)).all()
        person = User(email=SECRET_EMAIL, display_name=SECRET_NAME, uf="RJ", sector=Sector.CITIZEN)
        org = User(email="contato@instituto.org.br", display_name="Instituto Aberto", kind=AccountKind.ORGANIZATION,
                   cnpj="11222333000181", uf="SP")
        facilitator = User(email="facilita@exemplo.com.br", display_name="Facilitadora Secreta", uf="BA")
        db.session.add_all([person, org, facilitator])
        db.session.flush()
        workshop = Workshop(consultation_id=c.id, facilitator_id=facilitator.id, title="Oficina X",
                            format=WorkshopFormat.IN_PERSON, starts_at=DAY, uf="BA", municipality_code="2927408",
                            municipality_name="Salvador", status=WorkshopStatus.HELD, attendance_total=30)
        db.session.add(workshop)
        db.session.flush()
        db.session.add_all([WorkshopAttendance(workshop_id=workshop.id, sector=Sector.CITIZEN, count=20),
                            WorkshopAttendance(workshop_id=workshop.id, sector=Sector.PRIVATE, count=10),
                            Attendee(workshop_id=workshop.id, name=ATTENDEE_NAME, sector=Sector.CITIZEN)])

        def add(author, body, **kwargs):
            item = Contribution(consultation_id=c.id, article_id=articles[0].id, author_id=author.id, body=body,
                                created_at=DAY, **kwargs)
            db.session.add(item)
            db.session.flush()
            return item

        first = add(person, f"Meu CPF é {CPF} e meu e-mail {SECRET_EMAIL}.", response_status=ResponseStatus.ACCEPTED,
                    response_text="Acolhida no texto final.")
        add(org, "Resposta da organização.", parent_id=first.id)
        add(facilitator, "Proposta da oficina.", channel=Channel.WORKSHOP, workshop_id=workshop.id)
        add(person, "Contribuição escondida.", visibility=Visibility.HIDDEN)
        add(person, "Contribuição retirada.", visibility=Visibility.WITHDRAWN)
        recs = [a for a in articles if a.accepts_votes]
        recs[0].votes_agree, recs[0].votes_disagree, recs[0].votes_abstain = 7, 2, 1
        db.session.commit()
        return {"slug": c.slug, "person": person.id, "first": first.id, "workshop": workshop.id,
                "articles": len(articles), "sections": db.session.query(Section).filter_by(consultation_id=c.id)
                .count(), "recs": [(r.id, r.label) for r in recs]}


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_text(client, seeded, fmt):
    rows = _rows(client.get(_url(seeded["slug"], "texto", fmt)), fmt)
    assert sum(r["registro"] == "secao" for r in rows) == seeded["sections"]
    articles = [r for r in rows if r["registro"] == "artigo"]
    assert len(articles) == seeded["articles"]
    assert articles[0]["rotulo"] == "Art. 1º" and "Estratégia de teste" in articles[0]["texto"]
    assert all(r["secao_id"] not in (None, "") for r in articles)


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_contributions(app, client, seeded, fmt):
    rows = _rows(client.get(_url(seeded["slug"], "contribuicoes", fmt)), fmt)
    texts = [r["texto"] for r in rows]
    assert len(rows) == 3  # hidden and withdrawn are absent
    assert not any("escondida" in t or "retirada" in t for t in texts)
    by_kind = {r["autor_tipo"]: r for r in rows}
    with app.app_context():
        assert by_kind["pessoa"]["autor"] == public_pseudonym(seeded["person"])
    person = by_kind["pessoa"]
    assert person["uf"] in (None, "")  # never the profile's UF
    assert person["devolutiva_status"] == "accepted" and person["devolutiva_texto"] == "Acolhida no texto final."
    assert CPF not in person["texto"] and "@" not in person["texto"]
    reply = by_kind["organizacao"]
    with app.app_context():
        assert reply["autor"] == "Instituto Aberto" and reply["resposta_a"] == public_id(seeded["first"])
    workshop = by_kind["oficina"]
    assert (workshop["autor"], workshop["uf"], workshop["canal"]) == ("Oficina de Salvador/BA", "BA", "workshop")
    assert {r["data"] for r in rows} == {"2026-03-09"}  # Brasília date, no time


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_votes(client, seeded, fmt):
    rows = _rows(client.get(_url(seeded["slug"], "votos", fmt)), fmt)
    assert [(int(r["artigo_id"]), r["artigo"]) for r in rows] == seeded["recs"]
    first = rows[0]
    assert [int(first[k]) for k in ("concordo", "discordo", "abstencao", "total")] == [7, 2, 1, 10]
    assert all(int(r["total"]) == 0 for r in rows[1:])


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_workshops(client, seeded, fmt):
    rows = _rows(client.get(_url(seeded["slug"], "oficinas", fmt)), fmt)
    assert len(rows) == 1
    w = rows[0]
    assert (w["uf"], w["municipio"], w["formato"], w["situacao"]) == ("BA", "Salvador", "in_person", "held")
    assert w["data"] == "2026-03-09"
    assert int(w["publico_total"]) == 30
    assert int(w["publico_cidadao"]) == 20 and int(w["publico_setor_privado"]) == 10
    assert w["publico_academia"] in (None, "")


@pytest.mark.parametrize("dataset", DATASETS)
@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_no_personal_data_anywhere(client, seeded, dataset, fmt):
    data = client.get(_url(seeded["slug"], dataset, fmt)).get_data()
    for secret in (SECRET_NAME, SECRET_EMAIL, CPF, "12345678909", "Facilitadora Secreta", ATTENDEE_NAME,
                   "facilita@exemplo.com.br", "contato@instituto.org.br"):
        assert secret.encode() not in data, (dataset, secret)
    assert b"T02:00" not in data and b"2026-03-10" not in data  # dates only, in Brasília


@pytest.mark.parametrize("dataset", DATASETS)
def test_draft_is_404_for_anonymous_and_visible_to_analysts(client, auth, create_user, create_consultation,
                                                            dataset):
    draft = create_consultation("draft")
    assert client.get(_url(draft.slug, dataset, "csv")).status_code == 404
    assert client.get(_url(draft.slug, dataset, "json")).status_code == 404
    assert client.get(_url("nao-existe", dataset, "json")).status_code == 404
    auth.login(create_user("analyst"))
    response = client.get(_url(draft.slug, dataset, "json"))
    assert response.status_code == 200 and isinstance(json.loads(response.get_data()), list)


def test_unknown_format_is_404(client, seeded):
    assert client.get(_url(seeded["slug"], "votos", "xml")).status_code == 404


def test_results_page_links_the_files(client, seeded):
    html = client.get(f"/consultas/{seeded['slug']}/resultados").get_data(as_text=True)
    assert "Dados abertos" in html
    for dataset in DATASETS:
        for fmt in ("csv", "json"):
            assert _url(seeded["slug"], dataset, fmt) in html


def test_files_are_the_same_whatever_the_chunk_size(client, seeded, monkeypatch):
    whole = {fmt: client.get(_url(seeded["slug"], "contribuicoes", fmt)).get_data() for fmt in ("csv", "json")}
    monkeypatch.setattr(opendata, "FLUSH_EVERY", 1)
    for fmt, data in whole.items():
        response = client.get(_url(seeded["slug"], "contribuicoes", fmt))
        assert len(list(response.response)) >= 3  # streamed in several chunks
        assert client.get(_url(seeded["slug"], "contribuicoes", fmt)).get_data() == data


def expected_contribution_rows(app, seeded) -> list[dict]:
    """The contributions file of `seeded`, written out by hand from what the fixture stored (not by the app)."""
    with app.app_context():
        ids = list(db.session.scalars(select(Contribution.id).where(Contribution.visibility == Visibility.VISIBLE)
                                      .order_by(Contribution.id)))
        article = db.session.scalar(select(Article).join(Consultation).where(Consultation.slug == seeded["slug"])
                                    .order_by(Article.position))
        person = public_pseudonym(seeded["person"])
        first, reply, workshop = (public_id(n) for n in ids)
    common = {"artigo_id": article.id, "artigo": article.label, "parte": None, "tipo": "comment",
              "posicionamento": "none",
              "uf": None, "data": "2026-03-09", "texto_proposto": None, "devolutiva_status": None,
              "devolutiva_texto": None}
    return [
        {**common, "id": first, "resposta_a": None, "canal": "online", "autor_tipo": "pessoa", "autor": person,
         "texto": "Meu CPF é [CPF] e meu e-mail [e-mail].", "devolutiva_status": "accepted",
         "devolutiva_texto": "Acolhida no texto final."},
        {**common, "id": reply, "resposta_a": first, "canal": "online", "autor_tipo": "organizacao",
         "autor": "Instituto Aberto", "texto": "Resposta da organização."},
        {**common, "id": workshop, "resposta_a": None, "canal": "workshop", "autor_tipo": "oficina",
         "autor": "Oficina de Salvador/BA", "uf": "BA", "texto": "Proposta da oficina."},
    ]


def test_contribution_files_hold_exactly_the_expected_rows(app, client, seeded):
    """Both formats against rows built independently in the test: a bug in row building fails both."""
    expected = expected_contribution_rows(app, seeded)
    as_json = _rows(client.get(_url(seeded["slug"], "contribuicoes", "json")), "json")
    assert as_json == expected
    assert list(as_json[0]) == opendata.CONTRIBUTION_FIELDS
    as_csv = _rows(client.get(_url(seeded["slug"], "contribuicoes", "csv")), "csv")
    assert as_csv == [{k: "" if v is None else str(v) for k, v in row.items()} for row in expected]
    raw = client.get(_url(seeded["slug"], "contribuicoes", "csv")).get_data().decode("utf-8-sig")
    assert raw.startswith(",".join(opendata.CONTRIBUTION_FIELDS) + "\r\n") and raw.endswith("\r\n")


def test_a_person_keeps_one_pseudonym_across_contributions(app, client, seeded):
    with app.app_context():
        first = db.session.get(Contribution, seeded["first"])
        db.session.add(Contribution(consultation_id=first.consultation_id, article_id=first.article_id,
                                    author_id=seeded["person"], body="Outra contribuição.", created_at=DAY))
        db.session.commit()
        expected = public_pseudonym(seeded["person"])
    rows = _rows(client.get(_url(seeded["slug"], "contribuicoes", "json")), "json")
    assert [r["autor"] for r in rows if r["autor_tipo"] == "pessoa"] == [expected, expected]


# -- the masking pre-check -------------------------------------------------------------------------------

# `masked` skips mask_personal_data when a text has no "@" and no digit run shaped like the end of a CPF,
# CNPJ or phone number. Whatever the masking patterns become, the fast path must give the same answer:
# checked on tricky texts, on random strings and by Hypothesis over texts shaped like personal data.
TRICKY_TEXTS = [
    "", "sem números", "Art. 5º", "antes de 2027", "2024-2028", "2024–2027", "Lei nº 13.709/2018",
    "www.planalto.gov.br/ccivil_03/leis/l13709.htm", "CEP 70040-010", "R$ 1.234,56", "processo 12345",
    "meu CPF 123.456.789-09", "cpf 12345678909", "CNPJ 11.222.333/0001-81", "cnpj 11222333000181",
    "12.ABC.345/01DE-35", "12ABC34501DE35", "ABCDEFGHIJKL-12", "abcdefghijkl12", "ſſſſſſſſſſſſ-12",
    "KKKK12", "(61) 99999-9999", "(61)99999-9999", "+55 61 3333-4444", "61999999999", "61 3333 4444",
    "9 9999-9999", "99999.9999", "1234 5678", "1234.5678", "1234-5678", "abc-12", "abc12", "ab-12",
    "contato: ana@exemplo.com.br", "@ sozinho", "١٢٣.٤٥٦.٧٨٩-٠٩", "١٢٣٤٥٦٧٨٩٠٩", "１２３４５６７８９０９",
    "telefone 61 9 8765 4321\nCPF 529.982.247-25\r\nfim", "x" * 5000 + "123.456.789-09",
]


PIECES = ["123.456.789-09", "12345678909", "11.222.333/0001-81", "12.ABC.345/01DE-35", "(61) 99999-9999",
          "+55 61 3333-4444", "9 9999-9999", "ana@exemplo.com.br", "a@b", "2024–2027", "Lei 13.709/2018", "º",
          "R$ 1.234,56", "ſ", "İ", "١٢٣", "１２３"]


@given(st.lists(st.one_of(st.sampled_from(PIECES), st.text(alphabet="0123456789 .-/()+@\nabcXYZº", max_size=12)),
                max_size=6))
@settings(max_examples=400, deadline=None, derandomize=True)
def test_masked_equals_mask_personal_data_on_texts_shaped_like_personal_data(pieces):
    text = "".join(pieces)
    assert privacy.masked(text) == mask_personal_data(text)


@pytest.mark.parametrize("text", TRICKY_TEXTS)
def test_masked_equals_mask_personal_data_on_tricky_texts(text):
    assert privacy.masked(text) == mask_personal_data(text)


def test_masked_equals_mask_personal_data_on_random_texts():
    rng = random.Random(6)
    alphabet = "0123456789" * 6 + "٣٤" + "abcXYZ" + "ſKİı" + " .-/()+@\n" + "—º"
    changed = skipped = 0
    for _ in range(20_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 40)))
        expected = mask_personal_data(text)
        assert privacy.masked(text) == expected, text
        changed += expected != text
        skipped += "@" not in text and privacy._MAYBE_NUMBER_RE.search(text) is None
    assert changed > 300 and skipped > 1000  # both the masking and the fast path were exercised


def test_masked_skips_the_regexes_for_plain_text(monkeypatch):
    monkeypatch.setattr(privacy, "mask_personal_data", lambda text: pytest.fail("masking ran"))
    for text in ("Concordo com a proposta antes de 2027.", "Art. 5º, Lei 13.709/2018", "2024–2028"):
        assert privacy.masked(text) == text


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_participation_by_state_and_sector_suppresses_small_cells(client, seeded, fmt):
    """One online author in RJ is "<5"; the 30 attendees of the workshop in BA are published as they are."""
    states = _rows(client.get(_url(seeded["slug"], "estados", fmt)), fmt)
    assert len(states) == 27 + 1 and states[-1]["estado"] == "Sem estado informado"
    by_uf = {r["uf"]: {k: str(v) for k, v in r.items()} for r in states}
    assert (by_uf["RJ"]["participantes_online"], by_uf["RJ"]["total"], by_uf["RJ"]["regiao"]) == ("<5", "<5", "Sudeste")
    assert (by_uf["BA"]["publico_oficinas"], by_uf["BA"]["total"], by_uf["BA"]["oficinas"]) == ("30", "30", "1")
    assert (by_uf["SP"]["participantes_online"], by_uf["SP"]["estado"]) == ("0", "São Paulo")
    sectors = {r["setor"]: {k: str(v) for k, v in r.items()} for r in _rows(
        client.get(_url(seeded["slug"], "setores", fmt)), fmt)}
    citizens = sectors["cidadao"]
    assert (citizens["setor_nome"], citizens["participantes_online"], citizens["publico_oficinas"],
            citizens["total"]) == ("Cidadão ou cidadã", "<5", "20", "21")
    assert sectors["nao-informado"]["total"] == "0"


def test_workshop_sectors_under_five_are_suppressed_for_the_public(app, client, seeded, auth, create_user):
    with app.app_context():
        db.session.add(WorkshopAttendance(workshop_id=seeded["workshop"], sector=Sector.ACADEMIA, count=3))
        db.session.commit()
    rows = _rows(client.get(_url(seeded["slug"], "oficinas", "json")), "json")
    assert (rows[0]["publico_academia"], rows[0]["publico_cidadao"]) == ("<5", 20)
    page = client.get(f"/oficinas/{seeded['workshop']}").get_data(as_text=True)
    assert "<td>&lt;5</td>" in page and "<td>3</td>" not in page
    auth.login(create_user("admin"))
    assert "<td>3</td>" in client.get(f"/oficinas/{seeded['workshop']}").get_data(as_text=True)


def test_public_files_are_cacheable_and_drafts_are_private(client, seeded, auth, create_user, create_consultation):
    response = client.get(_url(seeded["slug"], "votos", "csv"))
    assert "public" in response.headers["Cache-Control"] and "max-age" in response.headers["Cache-Control"]
    response.close()  # a streamed answer keeps its request context until closed
    draft = create_consultation("draft")
    auth.login(create_user("admin"))
    response = client.get(_url(draft.slug, "votos", "csv"))
    assert response.status_code == 200 and "private" in response.headers["Cache-Control"]
