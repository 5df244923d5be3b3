"""Bad input never makes a 500: ids and page numbers through one parsing layer, NUL bytes removed, and a fuzz
of every route's path, query and form fields (schemathesis-style, bounded) on the suite's database."""

import re
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from consulta import inputs
from consulta.extensions import db
from consulta.models import Article, Audience, Consultation, Contribution, Section, User, WorkshopFormat
from consulta.workshops import services as workshop_services

NASTY = ["a\x00b", "²", "1e20", "99999999999999999999", "-1", "", "x" * 6000, "<b>'\"; --%\u202e"]
TEMPLATES = Path(__file__).parent.parent / "consulta" / "templates"
SOURCE = Path(__file__).parent.parent / "consulta"
FUZZ_SECONDS = 300  # a hard stop far above the seconds the fuzz takes (even on a loaded machine), so a hang fails


def test_page_numbers_are_ascii_digits_in_range():
    assert inputs.page_number({"pagina": "3"}) == 3
    for raw in ("²", "٣", "1e20", "99999999999999999999", "-1", "0", " 2", "2.0", "\x00"):
        assert inputs.page_number({"pagina": raw}) == 1, raw
    assert inputs.parse_id(str(2**31 - 1)) == 2**31 - 1 and inputs.parse_id(str(2**31)) is None


@pytest.mark.parametrize("url", [
    "/contribuicoes/99999999999999999999", "/contribuicoes/2147483648", "/contribuicoes/%C2%B2",
    "/consultas/%00", "/consultas/a%00b/texto", "/oficinas/99999999999999999999",
])
def test_impossible_ids_and_control_characters_in_paths_are_404(client, url):
    assert client.get(url).status_code == 404


def test_odd_page_numbers_read_as_page_one(client, auth, create_user, create_consultation):
    consultation = create_consultation("open")
    auth.login(create_user("admin"))
    for raw in ("%C2%B2", "1e20", "99999999999999999999"):
        for url in (f"/consultas/{consultation.slug}", "/admin/usuarios", "/moderacao/", "/moderacao/registro"):
            assert client.get(f"{url}?pagina={raw}").status_code < 500, (url, raw)


def test_nul_bytes_are_removed_from_form_values(app, client, auth, create_user, create_consultation):
    consultation = create_consultation("open")
    with app.app_context():
        article_id = db.session.scalars(db.select(Article.id).where(Article.consultation_id == consultation.id)).first()
    auth.login(create_user())
    response = client.post(f"/consultas/{consultation.slug}/artigos/{article_id}/contribuicoes",
                           data={"kind": "comment", "stance": "none", "body": "texto\x00 com nulo"})
    assert response.status_code == 303
    with app.app_context():
        assert db.session.scalars(db.select(Contribution.body)).one() == "texto com nulo"


def _field_names() -> list[str]:
    names = {m for path in TEMPLATES.rglob("*.html") for m in re.findall(r'name="([a-z_][\w-]*)"', path.read_text())}
    return sorted(names - {"csrf_token"})


def _query_names() -> list[str]:
    names = {"pagina", "q", "next", "cursor", "limit"}
    for path in SOURCE.rglob("*.py"):
        names |= set(re.findall(r'args(?:\.get\(|\[)"(\w+)"', path.read_text()))
    return sorted(names)


@pytest.fixture
def world(app, create_user, create_consultation):
    consultation = create_consultation("open")
    facilitator = create_user("facilitator")
    participant = create_user()
    with app.app_context():
        article = db.session.scalars(db.select(Article).where(Article.consultation_id == consultation.id)).first()
        section = db.session.scalars(db.select(Section).where(Section.consultation_id == consultation.id)).first()
        contribution = Contribution(consultation_id=consultation.id, article_id=article.id, body="Um comentário.",
                                    author_id=participant.id)
        db.session.add(contribution)
        workshop = workshop_services.create_workshop(
            db.session.get(User, facilitator.id), db.session.get(Consultation, consultation.id), title="Oficina",
            format=WorkshopFormat.IN_PERSON, starts_at=datetime(2024, 5, 10, 13, tzinfo=UTC), uf="AM",
            municipality="Manaus", venue="Teatro", audience=Audience.GENERAL)
        db.session.commit()
        return {"slug": consultation.slug, "article_id": article.id, "section_id": section.id,
                "contribution_id": contribution.id, "workshop_id": workshop.id, "user_id": participant.id,
                "run_id": 1, "fmt": "csv", "extension": "csv", "uf": "SP"}


_ARGUMENT = re.compile(r"<(?:\w+(?:\([^)]*\))?:)?(\w+)>")
SKIPPED = {"static", "auth.logout", "auth.delete_my_account"}


def test_fuzz_every_route_answers_below_500(app, client, auth, create_user, world):
    auth.login(create_user("admin"))
    fields, query = _field_names(), _query_names()
    rules = [rule for rule in app.url_map.iter_rules() if rule.endpoint not in SKIPPED]
    failures: list[str] = []
    deadline = time.monotonic() + FUZZ_SECONDS

    def probe(method: str, url: str, **kwargs) -> None:
        try:
            status = client.open(url, method=method, **kwargs).status_code
        except Exception as error:  # noqa: BLE001 - any exception is what the fuzz looks for
            failures.append(f"{method} {url!r}: {type(error).__name__}: {error}"[:300])
            return
        if status >= 500:
            failures.append(f"{method} {url!r}: {status}")

    for rule in rules:
        url = _ARGUMENT.sub(lambda m: str(world.get(m.group(1), "x")), rule.rule)
        for value in NASTY:
            assert time.monotonic() < deadline, "the fuzz took too long"
            if "GET" in rule.methods:
                probe("GET", url, query_string={name: value for name in query})
            if "POST" in rule.methods:
                probe("POST", url, data={name: value for name in fields})
        for bad in ("99999999999999999999", "%C2%B2", "%00", "0"):
            probe("GET", _ARGUMENT.sub(bad, rule.rule))
    assert not failures, "\n".join(failures)
