"""Statistics of one article for its public page: contributions by stance and channel, by kind of author and
by state, read with one grouped statement (two groupings joined by UNION ALL, one round trip).

The same for every reader (no personal figure): a count of people from one state crossed with this article
goes through `consulta.disclosure.suppress`, so 1–4 people show as "<5"; states of workshop input are the
workshops' public places and are exact.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import String, case, func, literal, null, select, type_coerce, union_all

from consulta.disclosure import suppress
from consulta.extensions import db
from consulta.geo import STATES
from consulta.models import AccountKind, Article, Channel, Contribution, Stance, User, Visibility, Workshop

TOP_STATES = 10
AUTHOR_KINDS = ("person", "organization", "workshop")


@dataclass
class StateRow:
    """Contributions on the article from one state: online (suppressed by people) and from workshops."""

    uf: str
    name: str
    online: int
    workshop: int

    @property
    def total(self) -> int:
        """Online plus workshop input (a suppressed online cell counts as 0)."""
        return int(self.online) + self.workshop


@dataclass
class ArticleStatistics:
    """What the article page's statistics show."""

    total: int = 0
    by_stance_channel: dict[tuple[Stance, Channel], int] = field(default_factory=dict)
    by_author: dict[str, int] = field(default_factory=lambda: dict.fromkeys(AUTHOR_KINDS, 0))
    states: list[StateRow] = field(default_factory=list)  # most contributions first
    without_state: int = 0
    stances: list[Stance] = field(default_factory=lambda: list(Stance))
    channels: list[Channel] = field(default_factory=list)  # the channels that occur, in enum order

    def cell(self, stance: Stance, channel: Channel) -> int:
        """Contributions with this stance through this channel."""
        return self.by_stance_channel.get((stance, channel), 0)

    def stance_total(self, stance: Stance) -> int:
        """Contributions with this stance, all channels."""
        return sum(n for (s, _), n in self.by_stance_channel.items() if s == stance)

    def channel_total(self, channel: Channel) -> int:
        """Contributions through this channel, all stances."""
        return sum(n for (_, c), n in self.by_stance_channel.items() if c == channel)

    @property
    def top_states(self) -> list[StateRow]:
        """The states with most contributions."""
        return self.states[:TOP_STATES]

    @property
    def other_states(self) -> int:
        """How many further states sent something."""
        return max(len(self.states) - TOP_STATES, 0)


def article_statistics(article: Article) -> ArticleStatistics:
    """The article's public top-level contributions counted by stance × channel, kind of author and state."""
    c = Contribution
    author_kind = case((c.workshop_id.is_not(None), literal("workshop")),
                       (User.kind == AccountKind.ORGANIZATION, literal("organization")), else_=literal("person"))
    is_workshop = case((c.workshop_id.is_not(None), 1), else_=0)
    uf = func.coalesce(Workshop.uf, case((c.workshop_id.is_(None), User.uf)))

    def base(*columns):
        return (select(*columns).select_from(c).outerjoin(User, User.id == c.author_id)
                .outerjoin(Workshop, Workshop.id == c.workshop_id)
                .where(c.article_id == article.id, c.parent_id.is_(None), c.visibility == Visibility.VISIBLE))

    kinds = base(literal("kind").label("grouping"), type_coerce(c.stance, String).label("stance"),
                 type_coerce(c.channel, String).label("channel"), author_kind.label("key"),
                 func.count().label("n"), literal(0).label("people")
                 ).group_by(c.stance, c.channel, author_kind)
    states = base(literal("uf").label("grouping"), null().label("stance"), null().label("channel"),
                  uf.label("key"), func.count().label("n"),
                  func.count(func.distinct(case((c.workshop_id.is_(None), c.author_id)))).label("people")
                  ).group_by(uf, is_workshop).add_columns(is_workshop.label("from_workshop"))
    kinds = kinds.add_columns(literal(0).label("from_workshop"))

    stats = ArticleStatistics()
    by_state: dict[str, dict[str, int]] = {}
    for grouping, stance, channel, key, n, people, from_workshop in db.session.execute(union_all(kinds, states)):
        if grouping == "kind":
            pair = (Stance(stance), Channel(channel))
            stats.by_stance_channel[pair] = stats.by_stance_channel.get(pair, 0) + n
            stats.by_author[key] += n
            stats.total += n
        elif key not in STATES:
            stats.without_state += n
        else:
            cell = by_state.setdefault(key, {"online": 0, "workshop": 0})
            if from_workshop:
                cell["workshop"] += n
            else:
                cell["online"] = suppress(people) if 0 < people < 5 else n
    stats.channels = [ch for ch in Channel if stats.channel_total(ch)]
    stats.states = sorted((StateRow(uf, STATES[uf][0], cell["online"], cell["workshop"])
                           for uf, cell in by_state.items()), key=lambda row: (-row.total, row.uf))
    return stats
