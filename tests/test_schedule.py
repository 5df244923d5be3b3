"""The consultation's clock: every participation route refuses outside the window, at the second."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from consulta.extensions import db
from consulta.models import (
    Article,
    Channel,
    Consultation,
    Contribution,
    ContributionKind,
    Phase,
    Report,
    Role,
    Stance,
    Support,
    User,
    Vote,
    Workshop,
    WorkshopFormat,
)
from consulta.participation import gate

OPENS = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)
CLOSES = datetime(2027, 3, 16, 2, 59, tzinfo=UTC)  # 15/03/2027, 23:59 in Brasília
SECOND = timedelta(seconds=1)


@dataclass
class Scene:
    """What a participation route needs: the consultation, an article, a section and target contributions."""

    slug: str
    article_id: int
    vote_article_id: int
    section_id: int
    theirs_id: int
    mine_id: int
    workshop_id: int


def set_scene(app, consultation: Consultation, actor: User, other: User) -> Scene:
    """Dates on the consultation, a contribution by someone else, one by the actor, a workshop of the actor."""
    with app.app_context():
        c = db.session.get(Consultation, consultation.id)
        c.opens_at, c.closes_at = OPENS, CLOSES
        articles = list(db.session.scalars(select(Article).where(Article.consultation_id == c.id)
                                           .order_by(Article.position)))
        article = next(a for a in articles if a.accepts_contributions)
        voting = next(a for a in articles if a.accepts_votes)
        rows = [Contribution(consultation_id=c.id, article_id=article.id, section_id=article.section_id,
                             author_id=author.id, kind=ContributionKind.COMMENT, stance=Stance.NONE,
                             body=f"Texto de {author.display_name}.", channel=Channel.ONLINE)
                for author in (other, actor)]
        workshop = Workshop(consultation_id=c.id, facilitator_id=actor.id, title="Oficina", uf="DF",
                            format=WorkshopFormat.REMOTE, starts_at=OPENS - timedelta(days=1))
        db.session.add_all([*rows, workshop])
        db.session.commit()
        return Scene(c.slug, article.id, voting.id, article.section_id, rows[0].id, rows[1].id, workshop.id)


def count(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def edited(app, scene: Scene) -> int:
    with app.app_context():
        return int(db.session.get(Contribution, scene.mine_id).edited_at is not None)


# route name -> (request(client, scene), how many rows the write leaves)
ROUTES = {
    "contribute": (
        lambda c, s: c.post(f"/consultas/{s.slug}/artigos/{s.article_id}/contribuicoes",
                            data={"kind": "comment", "stance": "none", "body": "Uma contribuição no prazo."}),
        lambda app, s: count(app, Contribution, Contribution.parent_id.is_(None), Contribution.channel == "online"),
    ),
    "propose": (
        lambda c, s: c.post(f"/consultas/{s.slug}/secoes/{s.section_id}/propostas",
                            data={"body": "Justificativa.", "proposed_text": "Art. novo. Texto."}),
        lambda app, s: count(app, Contribution, Contribution.kind == "new_article"),
    ),
    "reply": (
        lambda c, s: c.post(f"/contribuicoes/{s.theirs_id}/respostas",
                            data={f"r{s.theirs_id}-body": "Uma resposta no prazo."}),
        lambda app, s: count(app, Contribution, Contribution.parent_id.is_not(None)),
    ),
    "edit": (
        lambda c, s: c.post(f"/contribuicoes/{s.mine_id}/editar", data={"body": "Texto editado.", "stance": "none"}),
        edited,
    ),
    "support": (
        lambda c, s: c.post(f"/contribuicoes/{s.theirs_id}/apoio", data={"support": "1"}),
        lambda app, s: count(app, Support),
    ),
    "vote": (
        lambda c, s: c.post(f"/consultas/{s.slug}/artigos/{s.vote_article_id}/voto", data={"value": "agree"}),
        lambda app, s: count(app, Vote),
    ),
    "report": (
        lambda c, s: c.post(f"/contribuicoes/{s.theirs_id}/denuncia", data={f"d{s.theirs_id}-reason": "spam"}),
        lambda app, s: count(app, Report),
    ),
    "workshop_input": (
        lambda c, s: c.post(f"/oficinas/{s.workshop_id}/relato", data={
            "rows-0-article": str(s.article_id), "rows-0-kind": "comment", "rows-0-stance": "none",
            "rows-0-body": "O que a sala disse."}),
        lambda app, s: count(app, Contribution, Contribution.channel == "workshop"),
    ),
}

# moment -> whether online participation is accepted then; workshop input held before the close is accepted
# after it too (until the reporting deadline), so only "before opening" refuses it.
MOMENTS = {
    "1s before opening": (OPENS - SECOND, False),
    "1s after opening": (OPENS + SECOND, True),
    "1s before closing": (CLOSES - SECOND, True),
    "1s after closing": (CLOSES + SECOND, False),
}


@pytest.mark.parametrize("moment", MOMENTS)
@pytest.mark.parametrize("route", ROUTES)
def test_every_participation_route_follows_the_window_to_the_second(app, client, auth, create_user,
                                                                     create_consultation, route, moment):
    when, online_allowed = MOMENTS[moment]
    allowed = online_allowed or (route == "workshop_input" and moment == "1s after closing")
    send, stored = ROUTES[route]
    with time_machine.travel(when, tick=False):
        actor = create_user(Role.FACILITATOR)
        scene = set_scene(app, create_consultation("open"), actor, create_user())
        auth.login(actor)
        before = stored(app, scene)
        response = send(client, scene)
        after = stored(app, scene)
    if allowed:
        assert response.status_code == 303, response.get_data(as_text=True)[:2000]
        assert after == before + 1
    else:
        assert response.status_code == 403
        assert after == before
        page = response.get_data(as_text=True)
        assert ("abre em 01/03/2027, 09:00 (horário de Brasília)" in page if when < OPENS
                else "foi encerrada em 15/03/2027, 23:59 (horário de Brasília)" in page)


def test_htmx_vote_after_the_close_answers_the_panel_with_the_reason(app, client, auth, create_user,
                                                                     create_consultation):
    with time_machine.travel(CLOSES + SECOND, tick=False):
        actor = create_user()
        scene = set_scene(app, create_consultation("open"), actor, create_user())
        auth.login(actor)
        response = client.post(f"/consultas/{scene.slug}/artigos/{scene.vote_article_id}/voto",
                               data={"value": "agree"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "foi encerrada" in response.get_data(as_text=True)
    assert count(app, Vote) == 0


@pytest.mark.parametrize(("offset", "facilitator_allowed"), [(-SECOND, True), (SECOND, False)])
def test_workshop_input_after_the_close_stops_at_the_reporting_deadline_except_for_admins(
        app, create_user, create_consultation, offset, facilitator_allowed):
    deadline = CLOSES + timedelta(days=app.config["WORKSHOP_REPORTING_DAYS"])
    facilitator, admin = create_user(Role.FACILITATOR), create_user(Role.ADMIN)
    scene = set_scene(app, create_consultation("open"), facilitator, create_user())
    with app.app_context():
        consultation = db.session.get(Consultation, db.session.get(Workshop, scene.workshop_id).consultation_id)
        held_before = db.session.get(Workshop, scene.workshop_id)
        held_after = Workshop(consultation_id=consultation.id, facilitator_id=facilitator.id, title="Tarde demais",
                              format=WorkshopFormat.REMOTE, starts_at=CLOSES + timedelta(hours=1))
        fac, adm = db.session.get(User, facilitator.id), db.session.get(User, admin.id)
        now = deadline + offset
        action = gate.Action.WORKSHOP_INPUT
        assert bool(gate.decide(fac, consultation, action, workshop=held_before, now=now)) is facilitator_allowed
        assert not gate.decide(fac, consultation, action, workshop=held_after, now=CLOSES + timedelta(days=1))
        assert gate.decide(adm, consultation, action, workshop=held_before, now=now)
        assert not gate.decide(fac, consultation, action, workshop=held_before, now=OPENS - SECOND)


def test_state_is_derived_from_the_clock_and_the_admin_can_close_early_or_extend(app, create_consultation):
    consultation = create_consultation("open")
    with app.app_context():
        c = db.session.get(Consultation, consultation.id)
        c.opens_at, c.closes_at = OPENS, CLOSES
        assert [c.phase_at(t) for t in (OPENS - SECOND, OPENS, CLOSES - SECOND, CLOSES)] == [
            Phase.UPCOMING, Phase.OPEN, Phase.OPEN, Phase.CLOSED]
        with time_machine.travel(CLOSES - timedelta(days=12, hours=1), tick=False):
            assert c.schedule_sentence() == "Encerra em 12 dias — até 15/03/2027, 23:59, horário de Brasília"
        with time_machine.travel(CLOSES + SECOND, tick=False):
            c.extend(CLOSES + timedelta(days=5))
            assert c.is_open
            assert c.deadline_note == "Prazo prorrogado até 20/03/2027, 23:59 (horário de Brasília)."
            c.close()
            assert c.phase is Phase.CLOSED and c.ended_at == CLOSES + SECOND
        db.session.rollback()
