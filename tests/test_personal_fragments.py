"""The article page's shared part (participation.fragments) never carries one reader's data to another (#15).

Two signed-in readers (and an anonymous one) read the same article page in turn, the second from the cache
the first filled: vote state, supports, "mine" buttons, CSRF tokens, submission keys, the name in the
header and a draft kept after a refused post must each appear only on the page of the person they belong to.
CSRF is on here, so the tokens are also checked by the server: each reader's own works, the other's does not.
"""

import re

import pytest
from sqlalchemy import event

from consulta.extensions import db
from consulta.models import (
    Article,
    Consultation,
    ContributionKind,
    FollowTarget,
    Requirement,
    Role,
    Stance,
    User,
    VoteValue,
)
from consulta.notifications import follows as follow_service
from consulta.participation import services
from tests.conftest import sign_in_with_csrf
from tests.test_participation import articles_of

LISTING = "ORDER BY contributions.created_at DESC"  # the query behind a page of contributions


@pytest.fixture
def csrf_app(make_app):
    return make_app(WTF_CSRF_ENABLED=True)


def login(client, user):
    assert sign_in_with_csrf(client, user).status_code == 303


def tokens(html):
    return re.findall(r'name="csrf_token"[^>]*value="([^"]+)"', html)


def keys(html):
    return re.findall(r'name="[^"]*submission_key"[^>]*value="([^"]+)"', html)


def pressed(html, contribution_id):
    match = re.search(rf'id="apoio-{contribution_id}"[^>]*aria-pressed="(true|false)"', html)
    return match and match.group(1)


class Listings:
    """Counts the listing queries a request runs (0 when its list came from the cache)."""

    def __init__(self, app):
        self.app, self.count = app, 0

    def __call__(self, conn, cursor, statement, parameters, context, executemany):
        self.count += LISTING in statement

    def get(self, client, url):
        self.count = 0
        with self.app.app_context():
            event.listen(db.engine, "before_cursor_execute", self)
            try:
                return client.get(url).get_data(as_text=True)
            finally:
                event.remove(db.engine, "before_cursor_execute", self)


