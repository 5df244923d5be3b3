"""Open data and the API identify contributions and persons by keyed ids that the HTML pages never show."""

import json
import re

from consulta.extensions import db
from consulta.insights.runs import pseudonym
from consulta.models import Article
from consulta.privacy import public_id


def test_open_data_ids_are_not_the_page_anchors_nor_the_report_pseudonyms(app, client, auth, create_user,
                                                                         create_consultation):
    consultation = create_consultation("open")
    with app.app_context():
        article_id = db.session.scalars(db.select(Article.id).where(Article.consultation_id == consultation.id)).first()
    author = create_user(name="Nome Visível")
    auth.login(author)
    for body in ("Primeira contribuição.", "Segunda contribuição."):
        client.post(f"/consultas/{consultation.slug}/artigos/{article_id}/contribuicoes",
                    data={"kind": "comment", "stance": "none", "body": body})
    auth.logout()
    page = client.get(f"/consultas/{consultation.slug}/artigos/{article_id}").get_data(as_text=True)
    anchors = set(re.findall(r'id="contribuicao-(\d+)"', page))
    assert len(anchors) == 2 and "Nome Visível" in page
    rows = json.loads(client.get(f"/consultas/{consultation.slug}/dados/contribuicoes.json").get_data())
    api = json.loads(client.get(f"/api/v1/consultations/{consultation.slug}/contributions").get_data())["data"]
    assert [r["id"] for r in rows] == [c["id"] for c in api]
    for row in rows:
        assert row["id"].startswith("c-") and row["id"].removeprefix("c-") not in anchors
        assert not any(anchor in row["id"] for anchor in anchors if len(anchor) > 2)
    with app.app_context():
        assert {r["autor"] for r in rows} != {pseudonym(author.id)}
        assert sorted(r["id"] for r in rows) == sorted(public_id(int(a)) for a in anchors)
        app.config["PUBLIC_ID_KEY"] = "another key"
        try:
            assert public_id(int(next(iter(anchors)))) not in {r["id"] for r in rows}  # keyed
        finally:
            app.config["PUBLIC_ID_KEY"] = None
