"""Online participation for the demo consultation, at the scale of the model case.

The ENGD 2024–2027 consultation received 406 contributions to the draft and over 2,000 votes on its
recommendations. This module creates demo accounts (people in every state and sector, and organizations with
valid CNPJs), 406 online contributions composed from consulta/demo/texts.py (varied stances, proposed new
wordings, removals, two campaigns of near-identical texts), replies, supports, and about 2,200 votes from two
opinion groups and undecided voters, spread over the three weeks before now. Deterministic for a given `now`;
development data only (`make run`), never loaded in production.
"""

import random
from datetime import datetime, timedelta

from sqlalchemy import func, insert, select

from consulta.extensions import db
from consulta.geo import STATES
from consulta.models import (
    AccountKind,
    Article,
    ArticleKind,
    Channel,
    Consultation,
    Contribution,
    ContributionKind,
    Sector,
    Stance,
    Support,
    User,
    Vote,
    VoteValue,
    utcnow,
)
from consulta.participation.services import recount

from . import texts

SEED = 2024
PERSONS = 420
CONTRIBUTIONS = 406
REPLIES = 70
DAYS = 21

# Rough share of Brazil's population by state, so the map looks like the country.
STATE_WEIGHTS = {
    "SP": 22, "MG": 10, "RJ": 8, "BA": 7, "PR": 5.5, "RS": 5.3, "PE": 4.5, "CE": 4.3, "PA": 4.0, "SC": 3.7,
    "GO": 3.5, "MA": 3.3, "AM": 1.9, "ES": 1.9, "PB": 1.9, "MT": 1.8, "RN": 1.6, "PI": 1.6, "AL": 1.5,
    "DF": 1.4, "MS": 1.4, "SE": 1.1, "RO": 0.8, "TO": 0.7, "AC": 0.4, "AP": 0.4, "RR": 0.3,
}
SECTOR_WEIGHTS = {
    Sector.CITIZEN: 45, Sector.CIVIL_SOCIETY: 12, Sector.PRIVATE: 10, Sector.ACADEMIA: 10, Sector.FEDERAL: 8,
    Sector.STATE_MUNICIPAL: 12, Sector.PUBLIC_IT: 3,
}
# How much each article draws comments (the rest get weight 1).
HOT = {
    "Art. 5º": 6, "Art. 6º": 4, "Art. 8º": 7, "Art. 9º": 3, "Art. 11": 3, "Art. 2º": 3, "Art. 3º": 4,
    "Recomendação 1.1": 9, "Recomendação 1.2": 7, "Recomendação 1.4": 5, "Recomendação 3.2": 4,
    "Recomendação 3.5": 7, "Recomendação 4.4": 6, "Recomendação 5.1": 7, "Recomendação 5.2": 4,
    "Recomendação 6.3": 5, "Recomendação 6.5": 6, "Recomendação 2.3": 3,
}
# Two opinion groups vote apart on these recommendations; the rest vote on the merits.
PRIVACY_FIRST = {"1.1": -1, "1.3": -1, "5.1": -1, "5.4": -1, "6.2": -1, "6.5": -1, "3.2": 1, "5.6": 1, "3.5": 1,
                 "1.4": 1}
EFFICIENCY_FIRST = {"1.1": 1, "1.3": 1, "5.1": 1, "5.4": 1, "6.2": 1, "6.5": 1, "4.1": 1, "5.6": -1, "4.6": -1}


def _theme(label: str) -> str:
    """The theme of texts.THEMES that an article's comments talk about."""
    if label.startswith("Recomendação"):
        objective = label.split()[1].split(".")[0]
        return {"1": "identidade", "2": "gestao", "3": "transparencia", "4": "infraestrutura", "5": "dados",
                "6": "usuario"}.get(objective, "usuario")
    number = int("".join(ch for ch in label.split()[1] if ch.isdigit()) or 0)
    return {5: "governanca", 6: "governanca", 7: "governanca", 8: "rede", 9: "revisao", 10: "empresas",
            11: "orcamento", 12: "vigencia"}.get(number, "principios")


def _cnpj(rng: random.Random) -> str:
    """A CNPJ with valid check digits (branch 0001)."""
    digits = [rng.randrange(10) for _ in range(8)] + [0, 0, 0, 1]
    for weights in ([5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2], [6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2]):
        rest = sum(d * w for d, w in zip(digits, weights, strict=True)) % 11
        digits.append(0 if rest < 2 else 11 - rest)
    return "".join(map(str, digits))


class _Clock:
    """Moments in the consultation's first three weeks: busier at the start and near the end, in daytime."""

    def __init__(self, rng: random.Random, now: datetime):
        self.rng, self.start = rng, now - timedelta(days=DAYS)
        self.now = now
        self.day_weights = [9, 8, 6, 5, 5, 4, 4, 4, 3, 3, 3, 3, 3, 4, 4, 5, 6, 7, 8, 10, 6]

    def moment(self) -> datetime:
        day = self.rng.choices(range(DAYS), weights=self.day_weights)[0]
        hour = self.rng.choices(range(24), weights=[1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 3, 5, 6, 6, 5, 5, 6, 6, 6,
                                                     6, 7, 8, 6])[0]  # UTC: Brasília daytime and evening
        moment = self.start + timedelta(days=day, hours=hour, minutes=self.rng.randrange(60),
                                        seconds=self.rng.randrange(60))
        return min(moment, self.now - timedelta(minutes=self.rng.randrange(5, 600)))


