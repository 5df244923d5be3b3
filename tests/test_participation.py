"""Participation: contributions, replies, supports, votes, editing, reports, limits and personal data."""

import json
import subprocess
import sys
import threading
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import event, func, insert, select, update

from consulta.extensions import db
from consulta.models import (
    AccountKind,
    Article,
    ArticleKind,
    Consultation,
    Contribution,
    ContributionKind,
    ContributionVersion,
    Stance,
    Support,
    User,
    Visibility,
    Vote,
    VoteValue,
    utcnow,
)
from consulta.participation import services
from tests.conftest import PASSWORD


@pytest.fixture
def open_consultation(create_consultation):
    return create_consultation("open")


def articles_of(app, slug):
    """(article ids, recommendation ids) of a consultation."""
    with app.app_context():
        rows = db.session.execute(
            select(Article.id, Article.kind).join(Consultation).where(Consultation.slug == slug)
            .order_by(Article.position)
        ).all()
    return [r.id for r in rows], [r.id for r in rows if r.kind is ArticleKind.RECOMMENDATION]


def post_contribution(client, slug, article_id, **overrides):
    data = {"kind": "comment", "stance": "agree", "body": "Um comentário construtivo."}
    data.update(overrides)
    return client.post(f"/consultas/{slug}/artigos/{article_id}/contribuicoes", data=data)


def get_article(app, article_id):
    with app.app_context():
        article = db.session.get(Article, article_id)
        db.session.expunge(article)
        return article


def contributions(app):
    with app.app_context():
        rows = db.session.scalars(select(Contribution).order_by(Contribution.id)).all()
        for row in rows:
            db.session.expunge(row)
        return rows


def test_participant_posts_a_contribution_and_counts_change(app, client, auth, create_user, open_consultation):
    auth.login(create_user())
    ids, _ = articles_of(app, open_consultation.slug)
    response = post_contribution(client, open_consultation.slug, ids[0], stance="partly")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"#contribuicao-{contributions(app)[0].id}")
    article = get_article(app, ids[0])
    assert (article.contributions_partly, article.contribution_total) == (1, 1)
    page = client.get(f"/consultas/{open_consultation.slug}/artigos/{ids[0]}").get_data(as_text=True)
    assert "Um comentário construtivo." in page and "Concordo em parte" in page


def test_organization_contribution_is_signed_by_the_organization(app, client, auth, create_user, open_consultation):
    org = create_user(name="Instituto Brasil Digital", kind=AccountKind.ORGANIZATION, cnpj="11222333000181")
    auth.login(org)
    ids, _ = articles_of(app, open_consultation.slug)
    post_contribution(client, open_consultation.slug, ids[0])
    client.post("/sair")
    page = client.get(f"/consultas/{open_consultation.slug}/artigos/{ids[0]}").get_data(as_text=True)
    assert "Instituto Brasil Digital" in page and "Organização" in page
    assert "11222333000181" not in page


def test_closed_consultation_refuses_contributions_and_votes(app, client, auth, create_user, create_consultation):
    closed = create_consultation("closed")
    auth.login(create_user())
    ids, recommendations = articles_of(app, closed.slug)
    response = post_contribution(client, closed.slug, ids[0])
    assert response.status_code == 403
    assert "foi encerrada" in response.get_data(as_text=True)
    client.post(f"/consultas/{closed.slug}/artigos/{recommendations[0]}/voto", data={"value": "agree"})
    assert contributions(app) == []
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Vote)) == 0


def test_closed_consultation_is_refused_by_the_service_itself(app, create_user, create_consultation):
    closed = create_consultation("closed")
    user = create_user()
    ids, _ = articles_of(app, closed.slug)
    with app.app_context(), pytest.raises(services.ParticipationError):
        services.contribute(db.session.get(User, user.id), article=db.session.get(Article, ids[0]),
                            kind=ContributionKind.COMMENT, stance=Stance.NONE, body="x")


def test_validation_error_keeps_what_was_typed(app, client, auth, create_user, open_consultation):
    auth.login(create_user())
    ids, _ = articles_of(app, open_consultation.slug)
    response = post_contribution(client, open_consultation.slug, ids[0], kind="new_wording",
                                 body="Meu texto longo e pensado com cuidado.", proposed_text="")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Meu texto longo e pensado com cuidado." in page and "Escreva o texto proposto." in page
    assert contributions(app) == []


def test_body_over_5000_characters_is_refused(app, client, auth, create_user, open_consultation):
    auth.login(create_user())
    ids, _ = articles_of(app, open_consultation.slug)
    response = post_contribution(client, open_consultation.slug, ids[0], body="a" * 5001)
    assert response.status_code == 422 and contributions(app) == []


def test_new_wording_is_shown_as_a_word_diff(app, client, auth, create_user, open_consultation):
    auth.login(create_user())
    ids, _ = articles_of(app, open_consultation.slug)
    post_contribution(client, open_consultation.slug, ids[0], kind="new_wording", body="Melhor assim.",
                      proposed_text="Fica instituída a Estratégia Nacional de teste.")
    page = client.get(f"/consultas/{open_consultation.slug}/artigos/{ids[0]}").get_data(as_text=True)
    assert "<ins>" in page and "Nacional" in page


def test_double_submitted_form_creates_one_record(app, client, auth, create_user, open_consultation):
    auth.login(create_user())
    ids, _ = articles_of(app, open_consultation.slug)
    for _ in range(3):
        post_contribution(client, open_consultation.slug, ids[0], submission_key="chave-unica-123")
    assert len(contributions(app)) == 1
    assert get_article(app, ids[0]).contributions_agree == 1