def test_no_personal_fragment_is_shared_between_two_signed_in_readers(csrf_app, create_user, create_consultation):
    consultation = create_consultation("open")
    ana = create_user(name="Ana Leitora Um", email="ana@exemplo.com.br")
    bruno = create_user(name="Bruno Leitor Dois", email="bruno@exemplo.com.br")
    carla = create_user(name="Carla Autora", email="carla@exemplo.com.br")
    _, recs = articles_of(csrf_app, consultation.slug)
    with csrf_app.test_request_context():
        article = db.session.get(Article, recs[0])
        assert article.accepts_votes and article.accepts_contributions
        by_bruno, _ = services.contribute(db.session.get(User, bruno.id), article=article, kind=ContributionKind.COMMENT,
                                          stance=Stance.AGREE, body="Texto do Bruno.")
        by_carla, _ = services.contribute(db.session.get(User, carla.id), article=article,
                                          kind=ContributionKind.COMMENT, stance=Stance.DISAGREE, body="Texto da Carla.")
        services.set_support(db.session.get(User, ana.id), by_carla, True)
        services.cast_vote(db.session.get(User, ana.id), article, VoteValue.AGREE)
        db.session.commit()
        bruno_id, carla_id = by_bruno.id, by_carla.id
    url = f"/consultas/{consultation.slug}/artigos/{recs[0]}"
    listings = Listings(csrf_app)
    a, b, anonymous = csrf_app.test_client(), csrf_app.test_client(), csrf_app.test_client()
    login(a, ana)
    login(b, bruno)

    page_a = listings.get(a, url)
    assert listings.count == 1  # Ana's request filled the cache...
    # Ana keeps a draft: a new wording without the proposed text is refused and shown back to her only.
    draft = "Rascunho secreto da Ana"
    refused = a.post(f"{url}/contribuicoes", data={
        "csrf_token": tokens(page_a)[0], "kind": "new_wording", "stance": "agree",
        "body": draft, "submission_key": "chave-da-ana"})
    assert refused.status_code == 422 and draft in refused.get_data(as_text=True)
    page_b = listings.get(b, url)
    assert listings.count == 0  # ...and Bruno's list came from it
    page_anonymous = listings.get(anonymous, url)  # another kind of reader: its own entry
    page_a_again = listings.get(a, url)
    assert listings.count == 0

    for page in (page_a, page_b, page_anonymous, page_a_again):
        assert "Texto do Bruno." in page and "Texto da Carla." in page
        assert draft not in page and "chave-da-ana" not in page

    # Ana's name: greeted on her first page after signing in (a flash message), on nobody else's
    assert "Olá, Ana Leitora Um" in page_a
    for page in (page_b, page_anonymous, page_a_again):
        assert "Ana Leitora Um" not in page and "ana@exemplo.com.br" not in page
    # The vote
    assert "Seu voto: <strong>Concordo" in page_a and "Seu voto" in page_a_again
    assert "Seu voto" not in page_b and "Seu voto" not in page_anonymous
    # Supports: Ana supports Carla's contribution; Bruno does not
    assert pressed(page_a, carla_id) == pressed(page_a_again, carla_id) == "true"
    assert pressed(page_b, carla_id) == "false"
    assert pressed(page_anonymous, carla_id) is None
    # Mine: Bruno's own contribution has his withdraw button, no support button; for Ana it is the other way
    withdraw = f"/contribuicoes/{bruno_id}/retirar"
    assert withdraw in page_b and pressed(page_b, bruno_id) is None
    assert withdraw not in page_a and withdraw not in page_a_again and pressed(page_a, bruno_id) == "false"
    assert withdraw not in page_anonymous
    # CSRF tokens: each reader's own, none shared, none for the anonymous reader
    assert tokens(page_a) and tokens(page_b) and not tokens(page_anonymous)
    assert not set(tokens(page_a)) & set(tokens(page_b))
    assert not set(tokens(page_a_again)) & set(tokens(page_b))
    # Submission keys: fresh for every form of every page
    every_key = keys(page_a) + keys(page_b) + keys(page_a_again)
    assert keys(page_a) and keys(page_b) and len(every_key) == len(set(every_key))

    # The server agrees: Bruno's token from his page works for him; one from Ana's page does not.
    support = f"/contribuicoes/{carla_id}/apoio"
    stolen = b.post(support, data={"csrf_token": tokens(page_a)[-1], "support": "1"})
    assert stolen.status_code == 400
    own = b.post(support, data={"csrf_token": tokens(page_b)[-1], "support": "1"})
    assert own.status_code == 303

    # Bruno's support moved the article's version: both readers see the new count, each with their own state.
    page_a_after = listings.get(a, url)
    assert listings.count == 1
    page_b_after = listings.get(b, url)
    assert listings.count == 0
    assert pressed(page_a_after, carla_id) == pressed(page_b_after, carla_id) == "true"
    assert "(2<span" in page_a_after.split(f'id="apoio-{carla_id}"')[1][:400]


class Statements(Listings):
    """Counts the statements a request runs that read the article's statistics (none when the page came
    from the cache of pages)."""

    def __call__(self, conn, cursor, statement, parameters, context, executemany):
        self.count += "count(distinct" in statement.lower()


def follows(html, article_id):
    match = re.search(rf'id="seguir-article-{article_id}".*?aria-pressed="(true|false)"', html, re.S)
    return match and match.group(1)