def load_demo_participation(consultation: Consultation, now: datetime | None = None) -> tuple[int, int]:
    """Create the demo participation once; (contributions, votes) created, (0, 0) if there was some."""
    has_online = db.session.scalar(select(func.count()).select_from(Contribution).where(
        Contribution.consultation_id == consultation.id, Contribution.channel == Channel.ONLINE))
    if has_online:
        return 0, 0
    now = now or utcnow()
    rng = random.Random(SEED)
    clock = _Clock(rng, now)
    if consultation.opened_at is None or consultation.opened_at > clock.start:
        consultation.opened_at = clock.start
    if consultation.opens_at is None or consultation.opens_at > clock.start:
        consultation.opens_at = clock.start
    articles = list(db.session.scalars(select(Article).where(Article.consultation_id == consultation.id)
                                       .order_by(Article.position)))
    people = _people(rng, clock)
    contributions = _contributions(rng, clock, consultation, articles, people)
    _replies_and_supports(rng, clock, contributions, people)
    votes = _votes(rng, clock, articles, people)
    recount(consultation)
    return len(contributions), votes


def _people(rng: random.Random, clock: _Clock) -> list[tuple[User, str]]:
    """Demo accounts (no password: they cannot sign in) with state, sector and opinion leaning."""
    states, state_weights = zip(*STATE_WEIGHTS.items(), strict=True)
    sectors, sector_weights = zip(*SECTOR_WEIGHTS.items(), strict=True)
    people: list[tuple[User, str]] = []
    for n in range(PERSONS):
        first, last = rng.choice(texts.FIRST_NAMES), rng.choice(texts.SURNAMES)
        uf = states[n] if n < len(states) else rng.choices(states, state_weights)[0]  # every state takes part
        user = User(email=f"pessoa{n + 1}@participantes.consulta.example", display_name=f"{first} {last}",
                    kind=AccountKind.PERSON, uf=uf,
                    sector=rng.choices(sectors, sector_weights)[0], consent_version="demo")
        people.append((user, rng.choices(["privacy", "efficiency", "none"], [3, 3, 4])[0]))
    for n, name in enumerate(texts.ORGANIZATIONS):
        user = User(email=f"organizacao{n + 1}@participantes.consulta.example", display_name=name,
                    kind=AccountKind.ORGANIZATION, cnpj=_cnpj(rng), uf=rng.choices(states, state_weights)[0],
                    sector=rng.choice([Sector.CIVIL_SOCIETY, Sector.PRIVATE, Sector.ACADEMIA]),
                    consent_version="demo")
        people.append((user, rng.choice(["privacy", "efficiency", "none"])))
    for user, _ in people:
        user.created_at = user.consent_at = clock.start + timedelta(minutes=rng.randrange(60 * 24 * 3))
    db.session.add_all([user for user, _ in people])
    db.session.flush()
    return people


def _region(uf: str | None) -> str | None:
    return STATES[uf][1].label if uf in STATES else None


def _compose(rng: random.Random, article: Article, stance: Stance, author: User) -> str:
    arguments, suggestions = texts.THEMES[_theme(article.label)]
    unfit = {Stance.AGREE: "-", Stance.DISAGREE: "+"}.get(stance)
    argument = rng.choice([a for a in arguments if a[0] != unfit] or arguments).lstrip("+-")
    parts = [rng.choice(texts.OPENERS[stance]), argument, rng.choice(suggestions)]
    region = _region(author.uf)
    if region and rng.random() < 0.25:
        parts.insert(2, rng.choice(texts.REGION_REMARKS[region]))
    if author.is_organization and rng.random() < 0.6:
        parts.insert(0, f"Em nome da {author.display_name}:")
    return " ".join(parts)


def _amended(body: str, rng: random.Random) -> str:
    """The article's text with a clause added to its first sentence (a proposed new wording)."""
    first, _, rest = body.partition("\n")
    tail = rng.choice(texts.AMENDMENT_TAILS)
    first = first[:-1] + tail + ":" if first.endswith(":") else first.rstrip(".") + tail + "."
    return first + ("\n" + rest if rest else "")