def test_replies_are_one_level_deep(app, client, auth, create_user, open_consultation):
    auth.login(create_user())
    ids, _ = articles_of(app, open_consultation.slug)
    post_contribution(client, open_consultation.slug, ids[0])
    parent = contributions(app)[0]
    client.post(f"/contribuicoes/{parent.id}/respostas", data={f"r{parent.id}-body": "Concordo com você."})
    reply = contributions(app)[1]
    client.post(f"/contribuicoes/{reply.id}/respostas", data={f"r{reply.id}-body": "Resposta à resposta."})
    rows = contributions(app)
    assert [r.parent_id for r in rows] == [None, parent.id, parent.id]
    assert rows[0].reply_count == 2
    assert get_article(app, ids[0]).contribution_total == 1  # replies are not top-level contributions


def test_support_is_one_per_account_and_removable(app, client, auth, create_user, open_consultation):
    author = create_user()
    ids, _ = articles_of(app, open_consultation.slug)
    with app.app_context():
        c, _ = services.contribute(db.session.get(User, author.id), article=db.session.get(Article, ids[0]),
                                   kind=ContributionKind.COMMENT, stance=Stance.AGREE, body="Apoiem!")
        db.session.commit()
        cid = c.id
    auth.login(create_user())
    for _ in range(2):
        client.post(f"/contribuicoes/{cid}/apoio", data={"support": "1"})
    assert contributions(app)[0].support_count == 1
    client.post(f"/contribuicoes/{cid}/apoio", data={"support": "0"})
    assert contributions(app)[0].support_count == 0
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Support)) == 0


def test_vote_is_unique_changeable_and_removable(app, client, auth, create_user, open_consultation):
    auth.login(create_user())
    _, recs = articles_of(app, open_consultation.slug)
    url = f"/consultas/{open_consultation.slug}/artigos/{recs[0]}/voto"
    client.post(url, data={"value": "agree"})
    client.post(url, data={"value": "agree"})
    a = get_article(app, recs[0])
    assert (a.votes_agree, a.votes_disagree, a.votes_abstain) == (1, 0, 0)
    client.post(url, data={"value": "disagree"})
    a = get_article(app, recs[0])
    assert (a.votes_agree, a.votes_disagree) == (0, 1)
    client.post(url, data={"value": ""})
    a = get_article(app, recs[0])
    assert a.vote_total == 0
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Vote)) == 0


def test_articles_that_take_no_votes_refuse_them(app, client, auth, create_user, open_consultation):
    auth.login(create_user())
    ids, recs = articles_of(app, open_consultation.slug)
    decree_article = next(i for i in ids if i not in recs)
    client.post(f"/consultas/{open_consultation.slug}/artigos/{decree_article}/voto", data={"value": "agree"})
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Vote)) == 0


def test_votes_unique_by_database_constraint(app, create_user, open_consultation):
    from sqlalchemy.exc import IntegrityError

    user = create_user()
    _, recs = articles_of(app, open_consultation.slug)
    with app.app_context():
        db.session.add(Vote(user_id=user.id, article_id=recs[0], value=VoteValue.AGREE))
        db.session.commit()
        db.session.add(Vote(user_id=user.id, article_id=recs[0], value=VoteValue.DISAGREE))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()


def test_concurrent_votes_keep_tallies_exact(app, create_user, open_consultation):
    """Threads vote and change votes at once; tallies equal COUNT(*) and no pair repeats."""
    _, recs = articles_of(app, open_consultation.slug)
    users = [create_user() for _ in range(8)]
    values = [VoteValue.AGREE, VoteValue.DISAGREE, VoteValue.ABSTAIN, None]
    errors: list[Exception] = []

    def worker(index: int) -> None:
        try:
            with app.app_context():
                user = db.session.get(User, users[index % len(users)].id)
                for step in range(12):
                    article = db.session.get(Article, recs[step % len(recs)])
                    services.cast_vote(user, article, values[(index + step) % len(values)])
                    db.session.commit()
                db.session.remove()
        except Exception as error:  # noqa: BLE001 - collected and asserted below
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with app.app_context():
        for rec in recs:
            article = db.session.get(Article, rec)
            counts = dict(db.session.execute(
                select(Vote.value, func.count()).where(Vote.article_id == rec).group_by(Vote.value)).all())
            assert article.votes_agree == counts.get(VoteValue.AGREE, 0)
            assert article.votes_disagree == counts.get(VoteValue.DISAGREE, 0)
            assert article.votes_abstain == counts.get(VoteValue.ABSTAIN, 0)
        duplicates = db.session.execute(
            select(Vote.user_id, Vote.article_id).group_by(Vote.user_id, Vote.article_id)
            .having(func.count() > 1)).all()
        assert duplicates == []


def test_article_page_paginates_20_at_a_time_with_constant_queries(app, client, create_user, open_consultation):
    ids, _ = articles_of(app, open_consultation.slug)
    author = create_user()
    with app.app_context():
        user = db.session.get(User, author.id)
        article = db.session.get(Article, ids[0])
        for n in range(45):
            c, _ = services.contribute(user, article=article, kind=ContributionKind.COMMENT,
                                       stance=Stance.AGREE, body=f"Contribuição número {n}.")
            if n % 5 == 0:
                services.reply(user, c, f"Resposta {n}.")
        db.session.commit()
    url = f"/consultas/{open_consultation.slug}/artigos/{ids[0]}"
    page = client.get(url).get_data(as_text=True)
    assert page.count('class="contribution"') == 20
    assert "Contribuição número 44." in page and "Contribuição número 24." not in page
    assert f"{url}?pagina=2#lista-contribuicoes" in page
    page3 = client.get(url + "?pagina=3").get_data(as_text=True)
    assert page3.count('class="contribution"') == 5 and "Carregar mais" not in page3

    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        client.get(url)
        first = len(statements)
        statements.clear()
        client.get(url + "?pagina=2&ordem=apoiadas")
        second = len(statements)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert first <= 12 and second <= 12, (first, second)