def test_the_whole_page_is_cached_per_kind_of_reader_and_filled_per_reader(csrf_app, create_user,
                                                                           create_consultation):
    """The page around the list (participation.page.article_page): the follow button, the vote panel, the
    role's menu and what the gate says are each the reader's own, though the page is rendered once."""
    consultation = create_consultation("open")
    ana = create_user(email="ana@exemplo.com.br")
    bruno = create_user(email="bruno@exemplo.com.br")
    admin = create_user(Role.ADMIN, email="admin@exemplo.com.br")
    unverified = create_user(email="sem-verificacao@exemplo.com.br")
    _, recs = articles_of(csrf_app, consultation.slug)
    with csrf_app.test_request_context():
        article = db.session.get(Article, recs[0])
        follow_service.set_follow(db.session.get(User, ana.id), FollowTarget.ARTICLE, article.id,
                                  article.consultation, True)
        services.cast_vote(db.session.get(User, ana.id), article, VoteValue.DISAGREE)
        db.session.commit()
    url = f"/consultas/{consultation.slug}/artigos/{recs[0]}"
    statements = Statements(csrf_app)
    clients = {name: csrf_app.test_client() for name in ("ana", "bruno", "admin", "unverified")}
    for name, user in (("ana", ana), ("bruno", bruno), ("admin", admin), ("unverified", unverified)):
        login(clients[name], user)
        clients[name].get(url)  # the greeting after signing in is a flash: that page is not cached
    page_a = statements.get(clients["ana"], url)
    assert statements.count == 1  # rendered once...
    page_b = statements.get(clients["bruno"], url)
    assert statements.count == 0  # ...and served from the cache to another participant
    page_admin = statements.get(clients["admin"], url)
    assert statements.count == 1  # another kind of reader: the admin menu is not a participant's

    for page in (page_a, page_b, page_admin):
        assert "\x1f" not in page and 'value="csrf"' not in page  # every marker filled
    assert follows(page_a, recs[0]) == "true" and follows(page_b, recs[0]) == "false"
    assert "Seu voto: <strong>Discordo" in page_a and "Seu voto" not in page_b
    assert "/admin" in page_admin and "/admin" not in page_a and "/admin" not in page_b
    assert not set(tokens(page_a)) & set(tokens(page_b))
    assert keys(page_a) and not set(keys(page_a)) & set(keys(page_b))

    # A vote moves the tallies, not the page's version: the next page shows them, from the same cached page.
    vote = clients["bruno"].post(f"{url}/voto", data={"csrf_token": tokens(page_b)[0], "value": "agree"})
    assert vote.status_code == 303
    clients["bruno"].get(url)  # "Voto registrado": a flash, rendered in full
    page_b = statements.get(clients["bruno"], url)
    assert statements.count == 0
    assert "Seu voto: <strong>Concordo" in page_b
    assert re.search(r'<th scope="row">Concordo</th>\s*<td class="tally__count">1</td>', page_b)

    # The gate's answer is part of the key: a reader the consultation refuses gets no form, and says why.
    with csrf_app.app_context():
        db.session.get(Consultation, consultation.id).requirement = Requirement.GOVBR_PRATA
        db.session.commit()
    refused = statements.get(clients["unverified"], url)
    assert statements.count == 1
    assert 'name="value" value="agree"' not in refused and "alert--warning" in refused
    page_a = statements.get(clients["ana"], url)
    assert 'name="value" value="agree"' not in page_a  # Ana is not verified either: refused, not a stale form


