"""Known XSS payloads, posted as real contributions, replies, proposed wording and author names, rendered by
the real article page: no active content survives (script, handlers, javascript: URLs, hx-*, style...)."""

from pathlib import Path

from sqlalchemy import select

from consulta.extensions import db
from consulta.models import Article, ArticleKind, Consultation, ContributionKind, Stance, User
from consulta.participation import services
from tests.xss import active_content_between

PAYLOADS = [
    line for line in (Path(__file__).parent / "data" / "xss_payloads.txt").read_text(encoding="utf-8").split("\n")
    if line.strip() and not line.startswith("#")
]
LOAD_MORE = ("a", {"class": None, "href": None, "hx-get": None, "hx-target": None, "hx-swap": None,
                   "hx-push-url": None})


def test_corpus_is_large_enough():
    assert len(PAYLOADS) >= 200


def test_no_payload_survives_the_article_page(app, client, create_user, create_consultation):
    consultation = create_consultation("open")
    user_ids = [create_user(name=payload[:120], email=f"xss{n}@exemplo.com.br").id for n, payload in enumerate(PAYLOADS)]
    with app.app_context():
        article_id = db.session.scalar(
            select(Article.id).join(Consultation).where(Consultation.slug == consultation.slug,
                                                        Article.kind == ArticleKind.ARTICLE).limit(1)
        )
        users = {n: db.session.get(User, user_id) for n, user_id in enumerate(user_ids)}
        for n, payload in enumerate(PAYLOADS):
            contribution, _ = services.contribute(
                users[n], article=db.session.get(Article, article_id), kind=ContributionKind.NEW_WORDING,
                stance=Stance.PARTLY, body=payload, proposed_text=payload,
            )
            if n % 4 == 0:
                services.reply(users[(n + 1) % len(PAYLOADS)], contribution, payload)
        db.session.commit()

    pages = (len(PAYLOADS) + 19) // 20
    seen = 0
    for page in range(1, pages + 1):
        html = client.get(f"/consultas/{consultation.slug}/artigos/{article_id}?pagina={page}").get_data(as_text=True)
        seen += html.count('class="contribution"')
        findings = active_content_between(html, '<div id="lista-contribuicoes" class="contribution-list">',
                                          '<nav class="pager"', allowed=[LOAD_MORE])
        assert findings == [], f"page {page}: {findings[:5]}"
    assert seen == len(PAYLOADS)