def test_load_more_answers_htmx_with_a_fragment(app, client, create_user, open_consultation):
    ids, _ = articles_of(app, open_consultation.slug)
    author = create_user()
    with app.app_context():
        user = db.session.get(User, author.id)
        for n in range(25):
            services.contribute(user, article=db.session.get(Article, ids[0]), kind=ContributionKind.COMMENT,
                                stance=Stance.NONE, body=f"Item {n}.")
        db.session.commit()
    url = f"/consultas/{open_consultation.slug}/artigos/{ids[0]}/contribuicoes?pagina=2"
    fragment = client.get(url, headers={"HX-Request": "true"})
    text = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and "<html" not in text and text.count('class="contribution"') == 5
    assert "HX-Request" in fragment.headers["Vary"]
    assert client.get(url).status_code == 302  # without htmx: the full page
    # The query goes on to the page, never as url_for's own arguments (the route's, _scheme, _external).
    odd = client.get(f"{url}&article_id=5&_scheme=javascript&_external=1&posicao=a")
    assert odd.status_code == 302
    assert odd.headers["Location"] == f"/consultas/{open_consultation.slug}/artigos/{ids[0]}?pagina=2&posicao=a"


def test_filters_by_stance_and_kind(app, client, create_user, open_consultation):
    ids, _ = articles_of(app, open_consultation.slug)
    author = create_user()
    with app.app_context():
        user = db.session.get(User, author.id)
        article = db.session.get(Article, ids[0])
        services.contribute(user, article=article, kind=ContributionKind.COMMENT, stance=Stance.AGREE, body="A favor.")
        services.contribute(user, article=article, kind=ContributionKind.REMOVAL, stance=Stance.DISAGREE, body="Contra.")
        db.session.commit()
    base = f"/consultas/{open_consultation.slug}/artigos/{ids[0]}"
    page = client.get(base + "?posicao=disagree").get_data(as_text=True)
    assert "Contra." in page and "A favor." not in page
    page = client.get(base + "?tipo=comment").get_data(as_text=True)
    assert "A favor." in page and "Contra." not in page
    assert client.get(base + "?posicao=<script>&pagina=abc").status_code == 200


def test_htmx_contribution_returns_fragment_with_new_item(app, client, auth, create_user, open_consultation):
    auth.login(create_user())
    ids, _ = articles_of(app, open_consultation.slug)
    response = client.post(f"/consultas/{open_consultation.slug}/artigos/{ids[0]}/contribuicoes",
                           data={"kind": "comment", "stance": "none", "body": "Via htmx."},
                           headers={"HX-Request": "true"})
    text = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in text
    assert 'hx-swap-oob="afterbegin:#lista-contribuicoes"' in text and "Via htmx." in text
    assert "Contribuição publicada." in text and "data-focus-after-swap" in text


def test_htmx_validation_error_is_200_with_the_form(app, client, auth, create_user, open_consultation):
    auth.login(create_user())
    ids, _ = articles_of(app, open_consultation.slug)
    response = client.post(f"/consultas/{open_consultation.slug}/artigos/{ids[0]}/contribuicoes",
                           data={"kind": "comment", "stance": "none", "body": ""}, headers={"HX-Request": "true"})
    assert response.status_code == 200 and "Escreva a sua contribuição." in response.get_data(as_text=True)


def test_edit_within_window_keeps_previous_version(app, client, auth, create_user, open_consultation):
    auth.login(create_user())
    ids, _ = articles_of(app, open_consultation.slug)
    post_contribution(client, open_consultation.slug, ids[0], body="Primeira versão.")
    cid = contributions(app)[0].id
    assert client.get(f"/contribuicoes/{cid}/editar").status_code == 200
    response = client.post(f"/contribuicoes/{cid}/editar", data={"body": "Segunda versão.", "stance": "disagree"})
    assert response.status_code == 303
    row = contributions(app)[0]
    assert row.body == "Segunda versão." and row.stance is Stance.DISAGREE and row.edited_at
    article = get_article(app, ids[0])
    assert (article.contributions_agree, article.contributions_disagree) == (0, 1)
    with app.app_context():
        versions = db.session.scalars(select(ContributionVersion.body)).all()
    assert versions == ["Primeira versão."]


def test_edit_after_30_minutes_is_refused(app, client, auth, create_user, open_consultation):
    auth.login(create_user())
    ids, _ = articles_of(app, open_consultation.slug)
    post_contribution(client, open_consultation.slug, ids[0], body="Antiga.")
    with app.app_context():
        row = db.session.scalar(select(Contribution))
        row.created_at = row.created_at - timedelta(minutes=31)
        db.session.commit()
        cid = row.id
    response = client.post(f"/contribuicoes/{cid}/editar", data={"body": "Nova."})
    assert response.status_code == 422 and "terminou" in response.get_data(as_text=True)
    assert contributions(app)[0].body == "Antiga."


def test_only_the_author_edits_or_withdraws(app, client, auth, create_user, open_consultation):
    ids, _ = articles_of(app, open_consultation.slug)
    author = create_user()
    with app.app_context():
        c, _ = services.contribute(db.session.get(User, author.id), article=db.session.get(Article, ids[0]),
                                   kind=ContributionKind.COMMENT, stance=Stance.NONE, body="Meu texto.")
        db.session.commit()
        cid = c.id
    auth.login(create_user())
    assert client.post(f"/contribuicoes/{cid}/editar", data={"body": "Hackeado."}).status_code == 403
    assert client.post(f"/contribuicoes/{cid}/retirar").status_code == 403
    assert contributions(app)[0].body == "Meu texto."