def test_vote_answers_share_the_kept_panel_and_nothing_of_the_reader(csrf_app, create_user, create_consultation):
    """The htmx answer to a vote is the kept panel (participation.vote_panel) filled per answer: the tallies
    just written, the reader's own vote and CSRF token, never the previous voter's."""
    from flask import template_rendered

    consultation = create_consultation("open")
    ana = create_user(email="ana@exemplo.com.br")
    bruno = create_user(email="bruno@exemplo.com.br")
    _, recs = articles_of(csrf_app, consultation.slug)
    url = f"/consultas/{consultation.slug}/artigos/{recs[0]}"
    a, b = csrf_app.test_client(), csrf_app.test_client()
    login(a, ana)
    login(b, bruno)
    token_a, token_b = tokens(a.get(url).get_data(as_text=True))[0], tokens(b.get(url).get_data(as_text=True))[0]
    renders = []

    def rendered(sender, template, context, **extra):
        renders.append(template.name)

    template_rendered.connect(rendered, csrf_app)

    def vote(client, token, value):
        answer = client.post(f"{url}/voto", data={"csrf_token": token, "value": value}, headers={"HX-Request": "true"})
        assert answer.status_code == 200
        return answer.get_data(as_text=True)

    def counts(html):
        return re.findall(r'<td class="tally__count">(\d+)</td>', html)

    panel_a = vote(a, token_a, "agree")
    panel_b = vote(b, token_b, "agree")  # the same kind of panel: from the cache, with Bruno's token
    assert renders.count("participation/_vote_panel.html") == 1
    for panel in (panel_a, panel_b):
        assert "\x1f" not in panel and "Seu voto: <strong>Concordo" in panel
    assert counts(panel_a) == ["1", "0", "0"] and counts(panel_b) == ["2", "0", "0"]
    assert "Resultado da votação (1 voto)" in panel_a and "2 votos." in panel_b
    assert 'width="100.00"' in panel_b and '<span class="tally__pct">100%</span>' in panel_b
    assert tokens(panel_a) == [token_a] and tokens(panel_b) == [token_b]

    panel_b = vote(b, token_b, "abstain")
    assert "Seu voto: <strong>Abstenção" in panel_b and counts(panel_b) == ["1", "0", "1"]
    assert '<span class="tally__pct">50%</span>' in panel_b and 'width="50.00"' in panel_b
    removed = vote(a, token_a, "")
    assert "Seu voto:" not in removed and "Seu voto foi removido" in removed and counts(removed) == ["0", "0", "1"]
    assert tokens(removed) == [token_a]
    # The server agrees the token in each answer is the reader's own: Ana's does not work for Bruno.
    stolen = b.post(f"{url}/voto", data={"csrf_token": tokens(removed)[0], "value": "agree"},
                    headers={"HX-Request": "true"})
    assert stolen.status_code == 400


def test_a_kept_page_reads_the_article_s_head_not_its_text(csrf_app, create_user, create_consultation):
    """Served from the cache of pages, the article page reads one row of the article's version, tallies and
    the consultation's gate columns (consultations.services.ArticleHead): not the ORM article and its text.
    Signed in, that row comes with the sign-in check and the reader's own state: one query in all."""
    consultation = create_consultation("open")
    ana = create_user(email="ana@exemplo.com.br")
    _, recs = articles_of(csrf_app, consultation.slug)
    url = f"/consultas/{consultation.slug}/artigos/{recs[0]}"
    statements: list[str] = []

    def collect(conn, cursor, statement, parameters, context, executemany):
        statements.append(" ".join(statement.lower().split()))

    anonymous, signed_in = csrf_app.test_client(), csrf_app.test_client()
    login(signed_in, ana)
    signed_in.get(url)  # the greeting (a flash): rendered in full
    for client in (anonymous, signed_in):
        assert client.get(url).status_code == 200  # fills the cache
    with csrf_app.app_context():
        event.listen(db.engine, "before_cursor_execute", collect)
    try:
        page_anonymous = anonymous.get(url).get_data(as_text=True)
        anonymous_reads, statements[:] = list(statements), []
        page_signed_in = signed_in.get(url).get_data(as_text=True)
    finally:
        with csrf_app.app_context():
            event.remove(db.engine, "before_cursor_execute", collect)
    assert len(anonymous_reads) == 1 and "articles.page_version" in anonymous_reads[0]
    # Signed in: one query, the sign-in check that also reads the head and the reader's vote/follow/supports.
    assert len(statements) == 1 and "user_sessions" in statements[0] and "articles.page_version" in statements[0]
    for statement in anonymous_reads + statements:
        assert "articles.body" not in statement and "consultations.title" not in statement
    for page in (page_anonymous, page_signed_in):
        assert "\x1f" not in page and 'id="votacao"' in page and "lista-contribuicoes" in page
