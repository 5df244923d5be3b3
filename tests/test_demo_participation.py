"""The demo consultation's online participation: the model case's size, consistent counters, deterministic."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import delete, func, select
from validate_docbr import CNPJ

from consulta.cli import DEMO_SLUG
from consulta.demo import texts
from consulta.demo.participation import load_demo_participation
from consulta.extensions import db
from consulta.geo import STATES
from consulta.models import (
    AccountKind,
    Article,
    Channel,
    Consultation,
    Contribution,
    ContributionKind,
    Stance,
    Support,
    User,
    Vote,
)
from consulta.participation.services import recount

NOW = datetime(2026, 3, 20, 15, 0, tzinfo=UTC)


@pytest.fixture
def demo(app, runner):
    """The demo consultation with its workshops and the online participation as of NOW."""
    assert runner.invoke(args=["consulta", "load-demo", "--no-accounts"]).exit_code == 0
    with app.app_context():
        consultation = db.session.scalar(select(Consultation).where(Consultation.slug == DEMO_SLUG))
        created = load_demo_participation(consultation, now=NOW)
        db.session.commit()
    return created


def count(model, *conditions) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*conditions))


def test_demo_has_the_model_cases_size(app, demo):
    contributions, votes = demo
    assert contributions == 406 and votes >= 2000
    with app.app_context():
        top_level = (Contribution.channel == Channel.ONLINE, Contribution.parent_id.is_(None))
        assert count(Contribution, *top_level) == 406
        assert count(Vote) == votes
        assert count(Contribution, Contribution.parent_id.is_not(None)) > 50
        assert count(Support) > 300
        assert count(Contribution, Contribution.kind == ContributionKind.NEW_WORDING) > 20
        assert {row for row in db.session.scalars(select(Contribution.stance).distinct())} == set(Stance)
        states = set(db.session.scalars(select(User.uf).where(User.email.like("%@participantes.consulta.example"))))
        assert states == set(STATES)  # every state and the Federal District take part


def test_counters_equal_what_recount_finds(app, demo):
    with app.app_context():
        before = [(a.id, a.votes_agree, a.votes_disagree, a.votes_abstain, a.contributions_agree)
                  for a in db.session.scalars(select(Article).order_by(Article.id))]
        replies = dict(db.session.execute(select(Contribution.id, Contribution.reply_count)).all())
        recount()
        db.session.commit()
        after = [(a.id, a.votes_agree, a.votes_disagree, a.votes_abstain, a.contributions_agree)
                 for a in db.session.scalars(select(Article).order_by(Article.id))]
        assert before == after
        assert replies == dict(db.session.execute(select(Contribution.id, Contribution.reply_count)).all())
        assert sum(row[1] for row in after) > 1000


def test_texts_are_coherent_and_organizations_have_valid_cnpjs(app, demo):
    critical = {a.lstrip("-") for args, _ in texts.THEMES.values() for a in args if a.startswith("-")}
    with app.app_context():
        for body, stance in db.session.execute(select(Contribution.body, Contribution.stance)):
            assert not body.startswith(("+", "-")) and " +" not in body
            if stance is Stance.AGREE:
                assert not any(sentence in body for sentence in critical), body
        cnpjs = list(db.session.scalars(select(User.cnpj).where(User.kind == AccountKind.ORGANIZATION)))
        assert len(cnpjs) == len(texts.ORGANIZATIONS) and all(CNPJ().validate(c) for c in cnpjs)
        assert all(c.created_at <= NOW for c in db.session.scalars(select(Contribution)))


def online_participation(app) -> list[tuple]:
    with app.app_context():
        return db.session.execute(
            select(Contribution.body, Contribution.stance, Contribution.created_at, User.display_name, User.uf)
            .join(User, User.id == Contribution.author_id).where(Contribution.channel == Channel.ONLINE)
            .order_by(Contribution.id)).all()


def test_demo_participation_is_loaded_once_and_is_deterministic(app, demo):
    first = online_participation(app)
    with app.app_context():
        consultation = db.session.scalar(select(Consultation).where(Consultation.slug == DEMO_SLUG))
        assert load_demo_participation(consultation, now=NOW) == (0, 0)  # loaded once
        votes = db.session.execute(select(Vote.article_id, Vote.value).order_by(Vote.id)).all()
        demo_users = select(User.id).where(User.email.like("%@participantes.consulta.example"))
        for model in (Vote, Support):
            db.session.execute(delete(model).where(model.user_id.in_(demo_users)))
        db.session.execute(delete(Contribution).where(Contribution.channel == Channel.ONLINE))
        db.session.execute(delete(User).where(User.id.in_(demo_users)))
        db.session.commit()
        assert load_demo_participation(consultation, now=NOW) != (0, 0)
        db.session.commit()
        assert db.session.execute(select(Vote.article_id, Vote.value).order_by(Vote.id)).all() == votes
    assert online_participation(app) == first


def test_demo_pages_show_the_participation(client, demo):
    page = client.get(f"/consultas/{DEMO_SLUG}/resultados").get_data(as_text=True)
    assert "<dt>Contribuições</dt><dd>0<" not in page and "<dt>Votos</dt><dd>0<" not in page


def test_demo_with_accounts_publishes_a_version_citing_answered_contributions(app, runner, client):
    from consulta.models import Change, ResponseStatus, TextVersion, VersionArticle

    result = runner.invoke(args=["consulta", "load-demo", "--accounts"])
    assert result.exit_code == 0, result.output
    assert "versão 2 publicada" in result.output
    with app.app_context():
        version = db.session.scalar(select(TextVersion))
        assert version.is_published and version.number == 2
        changes = [e for e in version.articles if e.change is not Change.UNCHANGED]
        assert {e.change for e in changes} == {Change.MODIFIED, Change.REMOVED, Change.NEW}
        assert len(changes) == 8 and all(e.justification and e.cited for e in changes)
        cited = [c for e in changes for c in e.cited]
        assert all(c.response_status in (ResponseStatus.ACCEPTED, ResponseStatus.PARTLY_ACCEPTED) for c in cited)
        assert count(Contribution, Contribution.response_status.is_not(None)) > 150
        assert db.session.scalar(select(func.count()).select_from(VersionArticle)) > 40
    assert client.get(f"/consultas/{DEMO_SLUG}/comparativo").status_code == 200
    assert "Não acolhida" in client.get(f"/consultas/{DEMO_SLUG}/devolutiva").get_data(as_text=True)


def test_demo_with_accounts_has_one_finished_run_of_the_whole_consultation(app, runner, client):
    from consulta.models import AnalysisRun, RunScope, RunStatus

    result = runner.invoke(args=["consulta", "load-demo", "--accounts"])
    assert result.exit_code == 0, result.output
    assert "Análise de demonstração" in result.output
    again = runner.invoke(args=["consulta", "load-demo", "--accounts"])
    assert again.exit_code == 0, again.output
    with app.app_context():
        run = db.session.scalar(select(AnalysisRun))
        assert count(AnalysisRun) == 1  # a second load-demo adds no second run
        assert run.status is RunStatus.DONE and run.scope is RunScope.CONSULTATION
        assert run.created_by.email == "analista@consulta.example"
        assert run.result["size"] >= 406
        assert sum(len(g["clusters"]) for g in run.result["groups"]) > 1
        assert run.result["opinion_groups"]
        run_id = run.id
    client.post("/entrar", data={"email": "analista@consulta.example", "password": "demo-analista-consulta"})
    page = client.get("/analise/").get_data(as_text=True)
    assert f"/analise/execucoes/{run_id}" in page