def test_withdrawn_contribution_leaves_public_view_but_is_kept(app, client, auth, create_user, open_consultation):
    auth.login(create_user())
    ids, _ = articles_of(app, open_consultation.slug)
    post_contribution(client, open_consultation.slug, ids[0], body="Texto que vou retirar.")
    cid = contributions(app)[0].id
    assert client.post(f"/contribuicoes/{cid}/retirar").status_code == 303
    page = client.get(f"/consultas/{open_consultation.slug}/artigos/{ids[0]}").get_data(as_text=True)
    assert "Retirada pelo autor." in page and "Texto que vou retirar." not in page
    row = contributions(app)[0]
    assert row.visibility is Visibility.WITHDRAWN and row.body == "Texto que vou retirar."
    assert get_article(app, ids[0]).contribution_total == 0


def test_three_reports_hide_pending_review(app, client, auth, create_user, open_consultation):
    ids, _ = articles_of(app, open_consultation.slug)
    author = create_user()
    with app.app_context():
        c, _ = services.contribute(db.session.get(User, author.id), article=db.session.get(Article, ids[0]),
                                   kind=ContributionKind.COMMENT, stance=Stance.NONE, body="Compre já!")
        db.session.commit()
        cid = c.id
    for n in range(3):
        auth.login(create_user())
        client.post(f"/contribuicoes/{cid}/denuncia", data={f"d{cid}-reason": "spam"})
        client.post(f"/contribuicoes/{cid}/denuncia", data={f"d{cid}-reason": "spam"})  # a second report is ignored
        row = contributions(app)[0]
        assert row.report_count == n + 1
        auth.logout()
    assert row.visibility is Visibility.PENDING
    page = client.get(f"/consultas/{open_consultation.slug}/artigos/{ids[0]}").get_data(as_text=True)
    assert "Compre já!" not in page and "aguardando análise" in page
    assert get_article(app, ids[0]).contribution_total == 0


def test_blocked_account_cannot_post_or_vote(app, create_user, open_consultation):
    user = create_user(blocked=True)
    ids, recs = articles_of(app, open_consultation.slug)
    with app.app_context():
        blocked = db.session.get(User, user.id)
        with pytest.raises(services.ParticipationError):
            services.contribute(blocked, article=db.session.get(Article, ids[0]), kind=ContributionKind.COMMENT,
                                stance=Stance.NONE, body="x")
        with pytest.raises(services.ParticipationError):
            services.cast_vote(blocked, db.session.get(Article, recs[0]), VoteValue.AGREE)


def test_posting_is_rate_limited_per_account(limited_app, create_user, create_consultation):
    client = limited_app.test_client()
    consultation = create_consultation("open")
    user = create_user()
    client.post("/entrar", data={"email": user.email, "password": PASSWORD})
    ids, _ = articles_of(limited_app, consultation.slug)
    codes = [post_contribution(client, consultation.slug, ids[0], body=f"Texto {n}").status_code for n in range(31)]
    assert codes[:30] == [303] * 30 and codes[30] == 429
    assert "Muitas tentativas" in post_contribution(client, consultation.slug, ids[0]).get_data(as_text=True)


def test_my_data_download_has_everything_and_no_one_else(app, client, auth, create_user, open_consultation):
    me = create_user(name="Maria")
    create_user(name="Outra Pessoa", email="outra@exemplo.com.br")
    auth.login(me)
    ids, recs = articles_of(app, open_consultation.slug)
    post_contribution(client, open_consultation.slug, ids[0], body="Minha opinião.")
    client.post(f"/consultas/{open_consultation.slug}/artigos/{recs[0]}/voto", data={"value": "abstain"})
    response = client.get("/conta/meus-dados.json")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.get_data(as_text=True))
    assert data["conta"]["email"] == me.email and data["conta"]["consentimento"]["em"]
    assert [c["texto"] for c in data["contribuicoes"]] == ["Minha opinião."]
    assert [v["voto"] for v in data["votos"]] == ["abstain"]
    assert "outra@exemplo.com.br" not in response.get_data(as_text=True)


def test_account_deletion_erases_personal_data_and_keeps_the_record(app, client, auth, create_user,
                                                                   open_consultation):
    me = create_user(name="Maria Apagável", email="apagar@exemplo.com.br")
    auth.login(me)
    ids, recs = articles_of(app, open_consultation.slug)
    post_contribution(client, open_consultation.slug, ids[0], body="Fica para a história.")
    client.post(f"/consultas/{open_consultation.slug}/artigos/{recs[0]}/voto", data={"value": "agree"})
    wrong = client.post("/conta/excluir", data={"password": "errada errada", "confirm": "y"})
    assert wrong.status_code == 422
    response = client.post("/conta/excluir", data={"password": PASSWORD, "confirm": "y"})
    assert response.status_code == 303
    with app.app_context():
        user = db.session.get(User, me.id)
        assert user.email is None and user.password_hash is None and user.deleted_at is not None
        assert user.display_name == "Participante removido"
        vote = db.session.scalar(select(Vote))
        assert vote.user_id is None
        assert db.session.get(Article, recs[0]).votes_agree == 1
    page = client.get(f"/consultas/{open_consultation.slug}/artigos/{ids[0]}").get_data(as_text=True)
    assert "Fica para a história." in page and "Participante removido" in page and "Maria Apagável" not in page
    assert auth.login("apagar@exemplo.com.br").status_code == 422


def test_recount_rebuilds_tallies(app, runner, client, auth, create_user, open_consultation):
    auth.login(create_user())
    ids, recs = articles_of(app, open_consultation.slug)
    client.post(f"/consultas/{open_consultation.slug}/artigos/{recs[0]}/voto", data={"value": "agree"})
    post_contribution(client, open_consultation.slug, ids[0])
    with app.app_context():
        article = db.session.get(Article, recs[0])
        article.votes_agree = 99
        db.session.get(Article, ids[0]).contributions_agree = 42
        db.session.commit()
    result = runner.invoke(args=["consulta", "recount-votes"])
    assert result.exit_code == 0, result.output
    assert get_article(app, recs[0]).votes_agree == 1
    assert get_article(app, ids[0]).contributions_agree == 1


