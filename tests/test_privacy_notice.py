"""The privacy notice names the controller and the DPO, the legal bases and retention; a new version asks consent."""

from consulta.extensions import db
from consulta.models import User


def test_privacy_notice_names_controller_dpo_bases_and_retention(make_app):
    app = make_app(PRIVACY_CONTROLLER="Ministério da Gestão e da Inovação", PRIVACY_DPO_NAME="Joana Encarregada",
                   PRIVACY_DPO_EMAIL="encarregado@gestao.gov.br")
    page = app.test_client().get("/privacidade").get_data(as_text=True)
    for expected in ("Ministério da Gestão e da Inovação", "Joana Encarregada", "encarregado@gestao.gov.br",
                     "Base legal", "art. 7º", "Listas de presença de oficinas", "endereço IP",
                     "Por quanto tempo guardamos", "6 meses"):
        assert expected in page, expected


def test_a_new_policy_version_asks_for_consent_again(make_app, create_user):
    app = make_app(PRIVACY_POLICY_VERSION="2027-01")
    user = create_user()  # consented to 2026-11
    client = app.test_client()
    client.post("/entrar", data={"email": user.email, "password": "uma senha longa de teste"})
    response = client.get("/oficinas/minhas")
    assert response.status_code == 303 and "/privacidade/consentimento" in response.headers["Location"]
    assert client.get("/conta/meus-dados.json").status_code == 200  # rights need no consent
    assert client.get("/privacidade").status_code == 200
    refused = client.post("/privacidade/consentimento?next=/oficinas/minhas", data={})
    assert refused.status_code == 422
    accepted = client.post("/privacidade/consentimento?next=/", data={"consent": "y"})
    assert accepted.status_code == 303
    with app.app_context():
        assert db.session.get(User, user.id).consent_version == "2027-01"
    assert client.get("/").status_code == 200


def test_current_consent_asks_nothing(client, auth, create_user):
    auth.login(create_user())
    assert client.get("/conta").status_code == 200
    assert client.get("/privacidade/consentimento").status_code == 303
