"""Per-article statistics on the article page: stance × channel, kind of author, states (small cells "<5")."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import event, select

from consulta.extensions import db
from consulta.models import (
    AccountKind,
    Article,
    Channel,
    Consultation,
    Contribution,
    Stance,
    User,
    Visibility,
    Workshop,
    WorkshopFormat,
)
from consulta.participation.stats import article_statistics

DAY = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)


@pytest.fixture
def seeded(app, create_consultation):
    """One article: 6 people of SP (one contribution each), 2 people of AC (3 each), an organization of RJ,
    a person with no state, 2 workshop inputs from BA; plus a reply, a hidden one and another article's."""
    consultation = create_consultation("open")
    with app.app_context():
        c = db.session.scalar(select(Consultation).where(Consultation.slug == consultation.slug))
        article, other = db.session.scalars(select(Article).where(Article.consultation_id == c.id)
                                            .order_by(Article.position).limit(2)).all()
        people = {uf: [User(email=f"{uf.lower()}{n}@exemplo.com.br", display_name=f"Pessoa {uf} {n}", uf=uf)
                       for n in range(count)] for uf, count in (("SP", 6), ("AC", 2))}
        org = User(email="org@exemplo.com.br", display_name="Instituto", kind=AccountKind.ORGANIZATION,
                   cnpj="11222333000181", uf="RJ")
        nowhere = User(email="sem-uf@exemplo.com.br", display_name="Sem Estado")
        facilitator = User(email="fac@exemplo.com.br", display_name="Facilitadora", uf="SP")
        db.session.add_all([*people["SP"], *people["AC"], org, nowhere, facilitator])
        db.session.flush()
        workshop = Workshop(consultation_id=c.id, facilitator_id=facilitator.id, title="Oficina de Salvador",
                            format=WorkshopFormat.IN_PERSON, starts_at=DAY, uf="BA", municipality_code="2927408",
                            municipality_name="Salvador")
        db.session.add(workshop)
        db.session.flush()

        def add(author, stance=Stance.AGREE, target=article, **kwargs):
            item = Contribution(consultation_id=c.id, article_id=target.id, author_id=author.id, body="Texto.",
                                stance=stance, created_at=DAY, **kwargs)
            db.session.add(item)
            db.session.flush()
            return item

        for person in people["SP"]:
            add(person)
        for person in people["AC"]:
            for _ in range(3):
                add(person, Stance.DISAGREE)
        first = add(org, Stance.PARTLY)
        add(nowhere, Stance.NONE)
        for _ in range(2):
            add(facilitator, Stance.AGREE, channel=Channel.WORKSHOP, workshop_id=workshop.id)
        add(people["SP"][0], parent_id=first.id)  # a reply: not counted
        add(people["SP"][1], visibility=Visibility.HIDDEN)  # hidden: not counted
        add(people["SP"][2], target=other)  # another article
        db.session.commit()
        return {"slug": c.slug, "article": article.id}


def _stats(app, article_id):
    with app.app_context():
        return article_statistics(db.session.get(Article, article_id))


def test_counts_by_stance_channel_and_author(app, seeded):
    stats = _stats(app, seeded["article"])
    assert stats.total == 6 + 6 + 1 + 1 + 2
    assert stats.cell(Stance.AGREE, Channel.ONLINE) == 6
    assert stats.cell(Stance.AGREE, Channel.WORKSHOP) == 2
    assert stats.cell(Stance.DISAGREE, Channel.ONLINE) == 6
    assert stats.stance_total(Stance.PARTLY) == 1 and stats.stance_total(Stance.NONE) == 1
    assert stats.channels == [Channel.ONLINE, Channel.WORKSHOP]
    assert stats.by_author == {"person": 13, "organization": 1, "workshop": 2}


def test_states_suppress_fewer_than_five_people_whatever_they_wrote(app, seeded):
    stats = _stats(app, seeded["article"])
    rows = {row.uf: row for row in stats.states}
    assert set(rows) == {"SP", "AC", "RJ", "BA"}
    assert rows["SP"].online == 6 and rows["SP"].workshop == 0  # the facilitator's own state does not count
    assert str(rows["AC"].online) == "<5"  # 2 people, though 6 contributions
    assert str(rows["RJ"].online) == "<5"
    assert rows["BA"].workshop == 2 and rows["BA"].online == 0  # a workshop's place is public: exact
    assert stats.without_state == 1
    assert [row.uf for row in stats.states][0] == "SP"


def test_statistics_take_one_statement(app, seeded):
    statements = []

    def count(*args):
        statements.append(args[2])

    with app.app_context():
        article = db.session.get(Article, seeded["article"])
        event.listen(db.engine, "before_cursor_execute", count)
        try:
            article_statistics(article)
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
    assert len(statements) == 1, statements


def test_article_page_shows_the_statistics_without_small_cells(client, seeded):
    html = client.get(f"/consultas/{seeded['slug']}/artigos/{seeded['article']}").get_data(as_text=True)
    stats = html.split('id="estatisticas"', 1)[1].split("</details>", 1)[0]
    assert "16 contribuições" in stats
    assert '<abbr title="Acre">AC</abbr></th><td>&lt;5</td>' in stats
    assert '<abbr title="São Paulo">SP</abbr></th><td>6</td>' in stats
    assert "1 contribuição sem estado informado" in stats
    assert "Pessoa AC" not in stats and "Instituto" not in stats


def test_article_without_contributions_says_so(client, create_consultation, app):
    consultation = create_consultation("open")
    with app.app_context():
        article_id = db.session.scalar(select(Article.id).join(Consultation).where(
            Consultation.slug == consultation.slug).limit(1))
    html = client.get(f"/consultas/{consultation.slug}/artigos/{article_id}").get_data(as_text=True)
    assert "Ainda não há contribuições públicas neste dispositivo." in html
