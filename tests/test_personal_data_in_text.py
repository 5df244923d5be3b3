"""Personal data typed into contributions: masked on display except for moderators; erased with the account."""

import json

from sqlalchemy import MetaData, select

from consulta.extensions import db
from consulta.models import Article, Contribution

EMAIL = "fulana.detal@exemplo.com.br"
NAME = "Fulana de Tal Pereira"
CPF = "529.982.247-25"
PHONE = "(61) 99876-5432"


def _article(app, consultation) -> int:
    with app.app_context():
        return db.session.scalars(db.select(Article.id).where(Article.consultation_id == consultation.id)
                                  .order_by(Article.position)).first()


def test_cpf_email_and_phone_are_masked_on_the_article_page_except_for_moderators(
        app, client, auth, create_user, create_consultation):
    consultation = create_consultation("open")
    article_id = _article(app, consultation)
    auth.login(create_user())
    body = f"Meu CPF é {CPF}, escrevam para {EMAIL} ou liguem {PHONE}."
    assert client.post(f"/consultas/{consultation.slug}/artigos/{article_id}/contribuicoes",
                       data={"kind": "comment", "stance": "none", "body": body}).status_code == 303
    auth.logout()
    with app.app_context():
        contribution_id = db.session.scalars(db.select(Contribution.id)).one()
    pages = [f"/consultas/{consultation.slug}/artigos/{article_id}", f"/contribuicoes/{contribution_id}"]
    for viewer in (None, create_user(), create_user("analyst")):
        if viewer:
            auth.login(viewer)
        for page in pages:
            html = client.get(page, follow_redirects=True).get_data(as_text=True)
            assert "escrevam para" in html
            for secret in (CPF, EMAIL, PHONE, "99876-5432"):
                assert secret not in html, (viewer and viewer.role, page, secret)
        if viewer:
            auth.logout()
    auth.login(create_user("moderator"))
    html = client.get(pages[0]).get_data(as_text=True)
    assert CPF in html and EMAIL in html


def _dump(app) -> str:
    """Every row of every table in the database, as text."""
    with app.app_context():
        engine = db.engine
        parts = []
        reflected = MetaData()
        reflected.reflect(engine)  # every table in the database, not only the models'
        with engine.connect() as connection:
            for table in reflected.sorted_tables:
                for row in connection.execute(select(table)):
                    parts.append(json.dumps([str(value) for value in row], ensure_ascii=False))
        return "\n".join(parts)


def test_deleting_the_account_erases_email_name_and_cpf_from_the_whole_database(
        app, client, auth, create_user, create_consultation):
    consultation = create_consultation("open")
    article_id = _article(app, consultation)
    person = create_user(email=EMAIL, name=NAME)
    other = create_user(name="Outra Pessoa")
    auth.login(other)
    client.post(f"/consultas/{consultation.slug}/artigos/{article_id}/contribuicoes",
                data={"kind": "comment", "stance": "none", "body": "Concordo com a proposta do artigo."})
    auth.logout()
    auth.login(person)
    client.post(f"/consultas/{consultation.slug}/artigos/{article_id}/contribuicoes",
                data={"kind": "comment", "stance": "none", "body": f"Sou {NAME}, CPF {CPF}, e-mail {EMAIL}."})
    with app.app_context():
        mine, theirs = (db.session.scalars(db.select(Contribution.id).where(Contribution.author_id == uid)).one()
                        for uid in (person.id, other.id))
    assert client.post(f"/contribuicoes/{mine}/editar",
                       data={"stance": "none", "body": "Texto revisto sem dados."}).status_code == 303
    assert client.post(f"/contribuicoes/{theirs}/denuncia",
                       data={"reason": "spam", "note": f"Fale comigo: {EMAIL} ({NAME}) CPF {CPF}"}).status_code < 400
    before = _dump(app)
    assert EMAIL in before and CPF in before and NAME in before  # the history and the note held them
    assert client.post("/conta/excluir", data={"password": "uma senha longa de teste", "confirm": "y"}).status_code == 303
    after = _dump(app)
    for secret in (EMAIL, NAME, CPF, "52998224725"):
        assert secret.lower() not in after.lower(), secret
    assert "Texto revisto sem dados." in after and "Concordo com a proposta" in after