def section_ids(app, slug):
    from consulta.models import Section

    with app.app_context():
        return list(db.session.scalars(
            select(Section.id).join(Consultation).where(Consultation.slug == slug).order_by(Section.position)))


def test_new_article_is_proposed_in_a_section(app, client, auth, create_user, open_consultation):
    auth.login(create_user())
    section = section_ids(app, open_consultation.slug)[0]
    url = f"/consultas/{open_consultation.slug}/secoes/{section}/propostas"
    missing = client.post(url, data={"body": "Falta um artigo sobre acessibilidade.", "proposed_text": ""})
    assert missing.status_code == 422
    assert "Falta um artigo sobre acessibilidade." in missing.get_data(as_text=True)
    response = client.post(url, data={"body": "Falta um artigo sobre acessibilidade.",
                                      "proposed_text": "Art. X. Todo serviço digital seguirá o eMAG."})
    assert response.status_code == 303
    row = contributions(app)[0]
    assert (row.kind, row.article_id, row.section_id) == (ContributionKind.NEW_ARTICLE, None, section)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Todo serviço digital seguirá o eMAG." in page and "Propostas de novo artigo" in page
    assert f"/consultas/{open_consultation.slug}/secoes/{section}" in client.get(
        f"/consultas/{open_consultation.slug}").get_data(as_text=True)


def test_restored_contribution_needs_three_new_reports_to_hide_again(app, create_user, open_consultation):
    ids, _ = articles_of(app, open_consultation.slug)
    author, moderator = create_user(), create_user("moderator")
    reporters = [create_user() for _ in range(4)]
    with app.app_context():
        c, _ = services.contribute(db.session.get(User, author.id), article=db.session.get(Article, ids[0]),
                                   kind=ContributionKind.COMMENT, stance=Stance.NONE, body="Polêmico.")
        for r in reporters[:3]:
            services.report(db.session.get(User, r.id), c, services.ReportReason.OFFENSIVE)
        assert c.visibility is Visibility.PENDING
        services.restore(db.session.get(User, moderator.id), c)
        services.report(db.session.get(User, reporters[3].id), c, services.ReportReason.OFFENSIVE)
        assert c.visibility is Visibility.VISIBLE
        db.session.commit()


def test_vote_without_csrf_token_is_refused(make_app, create_user, create_consultation):
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    consultation = create_consultation("open")
    _, recs = articles_of(app, consultation.slug)
    user = create_user()
    from tests.conftest import csrf_token_from, sign_in_with_csrf

    sign_in_with_csrf(client, user)
    token = csrf_token_from(client.get("/conta").get_data(as_text=True))  # renewed at login
    url = f"/consultas/{consultation.slug}/artigos/{recs[0]}/voto"
    assert client.post(url, data={"value": "agree"}).status_code == 400
    assert client.post(url, data={"value": "agree", "csrf_token": token}).status_code == 303
    assert client.post(url, data={"value": "talvez", "csrf_token": token}).status_code == 303
    with app.app_context():
        assert db.session.get(Article, recs[0]).votes_agree == 1


def test_vote_panel_keeps_a_fresh_csrf_token_and_signs_a_new_one_past_half_its_life(make_app, create_user,
                                                                                  create_consultation):
    import time

    from tests.conftest import csrf_token_from, sign_in_with_csrf

    app = make_app(WTF_CSRF_ENABLED=True, WTF_CSRF_TIME_LIMIT=4)  # tokens carry whole seconds
    client = app.test_client()
    consultation = create_consultation("open")
    _, recs = articles_of(app, consultation.slug)
    user = create_user()
    sign_in_with_csrf(client, user)
    token = csrf_token_from(client.get(f"/consultas/{consultation.slug}/artigos/{recs[0]}").get_data(as_text=True))
    url = f"/consultas/{consultation.slug}/artigos/{recs[0]}/voto"

    def vote(value, token):
        response = client.post(url, data={"value": value, "csrf_token": token}, headers={"HX-Request": "true"})
        assert response.status_code == 200 and "Seu voto foi registrado" in response.get_data(as_text=True)
        return csrf_token_from(response.get_data(as_text=True))

    assert vote("agree", token) == token  # just validated, with most of its life left: kept
    time.sleep(2.1)  # past half of WTF_CSRF_TIME_LIMIT, not past all of it
    renewed = vote("disagree", token)
    assert renewed != token
    assert vote("abstain", renewed) == renewed
    assert client.post(url, data={"value": "agree", "csrf_token": "forged"}).status_code == 400


# -- deterministic races: another request changes the stored vote between our read and our write ---------

TALLY = {VoteValue.AGREE: "votes_agree", VoteValue.DISAGREE: "votes_disagree", VoteValue.ABSTAIN: "votes_abstain"}


def runs(statement: str, prefix: str) -> bool:
    """Whether `statement` starts with `prefix`, or is a WITH clause whose first statement does (on PostgreSQL
    the vote's change and its tallies are one statement: WITH written AS (UPDATE votes ...) UPDATE articles)."""
    text = statement.lstrip().upper()
    if text.startswith("WITH "):
        text = text.split("(", 1)[1].lstrip()
    return text.startswith(prefix)


class Interference:
    """Run a competing request's statements on the connection just before our first statement of `prefix`.

    The competing change (with its tallies) lands between cast_vote()'s read and its write, as a request
    committing at that instant would, so the guarded write must notice it and retry.
    """

    def __init__(self, prefix: str, statements: list):
        self.prefix, self.statements, self.fired = prefix, statements, 0

    def __call__(self, conn, cursor, statement, parameters, context, executemany):
        if self.fired or not runs(statement, self.prefix):
            return
        self.fired += 1
        for competing in self.statements:
            conn.execute(competing)


