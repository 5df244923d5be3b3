"""Who may contribute and vote: each requirement × each kind of account, through the real routes."""

import pytest
from sqlalchemy import func, select

from consulta.extensions import db
from consulta.models import Article, Consultation, Contribution, GovbrLevel, Requirement, User, Vote, utcnow

ACCOUNTS = {
    "sem verificação": {},
    "e-mail confirmado": {"email_verified_at": True},
    "gov.br bronze": {"govbr_level": GovbrLevel.BRONZE},
    "gov.br prata": {"govbr_level": GovbrLevel.PRATA, "email_verified_at": True},
    "gov.br ouro": {"govbr_level": GovbrLevel.OURO},
}
# accounts (in the order above) each requirement lets in
LETS_IN = {
    Requirement.ANY: 5,
    Requirement.EMAIL: 4,
    Requirement.GOVBR_BRONZE: 3,
    Requirement.GOVBR_PRATA: 2,
    Requirement.GOVBR_OURO: 1,
}


@pytest.mark.parametrize("action", ["contribute", "vote"])
@pytest.mark.parametrize("account", ACCOUNTS)
@pytest.mark.parametrize("requirement", list(Requirement))
def test_requirement_decides_who_may_contribute_and_vote(app, client, auth, create_user, create_consultation,
                                                         requirement, account, action):
    user = create_user()
    consultation = create_consultation("open")
    with app.app_context():
        stored = db.session.get(User, user.id)
        for key, value in ACCOUNTS[account].items():
            setattr(stored, key, utcnow() if value is True else value)
        db.session.get(Consultation, consultation.id).requirement = requirement
        articles = db.session.scalars(select(Article).where(Article.consultation_id == consultation.id)).all()
        commented = next(a.id for a in articles if a.accepts_contributions)
        voted = next(a.id for a in articles if a.accepts_votes)
        db.session.commit()
    auth.login(user)
    if action == "contribute":
        response = client.post(f"/consultas/{consultation.slug}/artigos/{commented}/contribuicoes",
                               data={"kind": "comment", "stance": "none", "body": "Minha contribuição."})
        model = Contribution
    else:
        response = client.post(f"/consultas/{consultation.slug}/artigos/{voted}/voto", data={"value": "agree"})
        model = Vote
    allowed = list(ACCOUNTS).index(account) >= len(ACCOUNTS) - LETS_IN[requirement]
    with app.app_context():
        stored_rows = db.session.scalar(select(func.count()).select_from(model))
    assert stored_rows == (1 if allowed else 0)
    if allowed:
        assert response.status_code == 303
    else:
        assert response.status_code == 403
        assert f"é preciso: {requirement.label}" in response.get_data(as_text=True)
