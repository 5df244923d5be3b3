"""What a search asks for, read from the query string (anything unknown is ignored) and written back as links."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict

from consulta.geo import STATES, Region
from consulta.inputs import page_number, parse_id
from consulta.models import Channel, ContributionKind, Stance
from consulta.search.backends import words
from consulta.web import passes_through_url_for

MAX_QUERY_LENGTH = 200
# The search's own query-string arguments (SearchQuery.args writes them, query_from_args reads them).
PARAMS = ("q", "posicao", "canal", "tipo", "uf", "regiao", "autor", "resposta", "artigo", "ordem", "pagina")

SORTS = {
    "relevancia": _l("Mais relevantes"),
    "apoiadas": _l("Mais apoiadas"),
    "recentes": _l("Mais recentes"),
    "respostas": _l("Mais respondidas"),
}
CHANNELS = {
    Channel.ONLINE: _l("Pela internet"),
    Channel.WORKSHOP: _l("Em oficinas"),
    Channel.DOCUMENT: _l("Documentos enviados"),
}
AUTHORS = {"pessoa": _l("Pessoas"), "organizacao": _l("Organizações")}
ANSWERS = {"com": _l("Com resposta da equipe"), "sem": _l("Sem resposta da equipe")}


@dataclass(frozen=True)
class SearchQuery:
    """The words and filters of one search; None means "any"."""

    q: str = ""
    stance: Stance | None = None
    channel: Channel | None = None
    kind: ContributionKind | None = None
    uf: str | None = None
    region: Region | None = None
    author: str | None = None  # "pessoa" | "organizacao"
    answered: str | None = None  # "com" | "sem"
    article_id: int | None = None
    sort: str = ""  # "" = relevance when there are words, else newest
    page: int = 1

    @property
    def default_order(self) -> str:
        """The sort when none is asked for: relevance with words, else newest."""
        return "relevancia" if words(self.q) else "recentes"

    @property
    def order(self) -> str:
        """The sort actually applied: relevance needs words to be relevant to."""
        if self.sort and (self.sort != "relevancia" or words(self.q)):
            return self.sort
        return self.default_order

    @property
    def filtered(self) -> bool:
        """Whether any filter besides the words is set."""
        return any(value is not None for value in (self.stance, self.channel, self.kind, self.uf, self.region,
                                                   self.author, self.answered, self.article_id))

    def args(self, **changes: Any) -> dict[str, Any]:
        """Query-string arguments for this search with some changed, defaults left out (for links): the one
        canonical form of a search, so a sort that is the default one is left out too."""
        query = replace(self, **{k: v for k, v in changes.items() if k != "pagina"})
        page = changes.get("pagina", query.page)
        args = {
            "q": query.q or None,
            "posicao": query.stance.value if query.stance else None,
            "canal": query.channel.value if query.channel else None,
            "tipo": query.kind.value if query.kind else None,
            "uf": query.uf,
            "regiao": query.region.value if query.region else None,
            "autor": query.author,
            "resposta": query.answered,
            "artigo": query.article_id,
            "ordem": query.order if query.order != query.default_order else None,
            "pagina": page if page and page > 1 else None,
        }
        return {k: v for k, v in args.items() if v is not None}


def canonical_args(query: SearchQuery, args: MultiDict[str, str]) -> dict[str, Any]:
    """The query string of the page showing `query`, canonical: the search's own arguments as `args()` writes
    them, and any other argument (?lang=, say) kept as given unless empty (or one url_for would take as its
    own: the route's slug, _scheme...)."""
    others = {name: [value for value in args.getlist(name) if value] for name in args
              if name not in PARAMS and passes_through_url_for(name, ("slug",))}
    return {**query.args(), **{name: values for name, values in others.items() if values}}


def is_canonical(args: MultiDict[str, str], canonical: Mapping[str, Any]) -> bool:
    """Whether `args` is already the canonical query string (in any order)."""
    wanted = {name: [str(v) for v in value] if isinstance(value, list) else [str(value)]
              for name, value in canonical.items()}
    return {name: args.getlist(name) for name in args} == wanted


def _choice(raw: str | None, allowed) -> Any:
    return raw if raw in allowed else None


def query_from_args(args: Mapping[str, str]) -> SearchQuery:
    """The search in `args`: words cut to MAX_QUERY_LENGTH, unknown filter values and sorts ignored."""
    uf = (args.get("uf") or "").upper()
    stance, channel, kind, region = (
        _choice(args.get(name), enum._value2member_map_)
        for name, enum in (("posicao", Stance), ("canal", Channel), ("tipo", ContributionKind), ("regiao", Region))
    )
    return SearchQuery(
        q=" ".join((args.get("q") or "")[:MAX_QUERY_LENGTH].split()),
        stance=Stance(stance) if stance else None,
        channel=Channel(channel) if channel else None,
        kind=ContributionKind(kind) if kind else None,
        uf=uf if uf in STATES else None,
        region=Region(region) if region else None,
        author=_choice(args.get("autor"), AUTHORS),
        answered=_choice(args.get("resposta"), ANSWERS),
        article_id=parse_id(args.get("artigo")),
        sort=_choice(args.get("ordem"), SORTS) or "",
        page=page_number(args),
    )