def cast_with_interference(app, user_id, article_id, value, interference):
    """cast_vote() with `interference` armed on the engine; returns the statements it ran after the read."""
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", interference)
        try:
            user, article = db.session.get(User, user_id), db.session.get(Article, article_id)
            result = services.cast_vote(user, article, value)
            db.session.commit()
        finally:
            event.remove(db.engine, "before_cursor_execute", interference)
    assert interference.fired == 1, "the competing change never ran: the statement it waits for changed"
    return result


def competing_change(vote_id, article_id, old, new):
    """Another request of the same user changes the vote from `old` to `new`, tallies included."""
    votes, articles = Vote.__table__, Article.__table__
    return [
        update(votes).where(votes.c.id == vote_id).values(value=new.value),
        update(articles).where(articles.c.id == article_id).values(
            {TALLY[old]: articles.c[TALLY[old]] - 1, TALLY[new]: articles.c[TALLY[new]] + 1}),
    ]


def tallies(app, article_id):
    a = get_article(app, article_id)
    return a.votes_agree, a.votes_disagree, a.votes_abstain


def counted_tallies(app, article_id):
    with app.app_context():
        counts = dict(db.session.execute(select(Vote.value, func.count()).where(Vote.article_id == article_id)
                                         .group_by(Vote.value)).all())
    return tuple(counts.get(v, 0) for v in (VoteValue.AGREE, VoteValue.DISAGREE, VoteValue.ABSTAIN))


def stored_vote(app, user_id, article_id):
    with app.app_context():
        return db.session.execute(select(Vote.id, Vote.value).where(
            Vote.user_id == user_id, Vote.article_id == article_id)).first()


def voted_agree(app, create_user, consultation):
    """A new account that voted "concordo" on the first recommendation: (user, recommendation ids, vote id)."""
    user = create_user()
    _, recs = articles_of(app, consultation.slug)
    with app.app_context():
        services.cast_vote(db.session.get(User, user.id), db.session.get(Article, recs[0]), VoteValue.AGREE)
        db.session.commit()
    return user, recs, stored_vote(app, user.id, recs[0]).id


def test_vote_change_retries_when_the_vote_changed_after_it_was_read(app, create_user, open_consultation):
    user, recs, vote_id = voted_agree(app, create_user, open_consultation)
    race = Interference("UPDATE VOTES", competing_change(vote_id, recs[0], VoteValue.AGREE, VoteValue.ABSTAIN))
    assert cast_with_interference(app, user.id, recs[0], VoteValue.DISAGREE, race) is VoteValue.DISAGREE
    assert stored_vote(app, user.id, recs[0]).value is VoteValue.DISAGREE
    assert tallies(app, recs[0]) == counted_tallies(app, recs[0]) == (0, 1, 0)


def test_vote_removal_retries_when_the_vote_changed_after_it_was_read(app, create_user, open_consultation):
    user, recs, vote_id = voted_agree(app, create_user, open_consultation)
    race = Interference("DELETE FROM VOTES", competing_change(vote_id, recs[0], VoteValue.AGREE, VoteValue.DISAGREE))
    assert cast_with_interference(app, user.id, recs[0], None, race) is None
    assert stored_vote(app, user.id, recs[0]) is None
    assert tallies(app, recs[0]) == counted_tallies(app, recs[0]) == (0, 0, 0)


def test_first_vote_retries_as_a_change_when_another_request_inserted_it(app, create_user, open_consultation):
    user = create_user()
    _, recs = articles_of(app, open_consultation.slug)
    now = utcnow()
    articles = Article.__table__
    race = Interference("INSERT INTO VOTES", [
        insert(Vote.__table__).values(user_id=user.id, article_id=recs[0], value="abstain", created_at=now,
                                      updated_at=now),
        update(articles).where(articles.c.id == recs[0]).values(votes_abstain=articles.c.votes_abstain + 1),
    ])
    assert cast_with_interference(app, user.id, recs[0], VoteValue.AGREE, race) is VoteValue.AGREE
    assert stored_vote(app, user.id, recs[0]).value is VoteValue.AGREE
    assert tallies(app, recs[0]) == counted_tallies(app, recs[0]) == (1, 0, 0)


def test_vote_gives_up_with_a_message_when_it_keeps_changing(app, create_user, open_consultation):
    """Five competing changes in a row: the service refuses instead of writing over them."""
    user, recs, vote_id = voted_agree(app, create_user, open_consultation)
    cycle = [VoteValue.AGREE, VoteValue.ABSTAIN]
    state = {"n": 0}

    def flip(conn, cursor, statement, parameters, context, executemany):
        if not runs(statement, "UPDATE VOTES") or state.get("busy"):
            return
        old, new = cycle[state["n"] % 2], cycle[(state["n"] + 1) % 2]
        state["n"] += 1
        state["busy"] = True
        for competing in competing_change(vote_id, recs[0], old, new):
            conn.execute(competing)
        state["busy"] = False

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", flip)
        try:
            with pytest.raises(services.ParticipationError, match="simultâneas"):
                services.cast_vote(db.session.get(User, user.id), db.session.get(Article, recs[0]),
                                   VoteValue.DISAGREE)
            db.session.commit()  # what the competitors wrote stands; nothing of ours was written
        finally:
            event.remove(db.engine, "before_cursor_execute", flip)
    assert state["n"] == 5
    assert tallies(app, recs[0]) == counted_tallies(app, recs[0])
    assert stored_vote(app, user.id, recs[0]).value is not VoteValue.DISAGREE