def _contributions(rng: random.Random, clock: _Clock, consultation: Consultation, articles: list[Article],
                   people: list[tuple[User, str]]) -> list[Contribution]:
    """CONTRIBUTIONS top-level online contributions: composed texts, new wordings, removals and campaigns."""
    by_label = {a.label: a for a in articles}
    open_articles = [a for a in articles if a.accepts_contributions]
    weights = [HOT.get(a.label, 1) for a in open_articles]
    made: list[Contribution] = []

    def add(author: User, article: Article, kind: ContributionKind, stance: Stance, body: str,
            proposed: str | None = None) -> None:
        made.append(Contribution(
            consultation_id=consultation.id, article_id=article.id, section_id=article.section_id,
            author_id=author.id, kind=kind, stance=stance, body=body, proposed_text=proposed,
            channel=Channel.ONLINE, created_at=clock.moment()))

    for campaign, size in ((texts.CAMPAIGN, 24), (texts.CAMPAIGN_IN_FAVOUR, 12)):
        article = by_label.get(campaign["label"])
        if article is None:
            continue
        for user, _ in rng.sample(people[:PERSONS], size):
            add(user, article, ContributionKind.COMMENT, campaign["stance"],
                campaign["body"] + rng.choice(campaign["variants"]))
    active = rng.sample(people, 260)  # most people comment once, some several times
    while len(made) < CONTRIBUTIONS:
        user, leaning = rng.choice(active)
        article = rng.choices(open_articles, weights)[0]
        number = article.label.split()[-1]
        lean = {"privacy": PRIVACY_FIRST, "efficiency": EFFICIENCY_FIRST}.get(leaning, {}).get(number, 0)
        stance = rng.choices([Stance.AGREE, Stance.PARTLY, Stance.DISAGREE, Stance.NONE],
                             [5 + 4 * lean, 3, 2 - 1.5 * lean if lean < 1 else 0.5, 1])[0]
        roll = rng.random()
        if roll < 0.16 and stance is not Stance.DISAGREE:
            add(user, article, ContributionKind.NEW_WORDING, Stance.PARTLY, _compose(rng, article, Stance.PARTLY,
                user), _amended(article.body, rng))
        elif roll < 0.20 and stance is Stance.DISAGREE and article.kind is ArticleKind.RECOMMENDATION:
            add(user, article, ContributionKind.REMOVAL, Stance.DISAGREE,
                _compose(rng, article, Stance.DISAGREE, user) + " Proponho suprimir esta recomendação.")
        else:
            add(user, article, ContributionKind.COMMENT, stance, _compose(rng, article, stance, user))
    # Personal data typed into a text, as happens: the open data and the API mask it.
    made[100].body += " Se precisarem, meu telefone é (61) 99876-5432."
    made[200].body += " Podem me escrever em cidadania.demo@exemplo.com.br."
    made.sort(key=lambda c: c.created_at)
    db.session.add_all(made)
    db.session.flush()
    return made


def _replies_and_supports(rng: random.Random, clock: _Clock, contributions: list[Contribution],
                          people: list[tuple[User, str]]) -> None:
    """Replies to some contributions and supports (a few contributions draw most of them)."""
    replies = []
    for parent in rng.sample(contributions, REPLIES):
        author = rng.choice(people)[0]
        moment = parent.created_at + timedelta(hours=rng.randrange(1, 72))
        replies.append(Contribution(
            consultation_id=parent.consultation_id, article_id=parent.article_id, section_id=parent.section_id,
            parent_id=parent.id, author_id=author.id, kind=ContributionKind.COMMENT, stance=Stance.NONE,
            body=rng.choice(texts.REPLIES), channel=Channel.ONLINE, created_at=min(moment, clock.now)))
    db.session.add_all(replies)
    appeal = [rng.paretovariate(1.3) for _ in contributions]
    rows = set()
    for user, _ in rng.sample(people, 220):
        for contribution in rng.choices(contributions, appeal, k=rng.randint(1, 6)):
            if contribution.author_id != user.id:
                rows.add((contribution.id, user.id))
    db.session.execute(insert(Support), [
        {"contribution_id": c, "user_id": u, "created_at": clock.moment()} for c, u in sorted(rows)])


def _votes(rng: random.Random, clock: _Clock, articles: list[Article], people: list[tuple[User, str]]) -> int:
    """Votes on the recommendations: opinion groups split on some, everybody leans to agree on most."""
    recommendations = [a for a in articles if a.accepts_votes]
    weights = [HOT.get(a.label, 1) + 2 for a in recommendations]
    rows = []
    for user, leaning in people:
        chosen = {rng.choices(recommendations, weights)[0].id: None for _ in range(rng.randint(2, 9))}
        for article in (a for a in recommendations if a.id in chosen):
            lean = {"privacy": PRIVACY_FIRST, "efficiency": EFFICIENCY_FIRST}.get(leaning, {}).get(
                article.label.split()[-1], 0)
            agree = {1: 0.9, 0: 0.68, -1: 0.12}[lean]
            value = rng.choices([VoteValue.AGREE, VoteValue.DISAGREE, VoteValue.ABSTAIN],
                                [agree, (1 - agree) * 0.8, (1 - agree) * 0.2 + 0.04])[0]
            moment = clock.moment()
            rows.append({"article_id": article.id, "user_id": user.id, "value": value, "created_at": moment,
                         "updated_at": moment})
    db.session.execute(insert(Vote), rows)
    return len(rows)
