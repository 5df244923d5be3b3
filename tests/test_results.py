"""Results page: totals, suppression of small cells, vote rankings, drafts, query count, no personal data."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import event, func, select

from consulta.extensions import db
from consulta.models import (
    AccountKind,
    Article,
    Channel,
    Consultation,
    Contribution,
    Job,
    ResultsSnapshot,
    Sector,
    User,
    Visibility,
    Vote,
    VoteValue,
    Workshop,
    WorkshopAttendance,
    WorkshopFormat,
    WorkshopStatus,
)
from consulta.results.services import MIN_DIVISION_VOTES, Suppressed, consultation_results, suppress

DRAFT = """# Capítulo I — Disposições gerais

Art. 1º Fica instituída a Estratégia de teste.

# Anexo — Recomendações

1.1 Garantir acesso digital a todos.
1.2 Publicar dados abertos por padrão.
1.3 Formar servidores em dados.
"""
DAY = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)  # 23:00 of 9 March in Brasília


def _user(n: int, uf: str | None, sector: Sector | None, kind: AccountKind = AccountKind.PERSON) -> User:
    user = User(email=f"resultado{n}@exemplo.com.br", display_name=f"Fulana Resultado {n}", uf=uf, sector=sector,
                kind=kind, cnpj=f"{n:014d}" if kind is AccountKind.ORGANIZATION else None)
    db.session.add(user)
    return user


def _seed(app, slug: str, *, extra: int = 0) -> None:
    """Persons in SP and AM, an organization, a workshop in BA with 30 attendees, votes on three recommendations.

    `extra` adds that many more authors, contributions and votes (for the query-count test).
    """
    with app.app_context():
        consultation = db.session.scalar(select(Consultation).where(Consultation.slug == slug))
        articles = db.session.scalars(select(Article).where(Article.consultation_id == consultation.id)
                                      .order_by(Article.position)).all()
        article = articles[0]
        recs = [a for a in articles if a.accepts_votes]
        assert len(recs) == 3
        base = 1000 * (extra + 1)
        authors = [_user(base + n, "SP", Sector.CITIZEN) for n in range(5)]
        authors += [_user(base + 10 + n, "AM", Sector.ACADEMIA) for n in range(2)]
        authors.append(_user(base + 20, "SP", Sector.CIVIL_SOCIETY, AccountKind.ORGANIZATION))
        hidden_author = _user(base + 30, "RJ", Sector.PRIVATE)
        facilitator = _user(base + 40, "BA", None)
        db.session.flush()

        def contribute(author, *, when=DAY, **kwargs):
            item = Contribution(consultation_id=consultation.id, article_id=article.id, author_id=author.id,
                                body="Texto da contribuição.", created_at=when, **kwargs)
            db.session.add(item)
            return item

        first = contribute(authors[0])
        for author in authors[1:]:
            contribute(author, when=DAY + timedelta(days=1))
        contribute(authors[0], when=DAY + timedelta(days=1))  # a second contribution: still one participant
        contribute(hidden_author, visibility=Visibility.HIDDEN)
        db.session.flush()
        contribute(authors[1], parent_id=first.id)  # replies are not counted
        workshop = Workshop(consultation_id=consultation.id, facilitator_id=facilitator.id, title="Oficina de Salvador",
                            format=WorkshopFormat.IN_PERSON, starts_at=DAY, uf="BA", status=WorkshopStatus.HELD,
                            attendance_total=30)
        db.session.add(workshop)
        db.session.flush()
        db.session.add_all([WorkshopAttendance(workshop_id=workshop.id, sector=Sector.CITIZEN, count=20),
                            WorkshopAttendance(workshop_id=workshop.id, sector=Sector.PRIVATE, count=10)])
        contribute(facilitator, channel=Channel.WORKSHOP, workshop_id=workshop.id)
        for n in range(extra):
            more = _user(base + 100 + n, "MG", Sector.ACADEMIA)
            db.session.flush()
            contribute(more, when=DAY + timedelta(days=n % 3))
            db.session.add(Vote(article_id=recs[0].id, user_id=more.id, value=VoteValue.AGREE, created_at=DAY))
        # Tallies come from the counters; a few vote rows feed the timeline.
        for rec, (agree, disagree, abstain) in zip(recs, [(9, 1, 0), (6, 5, 1), (2, 2, 0)], strict=True):
            rec.votes_agree, rec.votes_disagree, rec.votes_abstain = agree, disagree, abstain
        for author in authors[:3]:
            db.session.add(Vote(article_id=recs[1].id, user_id=author.id, value=VoteValue.AGREE,
                                created_at=DAY + timedelta(days=2)))
        db.session.commit()


@pytest.fixture
def seeded(app, create_consultation):
    consultation = create_consultation("open", text=DRAFT)
    _seed(app, consultation.slug)
    return consultation


def _results(app, slug):
    with app.app_context():
        consultation = db.session.scalar(select(Consultation).where(Consultation.slug == slug))
        return consultation_results(consultation)


def test_totals(app, seeded):
    t = _results(app, seeded.slug).totals
    # 8 online authors (5 in SP, 2 in AM, 1 organization) + 30 workshop attendees
    assert (t.participants, t.online_participants, t.attendees, t.workshops) == (38, 8, 30, 1)
    assert t.contributions == 10  # 9 visible top-level online + 1 workshop; hidden and replies excluded
    assert t.votes == 10 + 12 + 4
    assert t.organizations == 1


def test_states_sectors_channels_and_timeline(app, seeded):
    results = _results(app, seeded.slug)
    states = {s.key: s for region in results.regions for s in region.states}
    assert (states["SP"].online, states["AM"].online, states["BA"].workshop, states["RJ"].total) == (6, 2, 30, 0)
    values = results.map_values
    assert values["SP"] == 6 and values["BA"] == 30 and values["RJ"] == 0
    assert isinstance(values["AM"], Suppressed) and str(values["AM"]) == "<5"
    sectors = {row.key: row for row in results.sectors}
    assert (sectors["cidadao"].online, sectors["cidadao"].workshop, sectors["setor_privado"].workshop) == (5, 20, 10)
    assert sectors["nao-informado"].workshop == 0
    assert dict(results.channels) == {"Online": 9, "Oficinas": 1}
    days = {d.day: d for d in results.timeline.days}
    assert min(days) == date(2026, 3, 9)  # 02:00 UTC is still the previous day in Brasília
    assert (days[date(2026, 3, 9)].contributions, days[date(2026, 3, 10)].contributions) == (2, 8)
    assert days[date(2026, 3, 11)].votes == 3 and results.timeline.total == 13


def test_small_cells_are_suppressed(app, client, seeded):
    assert str(suppress(4)) == "<5" and suppress(5) == 5 and suppress(0) == 0
    page = client.get(f"/consultas/{seeded.slug}/resultados").get_data(as_text=True)
    am_row = page.split('id="uf-AM"')[1].split("</tr>")[0]
    assert am_row.count("&lt;5") == 2 and ">2<" not in am_row  # online and total
    sp_row = page.split('id="uf-SP"')[1].split("</tr>")[0]
    assert ">6<" in sp_row
    assert "Amazonas (AM), região Norte: &lt;5 participantes" in page  # the map tile


def test_a_single_participant_in_a_state_is_suppressed(app, client, seeded):
    """The smallest cell there is: one person in a state (and in a sector) is published as "<5", never 1."""
    assert isinstance(suppress(1), Suppressed) and str(suppress(1)) == "<5"
    with app.app_context():
        consultation = db.session.scalar(select(Consultation).where(Consultation.slug == seeded.slug))
        article = db.session.scalar(select(Article).where(Article.consultation_id == consultation.id)
                                    .order_by(Article.position))
        lonely = _user(9001, "PA", Sector.FEDERAL)
        db.session.flush()
        db.session.add(Contribution(consultation_id=consultation.id, article_id=article.id, author_id=lonely.id,
                                    body="A única pessoa do Pará.", created_at=DAY))
        db.session.commit()
    results = _results(app, seeded.slug)
    assert isinstance(results.map_values["PA"], Suppressed)
    sectors = {row.key: row for row in results.sectors}
    assert sectors["governo_federal"].online == 1
    shown = sectors["governo_federal"].shown
    assert isinstance(shown["online"], Suppressed) and isinstance(shown["total"], Suppressed)
    page = client.get(f"/consultas/{seeded.slug}/resultados").get_data(as_text=True)
    sector_row = page.split("<th scope=\"row\">Governo federal</th>")[1].split("</tr>")[0]
    assert sector_row.count("&lt;5") == 2 and ">1<" not in sector_row
    pa_row = page.split('id="uf-PA"')[1].split("</tr>")[0]
    assert pa_row.count("&lt;5") == 2 and ">1<" not in pa_row  # online and total
    assert "Pará (PA), região Norte: &lt;5 participantes" in page


def test_recommendations_sorted_by_agreement_and_division(app, client, seeded):
    results = _results(app, seeded.slug)
    labels = [r.label for r in results.recommendations]
    assert [r.label for r in results.by_agreement] == labels  # 90%, then 50% with 12 votes before 50% with 4
    assert MIN_DIVISION_VOTES == 10
    assert [r.label for r in results.by_division] == [labels[1], labels[0]]  # 6×5 is closer to even than 9×1
    page = client.get(f"/consultas/{seeded.slug}/resultados").get_data(as_text=True)
    division = page.split('id="tabela-divisao"')[1].split("</table>")[0]
    assert f"/consultas/{seeded.slug}/artigos/{results.recommendations[1].id}" in division
    assert f"/artigos/{results.recommendations[2].id}\"" not in division


def test_page_is_accessible_and_csp_safe(client, seeded):
    response = client.get(f"/consultas/{seeded.slug}/resultados")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'style="' not in page and "<script>" not in page
    assert page.count('role="img"') >= 4 and "<title" in page
    assert "O dia de maior participação foi 10/03/2026" in page
    assert client.get(f"/consultas/{seeded.slug}").get_data(as_text=True).count("/resultados") == 1


def test_no_personal_data_in_the_page(client, seeded):
    page = client.get(f"/consultas/{seeded.slug}/resultados").get_data(as_text=True)
    assert "@exemplo.com.br" not in page and "Fulana" not in page and "Resultado 1" not in page


def test_draft_is_404_for_anonymous(client, create_consultation):
    draft = create_consultation("draft", text=DRAFT)
    assert client.get(f"/consultas/{draft.slug}/resultados").status_code == 404
    assert client.get("/consultas/nao-existe/resultados").status_code == 404


def test_empty_consultation_renders(client, create_consultation):
    consultation = create_consultation("open")
    page = client.get(f"/consultas/{consultation.slug}/resultados").get_data(as_text=True)
    assert "Ainda não há contribuições nem votos." in page


def test_query_count_does_not_grow_with_participation(app, client, create_consultation):
    small = create_consultation("open", text=DRAFT)
    large = create_consultation("open", text=DRAFT)
    _seed(app, small.slug)
    _seed(app, large.slug, extra=40)
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        sizes = []
        for slug in (small.slug, large.slug):
            statements.clear()
            assert client.get(f"/consultas/{slug}/resultados").status_code == 200
            sizes.append(len(statements))
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert sizes[0] == sizes[1] <= 12, sizes
    assert _results(app, large.slug).totals.participants == 38 + 40


def test_people_who_only_voted_are_participants(app, seeded, create_user):
    before = _results(app, seeded.slug).totals
    voter = create_user()
    with app.app_context():
        rec = db.session.scalar(select(Article).join(Consultation).where(
            Consultation.slug == seeded.slug, Article.accepts_votes).limit(1))
        db.session.add(Vote(article_id=rec.id, user_id=voter.id, value=VoteValue.DISAGREE, created_at=DAY))
        db.session.commit()
    after = _results(app, seeded.slug).totals
    assert (after.participants, after.online_participants) == (before.participants + 1, before.online_participants + 1)


def test_page_serves_a_snapshot_refreshed_in_the_background(make_app, create_consultation, create_user, monkeypatch):
    """Readers get the stored figures; once they are older than RESULTS_MAX_AGE, one reader still gets them
    while a job of the queue recomputes them, and the next reader sees the new figures."""
    from consulta.results import services

    app = make_app(RESULTS_MAX_AGE=60)
    consultation = create_consultation("open", text=DRAFT)
    url = f"/consultas/{consultation.slug}/resultados"
    client = app.test_client()

    def contributions_shown() -> str:
        page = client.get(url).get_data(as_text=True)
        return page.split("<dt>Contribuições</dt><dd>")[1].split("<")[0]

    assert contributions_shown() == "0"  # first reader: computed now and stored
    author = create_user()
    with app.app_context():
        c = db.session.scalar(select(Consultation).where(Consultation.slug == consultation.slug))
        article = db.session.scalar(select(Article).where(Article.consultation_id == c.id))
        db.session.add(Contribution(consultation_id=c.id, article_id=article.id, author_id=author.id,
                                    body="Nova contribuição."))
        db.session.commit()
        consultation_id = c.id
    assert contributions_shown() == "0"  # fresh snapshot: no recomputation
    with app.app_context():
        refreshes = select(func.count()).select_from(Job).where(Job.name == "refresh_results")
        assert db.session.scalar(refreshes) == 1  # the first reader's, which stored the snapshot

    later = datetime.now(UTC) + timedelta(seconds=61)

    class Clock(datetime):
        @classmethod
        def now(cls, tz=None):
            return later

    monkeypatch.setattr(services, "datetime", Clock)
    assert contributions_shown() == "0"  # stale: still served at once, refresh queued (QUEUE_URL memory://: run now)
    monkeypatch.undo()
    with app.app_context():
        assert db.session.scalar(refreshes) == 2
        assert db.session.get(ResultsSnapshot, consultation_id) is not None
    assert contributions_shown() == "1"
    response = client.get(url)
    assert response.last_modified is not None and response.headers["Cache-Control"].startswith("public")


def test_refresh_results_command(app, seeded):
    """`flask consulta refresh-results` stores every public consultation's snapshot (useful with Redis)."""
    from consulta.extensions import cache
    from consulta.results import services

    result = app.test_cli_runner().invoke(args=["consulta", "refresh-results"])
    assert result.exit_code == 0, result.output
    assert "1 consulta" in result.output
    with app.app_context():
        consultation = db.session.scalar(select(Consultation).where(Consultation.slug == seeded.slug))
        snapshot = cache.get(services._snapshot_key(consultation.id))
        assert snapshot.totals.contributions == 10
        cache.clear()


def test_page_cache_keeps_last_modified(make_app, create_consultation):
    app = make_app(PAGE_CACHE_SECONDS=60, RESULTS_MAX_AGE=60)
    consultation = create_consultation("open", text=DRAFT)
    client = app.test_client()
    first = client.get(f"/consultas/{consultation.slug}/resultados")
    cached = client.get(f"/consultas/{consultation.slug}/resultados")
    assert first.last_modified is not None and cached.last_modified == first.last_modified
    assert client.get(f"/consultas/{consultation.slug}/resultados",
                      headers={"If-Modified-Since": first.headers["Last-Modified"]}).status_code == 304