def test_vote_route_retries_when_the_vote_changed_after_the_route_read_it(app, client, auth, create_user,
                                                                          open_consultation):
    """The route reads the stored vote with the article, before SQLite's write lock: a change landing between
    that read and the write makes the compare-and-set touch no row, and the route reads again and writes."""
    user, recs, vote_id = voted_agree(app, create_user, open_consultation)
    auth.login(user)
    race = Interference("UPDATE VOTES", competing_change(vote_id, recs[0], VoteValue.AGREE, VoteValue.ABSTAIN))
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", race)
    try:
        response = client.post(f"/consultas/{open_consultation.slug}/artigos/{recs[0]}/voto",
                               data={"value": "disagree"}, headers={"HX-Request": "true"})
    finally:
        with app.app_context():
            event.remove(db.engine, "before_cursor_execute", race)
    assert race.fired == 1
    assert response.status_code == 200 and "Seu voto foi registrado: Discordo." in response.get_data(as_text=True)
    assert stored_vote(app, user.id, recs[0]).value is VoteValue.DISAGREE
    assert tallies(app, recs[0]) == counted_tallies(app, recs[0]) == (0, 1, 0)


@contextmanager
def executed(app):
    """The SQL statements run inside the block, upper-cased."""
    statements: list[str] = []

    def collect(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement.lstrip().upper())

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", collect)
    try:
        yield statements
    finally:
        with app.app_context():
            event.remove(db.engine, "before_cursor_execute", collect)


def test_voting_the_stored_value_again_writes_nothing(app, client, auth, create_user, open_consultation):
    user, recs, _ = voted_agree(app, create_user, open_consultation)
    auth.login(user)
    with executed(app) as statements:
        response = client.post(f"/consultas/{open_consultation.slug}/artigos/{recs[0]}/voto",
                               data={"value": "agree"}, headers={"HX-Request": "true"})
    assert response.status_code == 200 and 'aria-pressed="true">Concordo' in response.get_data(as_text=True)
    assert [s for s in statements if s.startswith(("INSERT", "UPDATE", "DELETE", "WITH"))] == []
    assert tallies(app, recs[0]) == counted_tallies(app, recs[0]) == (1, 0, 0)


def test_a_vote_reads_once_with_the_sign_in_check_and_writes_once(app, client, auth, create_user,
                                                                 open_consultation):
    """The sign-in check also reads the vote's target (tallies, gate columns, the stored vote): one read in
    all; then the write (one statement on PostgreSQL, the vote and its tallies on SQLite)."""
    user, recs, _ = voted_agree(app, create_user, open_consultation)
    auth.login(user)
    with executed(app) as statements:
        response = client.post(f"/consultas/{open_consultation.slug}/artigos/{recs[0]}/voto",
                               data={"value": "disagree"}, headers={"HX-Request": "true"})
        missing = client.post(f"/consultas/{open_consultation.slug}/artigos/999999/voto",
                              data={"value": "disagree"}, headers={"HX-Request": "true"})
    assert response.status_code == 200 and 'aria-pressed="true">Discordo' in response.get_data(as_text=True)
    assert missing.status_code == 404
    reads = [s for s in statements if s.startswith("SELECT")]
    writes = [s for s in statements if s.startswith(("INSERT", "UPDATE", "DELETE", "WITH"))]
    assert len(reads) == 2 and all("USER_SESSIONS" in s and "VOTES" in s for s in reads)  # one per request
    with app.app_context():
        postgres = db.engine.dialect.name == "postgresql"
    assert len(writes) == (1 if postgres else 2)
    assert tallies(app, recs[0]) == counted_tallies(app, recs[0]) == (0, 1, 0)


@pytest.mark.postgres
def test_vote_on_postgresql_autocommits_and_gives_the_connection_back_transactional(app, client, auth, create_user,
                                                                                   open_consultation):
    """No BEGIN/COMMIT round trips for a vote: its statements run in autocommit (the write is one statement);
    the pooled connection goes back to ordinary transactions for the next request."""
    user = create_user()
    _, recs = articles_of(app, open_consultation.slug)
    auth.login(user)
    seen: list[tuple[str, bool]] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append((statement.lstrip().split(None, 1)[0].upper(), conn.connection.dbapi_connection.autocommit))

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", record)
    try:
        response = client.post(f"/consultas/{open_consultation.slug}/artigos/{recs[0]}/voto",
                               data={"value": "agree"}, headers={"HX-Request": "true"})
        assert response.status_code == 200
        vote_statements, seen[:] = list(seen), []
        client.get("/conta")
    finally:
        with app.app_context():
            event.remove(db.engine, "before_cursor_execute", record)
    assert [kind for kind, _ in vote_statements] == ["SELECT", "WITH"]  # sign-in with the target, write
    assert all(autocommit for _, autocommit in vote_statements)
    assert seen and not any(autocommit for _, autocommit in seen)
    assert tallies(app, recs[0]) == counted_tallies(app, recs[0]) == (1, 0, 0)


def test_the_article_page_reads_outside_a_transaction(app, client, auth, create_user, open_consultation):
    """consulta.db_utils.autocommit_reads: no BEGIN and ROLLBACK round trips for the article page, signed in
    or not; the next request's connection is transactional again."""
    user = create_user()
    _, recs = articles_of(app, open_consultation.slug)
    seen: list[tuple[str, bool]] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        raw = conn.connection.dbapi_connection
        outside = raw.autocommit if conn.dialect.name == "postgresql" else not raw.in_transaction
        seen.append((statement.lstrip().split(None, 1)[0].upper(), outside))

    url = f"/consultas/{open_consultation.slug}/artigos/{recs[0]}"
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert client.get(url).status_code == 200
        anonymous, seen[:] = list(seen), []
        auth.login(user)
        client.get(url)  # the greeting (a flash) after signing in
        seen[:] = []
        assert client.get(url).status_code == 200
        signed_in, seen[:] = list(seen), []
        client.get("/conta")
    finally:
        with app.app_context():
            event.remove(db.engine, "before_cursor_execute", record)
    assert anonymous and signed_in
    assert all(outside for _, outside in anonymous + signed_in), anonymous + signed_in
    assert seen and not all(outside for _, outside in seen)


