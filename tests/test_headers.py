"""Response headers: private, no-store unless a view marks the answer public; one charset on downloads."""

import re

import pytest

from consulta.extensions import db
from consulta.models import Article, Consultation, Section, Workshop
from tests.conftest import PASSWORD
from tests.test_insights_downloads import world  # noqa: F401  (the finished analysis run and its data)

ROLES = [None, "participant", "facilitator", "moderator", "analyst", "admin"]
# Answers that do not depend on the session and say so: public pages for anonymous readers, the API,
# open data of a public consultation, the municipality list and static files.
PUBLIC_ENDPOINTS = {
    "consultations.home", "consultations.consultation", "consultations.article", "consultations.section",
    "consultations.full_text", "participation.contribution_page", "workshops.consultation_workshops",
    "results.consultation_results", "workshops.municipality_options", "static", "api.index",
    "api.consultations", "api.consultation", "api.articles", "api.article", "api.contributions",
    "api.sections", "api.tallies", "api.openapi_document", "results.opendata_contributions",
    "results.opendata_states", "results.opendata_workshops", "results.opendata_sectors",
    "results.opendata_text", "results.opendata_votes", "results.opendata_votes_by_level",
    "versions.comparison", "versions.article_changes", "versions.devolutiva", "versions.comparison_xlsx",
    "versions.comparison_json", "versions.devolutiva_xlsx", "search.search",
    "api_docs.documentation", "results.catalogue_json", "results.consultation_catalogue", "share.consultation_image",
    "share.article_image", "share.results_image",
}
STAFF_DOWNLOADS = {"insights.download_xlsx", "insights.download_clusters_csv", "insights.download_contributions_csv",
                   "insights.download_campaigns_csv", "insights.download_json", "insights.report",
                   "insights.response_report", "auth.my_data", "workshops.input_template",
                   "workshops.attendee_template"}


def _values(app, data) -> dict[str, list[str]]:
    with app.app_context():
        consultation = db.session.get(Consultation, data["consultation_id"])
        article = db.session.scalars(db.select(Article).where(Article.consultation_id == consultation.id)).first()
        section = db.session.scalars(db.select(Section).where(Section.consultation_id == consultation.id)).first()
        workshop = db.session.scalars(db.select(Workshop)).first()
        return {"slug": [consultation.slug], "article_id": [str(article.id)], "section_id": [str(section.id)],
                "run_id": [str(data["run"])], "workshop_id": [str(workshop.id)],
                "contribution_id": [str(data["ids"][0])], "fmt": ["csv", "json"], "extension": ["csv", "xlsx"],
                "uf": ["AM"], "filename": ["css/app.css"]}


def _urls(app, values):
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods:
            continue
        combos = [{}]
        for name in rule.arguments:  # an argument without a sample value gets "1" (an id, most likely)
            combos = [{**combo, name: value} for combo in combos for value in values.get(name, ["1"])]
        for combo in combos:
            url = rule.rule
            for name, value in combo.items():
                url = re.sub(rf"<(?:[^<>]+:)?{name}>", value, url)
            yield rule.endpoint, url


@pytest.mark.parametrize("role", ROLES)
def test_every_answer_not_marked_public_is_private_no_store(app, client, create_user, world, role):  # noqa: F811
    """Walk every GET route of the URL map as `role`: each 2xx answer is public by design or private, no-store."""
    if role:
        user = create_user(role, email=f"{role}-headers@exemplo.com.br")
        assert client.post("/entrar", data={"email": user.email, "password": PASSWORD}).status_code == 303
    answered, problems = set(), []
    for endpoint, url in _urls(app, _values(app, world)):
        response = client.get(url)
        response.get_data()  # run streamed bodies to the end inside their request context
        response.close()
        if not 200 <= response.status_code < 300:
            continue
        answered.add(endpoint)
        cache_control = response.headers.get("Cache-Control", "")
        if "public" in cache_control and endpoint in PUBLIC_ENDPOINTS:
            continue
        if cache_control != "private, no-store" or "Cookie" not in response.headers.get("Vary", ""):
            problems.append(f"{url}: Cache-Control {cache_control!r}, Vary {response.headers.get('Vary')!r}")
    assert not problems
    assert len(answered) >= 20
    if role == "admin":
        assert answered >= STAFF_DOWNLOADS, STAFF_DOWNLOADS - answered
        assert {"moderation.queue", "admin.users", "insights.response_desk", "ops.admin_health"} <= answered


def test_logged_in_reader_gets_public_pages_private(app, client, create_user, create_consultation):
    consultation = create_consultation("open")
    client.post("/entrar", data={"email": create_user().email, "password": PASSWORD})
    response = client.get(f"/consultas/{consultation.slug}")
    assert response.headers["Cache-Control"] == "private, no-store"
    anonymous = app.test_client().get(f"/consultas/{consultation.slug}")
    assert anonymous.headers["Cache-Control"] == f"public, max-age={app.config['HTTP_CACHE_SECONDS']}"


def test_csv_downloads_carry_one_charset(app, client, create_user, world):  # noqa: F811
    with app.app_context():
        slug = db.session.get(Consultation, world["consultation_id"]).slug
        workshop_id = db.session.scalars(db.select(Workshop.id)).first()
    public = client.get(f"/consultas/{slug}/dados/contribuicoes.csv")
    public.get_data()
    assert public.headers["Content-Type"] == "text/csv; charset=utf-8"
    admin = create_user("admin")
    client.post("/entrar", data={"email": admin.email, "password": PASSWORD})
    for url in (f"/analise/execucoes/{world['run']}/clusters.csv", f"/oficinas/{workshop_id}/relato/modelo.csv",
                f"/oficinas/{workshop_id}/presenca/modelo.csv"):
        response = client.get(url)
        response.get_data()
        assert response.status_code == 200, url
        assert response.headers["Content-Type"] == "text/csv; charset=utf-8", url
        assert response.headers["Cache-Control"] == "private, no-store", url
    assert client.get("/conta/meus-dados.json").headers["Content-Type"] == "application/json; charset=utf-8"


def test_content_security_policy_enforces_trusted_types_and_names_its_report_endpoint(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "require-trusted-types-for 'script'" in csp and "trusted-types default" in csp
    assert "img-src 'self';" in csp  # no data: images
    assert "report-uri /csp-relatorio" in csp and "report-to csp" in csp
    assert response.headers["Reporting-Endpoints"] == 'csp="http://localhost/csp-relatorio"'