def test_a_transient_stand_in_works_as_a_fresh_worker_s_first_use_of_the_orm():
    """The vote and the article page build their consultation from a Core row (db_utils.transient); in a
    fresh process (a new gunicorn worker) that can come before any ORM use has configured the mappers."""
    script = (
        "from consulta import create_app\n"
        "create_app({'DATABASE_URL': 'sqlite://', 'SECRET_KEY': 'x' * 32})\n"
        "from consulta.db_utils import transient\n"
        "from consulta.models import Consultation, Status\n"
        "consultation = transient(Consultation, [('status', Status.DRAFT), ('slug', 'a')])\n"
        "print(consultation.is_public, consultation.slug, consultation.title)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60,
                          cwd=Path(__file__).resolve().parent.parent)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["False", "a", "None"]


# -- reply counts follow every change of a reply's visibility --------------------------------------------

def reply_count_and_truth(app, parent_id):
    """(stored reply_count, visible replies counted now, reply_count after recount())."""
    with app.app_context():
        stored = db.session.get(Contribution, parent_id).reply_count
        visible = db.session.scalar(select(func.count()).select_from(Contribution).where(
            Contribution.parent_id == parent_id, Contribution.visibility == Visibility.VISIBLE))
        services.recount()
        db.session.commit()
        recounted = db.session.get(Contribution, parent_id).reply_count
        # recount() just rewrote it: put the stored value back so later steps still test the services
        db.session.execute(Contribution.__table__.update().where(Contribution.id == parent_id)
                           .values(reply_count=stored))
        db.session.commit()
    return stored, visible, recounted


@pytest.fixture
def thread(app, create_user, open_consultation):
    """A parent contribution with three replies by three people; returns (parent id, reply ids, authors)."""
    ids, _ = articles_of(app, open_consultation.slug)
    authors = [create_user() for _ in range(4)]
    with app.app_context():
        author = db.session.get(User, authors[0].id)
        parent, _ = services.contribute(author, article=db.session.get(Article, ids[0]), kind=ContributionKind.COMMENT,
                                        stance=Stance.AGREE, body="Contribuição que recebe respostas.")
        replies = [services.reply(db.session.get(User, a.id), parent, f"Resposta {n}.")[0]
                   for n, a in enumerate(authors[1:])]
        db.session.commit()
        return parent.id, [r.id for r in replies], authors


def test_reply_count_follows_withdraw_hide_auto_hide_and_restore_of_replies(app, create_user, thread):
    parent_id, reply_ids, authors = thread
    moderator = create_user(role="moderator")
    assert reply_count_and_truth(app, parent_id) == (3, 3, 3)

    with app.app_context():
        services.withdraw(db.session.get(User, authors[1].id), db.session.get(Contribution, reply_ids[0]))
        db.session.commit()
    assert reply_count_and_truth(app, parent_id) == (2, 2, 2)

    with app.app_context():
        services.hide(db.session.get(User, moderator.id), db.session.get(Contribution, reply_ids[1]), "Ofensiva.")
        db.session.commit()
    assert reply_count_and_truth(app, parent_id) == (1, 1, 1)

    reporters = [create_user() for _ in range(app.config["REPORTS_TO_HIDE"])]
    with app.app_context():
        for reporter in reporters:
            services.report(db.session.get(User, reporter.id), db.session.get(Contribution, reply_ids[2]),
                            services.ReportReason.SPAM)
        db.session.commit()
        assert db.session.get(Contribution, reply_ids[2]).visibility is Visibility.PENDING
    assert reply_count_and_truth(app, parent_id) == (0, 0, 0)

    with app.app_context():
        mod = db.session.get(User, moderator.id)
        services.restore(mod, db.session.get(Contribution, reply_ids[2]))
        services.restore(mod, db.session.get(Contribution, reply_ids[1]))
        db.session.commit()
    assert reply_count_and_truth(app, parent_id) == (2, 2, 2)


def test_hiding_a_withdrawn_reply_is_refused_and_counts_stay(app, create_user, thread):
    parent_id, reply_ids, authors = thread
    moderator = create_user(role="moderator")
    with app.app_context():
        services.withdraw(db.session.get(User, authors[1].id), db.session.get(Contribution, reply_ids[0]))
        db.session.commit()
        with pytest.raises(services.ParticipationError):
            services.hide(db.session.get(User, moderator.id), db.session.get(Contribution, reply_ids[0]), "x")
        db.session.rollback()
    assert reply_count_and_truth(app, parent_id) == (2, 2, 2)


@pytest.mark.postgres
def test_two_requests_changing_one_vote_at_once_both_land_in_order(app, create_user, open_consultation):
    """Two connections read the same vote, then both write: the second write waits for the first one's row
    lock, finds the value changed and retries, so tallies stay exact. (SQLite serialises writers up front,
    so the interleaving cannot happen there; the deterministic tests above cover the retry on SQLite.)"""
    user, recs, _ = voted_agree(app, create_user, open_consultation)
    both_read = threading.Barrier(2, timeout=10)
    waited = threading.local()
    errors: list[Exception] = []

    def before_write(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("UPDATE VOTES") and not getattr(waited, "done", False):
            waited.done = True
            both_read.wait()

    def change_to(value: VoteValue) -> None:
        try:
            with app.app_context():
                services.cast_vote(db.session.get(User, user.id), db.session.get(Article, recs[0]), value)
                db.session.commit()
                db.session.remove()
        except Exception as error:  # noqa: BLE001 - collected and asserted below
            errors.append(error)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", before_write)
    try:
        threads = [threading.Thread(target=change_to, args=(v,)) for v in (VoteValue.DISAGREE, VoteValue.ABSTAIN)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
    finally:
        event.remove(engine, "before_cursor_execute", before_write)
    assert errors == []
    assert stored_vote(app, user.id, recs[0]).value in (VoteValue.DISAGREE, VoteValue.ABSTAIN)
    assert tallies(app, recs[0]) == counted_tallies(app, recs[0])
    assert sum(tallies(app, recs[0])) == 1
