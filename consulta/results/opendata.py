"""Open data of a consultation: text, public contributions, vote tallies and workshops, in CSV and JSON.

Every file is streamed: rows are read from the database in batches (`yield_per`, a server-side cursor on
PostgreSQL) and written out as they come, so memory stays flat however large the consultation is.

No personal data leaves here: persons appear only as a stable pseudonymous id (`privacy.public_pseudonym`),
never by name, e-mail or profile state; organizations by their public name; workshop input by the
workshop's place; contributions by a keyed id (`privacy.public_id`), never the id the HTML pages show. Contribution texts go through `mask_personal_data`; dates are Brasília dates without time.
Individual votes and workshop attendee lists are never published — only tallies.

Speed (``python -m bench opendata``): rows go out in chunks of FLUSH_EVERY, a pseudonym is computed once per
author and stream, and texts that cannot hold an e-mail, CPF, CNPJ or phone number skip the masking
regexes (`masked`).
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime
from functools import lru_cache
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

from flask import Response, stream_with_context
from sqlalchemy import Select, String, select, type_coerce

from consulta.consultations.services import get_visible_or_404
from consulta.disclosure import published
from consulta.extensions import db
from consulta.geo import STATES
from consulta.locale_neutral import iterate_in_default_locale
from consulta.models import (
    AccountKind,
    Article,
    Consultation,
    Contribution,
    Section,
    Sector,
    User,
    Visibility,
    Workshop,
    WorkshopAttendance,
)
from consulta.privacy import masked, public_id, public_pseudonym
from consulta.results import bp
from consulta.results.services import Results, snapshot_results
from consulta.results.verification import LEVEL_FIELDS, level_rows
from consulta.tabular import csv_writer
from consulta.web import attachment, public_cache

BATCH = 1000  # rows fetched from the database at a time
FLUSH_EVERY = 1000  # rows written per chunk sent to the client (some hundreds of KB)
PSEUDONYMS_KEPT = 65_536  # authors whose pseudonym a stream remembers
BRASILIA = ZoneInfo("America/Sao_Paulo")
FORMATS = "<any(csv, json):fmt>"

Row = dict[str, Any]


# -- helpers ---------------------------------------------------------------------------------------------


def local_date(moment: datetime | None) -> str | None:
    """The Brasília calendar date of a UTC timestamp, as YYYY-MM-DD (no time)."""
    if moment is None:
        return None
    return moment.astimezone(BRASILIA).date().isoformat()




def _csv_chunks(fields: list[str], rows: Iterable[Row]) -> Iterator[str]:
    """CSV text (header first, None as empty) in chunks of FLUSH_EVERY rows."""
    buffer = io.StringIO()
    writer = csv_writer(buffer, lineterminator="\r\n")  # neutralises formula-like cells
    buffer.write("\ufeff")  # utf-8-sig: spreadsheet programs then read the accents right
    writer.writerow(fields)
    for n, row in enumerate(rows, 1):
        writer.writerow(map(row.get, fields))  # csv writes None as ""; a missing key is None too
        if n % FLUSH_EVERY == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _json_chunks(rows: Iterable[Row]) -> Iterator[str]:
    """A JSON array, one element per line, in chunks of FLUSH_EVERY elements."""
    encode = _JSON.encode
    parts = ["["]
    separator = "\n"
    for n, row in enumerate(rows, 1):
        parts.append(separator + encode(row))
        separator = ",\n"
        if n % FLUSH_EVERY == 0:
            yield "".join(parts)
            parts.clear()
    parts.append("\n]\n")
    yield "".join(parts)


def _json_default(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


# json.dumps(row, ensure_ascii=False, default=...) would build this encoder anew for every row.
_JSON = json.JSONEncoder(ensure_ascii=False, default=_json_default)


def _stream(consultation: Consultation, dataset: str, fmt: str, fields: list[str],
            rows: Callable[[int], Iterator[Row]]) -> Response:
    """A streamed attachment of `rows(consultation_id)` in `fmt`."""
    consultation_id = consultation.id

    def generate() -> Iterator[bytes]:
        chunks = _csv_chunks(fields, rows(consultation_id)) if fmt == "csv" else _json_chunks(rows(consultation_id))
        for chunk in chunks:
            yield chunk.encode("utf-8")

    response = attachment(stream_with_context(generate()), fmt, f"{consultation.slug}-{dataset}.{fmt}")
    # The same file for everyone once the consultation is public: browsers and proxies may keep it a while.
    return public_cache(response) if consultation.is_public else response


def _batched(statement) -> Iterator[Any]:
    """Rows of `statement`, fetched BATCH at a time (server-side cursor where the driver has one)."""
    yield from db.session.execute(statement.execution_options(yield_per=BATCH))


# -- text ------------------------------------------------------------------------------------------------

TEXT_FIELDS = ["registro", "id", "secao_id", "posicao", "rotulo", "tipo", "texto"]


def _text_rows(consultation_id: int) -> Iterator[Row]:
    sections = select(Section.id, Section.parent_id, Section.position, Section.title, Section.intro).where(
        Section.consultation_id == consultation_id).order_by(Section.position, Section.id)
    for s in _batched(sections):
        yield {"registro": "secao", "id": s.id, "secao_id": s.parent_id, "posicao": s.position,
               "rotulo": s.title, "tipo": "secao", "texto": s.intro}
    articles = select(Article.id, Article.section_id, Article.position, Article.label, Article.kind,
                      Article.body).where(Article.consultation_id == consultation_id).order_by(
        Article.position, Article.id)
    for a in _batched(articles):
        yield {"registro": "artigo", "id": a.id, "secao_id": a.section_id, "posicao": a.position,
               "rotulo": a.label, "tipo": str(a.kind), "texto": a.body}


@bp.route(f"/consultas/<slug>/dados/texto.{FORMATS}")
def opendata_text(slug: str, fmt: str):
    """The consultation's text: sections and articles."""
    consultation = get_visible_or_404(slug)
    return _stream(consultation, "texto", fmt, TEXT_FIELDS, _text_rows)


# -- contributions ---------------------------------------------------------------------------------------

CONTRIBUTION_FIELDS = ["id", "resposta_a", "artigo_id", "artigo", "parte", "tipo", "posicionamento", "canal",
                       "autor_tipo", "autor", "uf", "data", "texto", "texto_proposto", "devolutiva_status",
                       "devolutiva_texto"]


def _workshop_places(consultation_id: int) -> dict[int, tuple[str, str | None]]:
    """Each workshop's public place label and UF (workshops per consultation are few)."""
    rows = db.session.execute(select(Workshop.id, Workshop.format, Workshop.municipality_name, Workshop.uf,
                                     Workshop.title).where(Workshop.consultation_id == consultation_id))
    return {r.id: (Workshop.place_label.fget(SimpleNamespace(**r._mapping)), r.uf) for r in rows}


@iterate_in_default_locale  # open data is a contract: workshop names in the platform's language
def _contribution_rows(consultation_id: int) -> Iterator[Row]:
    """Visible contributions and replies as open-data rows: authors pseudonymized, texts masked, dates only."""
    places = _workshop_places(consultation_id)
    pseudonyms = lru_cache(maxsize=PSEUDONYMS_KEPT)(public_pseudonym)  # one HMAC per author, not per row
    for (id_, parent_id, article_id, label, part, kind, stance, channel, author_id, workshop_id, created_at, body,
         proposed_text, response_status, response_text, author_kind, display_name, deleted_at,
         ) in _batched(_contribution_query(consultation_id)):
        author_type, author, uf = _identity(workshop_id, author_id, deleted_at, author_kind, display_name, places,
                                            pseudonyms)
        yield {
            "id": public_id(id_), "resposta_a": public_id(parent_id), "artigo_id": article_id, "artigo": label,
            "parte": part or None, "tipo": kind,
            "posicionamento": stance, "canal": channel, "autor_tipo": author_type, "autor": author, "uf": uf,
            "data": local_date(created_at), "texto": masked(body or ""),
            "texto_proposto": masked(proposed_text) if proposed_text else None,
            "devolutiva_status": response_status or None,
            "devolutiva_texto": masked(response_text) if response_text else None,
        }


def _contribution_query(consultation_id: int) -> Select:
    """The visible contributions with their article label and author, in id order.

    A Core statement on the tables, with enum columns read as their stored strings (the values the files
    show): rows skip the ORM's per-row work and the enum conversion and back.
    """
    c, article, user = Contribution.__table__.c, Article.__table__.c, User.__table__.c

    def stored(column, name: str):
        return type_coerce(column, String).label(name)

    return (
        select(c.id, c.parent_id, c.article_id, article.label, c.part, stored(c.kind, "kind"), stored(c.stance, "stance"),
               stored(c.channel, "channel"), c.author_id, c.workshop_id, c.created_at, c.body, c.proposed_text,
               stored(c.response_status, "response_status"), c.response_text,
               stored(user.kind, "author_kind"), user.display_name, user.deleted_at)
        .select_from(Contribution.__table__)
        .outerjoin(Article.__table__, article.id == c.article_id)
        .outerjoin(User.__table__, user.id == c.author_id)
        .where(c.consultation_id == consultation_id, c.visibility == Visibility.VISIBLE)
        .order_by(c.id)
    )


def _author(c: Any, places: dict[int, tuple[str, str | None]],
            pseudonyms: Callable[[int], str | None] = public_pseudonym) -> tuple[str, str | None, str | None]:
    """(kind, public identity, UF) of a row with workshop_id, author_id, deleted_at, author_kind, display_name."""
    return _identity(c.workshop_id, c.author_id, c.deleted_at, c.author_kind, c.display_name, places, pseudonyms)


def _identity(workshop_id: int | None, author_id: int | None, deleted_at: datetime | None, author_kind: Any,
              display_name: str | None, places: dict[int, tuple[str, str | None]],
              pseudonyms: Callable[[int], str | None]) -> tuple[str, str | None, str | None]:
    """(kind, public identity, UF): workshop place and UF, organization name, or a person's pseudonym."""
    if workshop_id is not None and workshop_id in places:
        label, uf = places[workshop_id]
        return "oficina", label, uf
    if author_id is None or deleted_at is not None:
        return "removido", None, None
    if author_kind is AccountKind.ORGANIZATION or author_kind == AccountKind.ORGANIZATION.value:
        return "organizacao", display_name, None
    return "pessoa", pseudonyms(author_id), None


@bp.route(f"/consultas/<slug>/dados/contribuicoes.{FORMATS}")
def opendata_contributions(slug: str, fmt: str):
    """Public contributions and replies, pseudonymized and masked."""
    consultation = get_visible_or_404(slug)
    return _stream(consultation, "contribuicoes", fmt, CONTRIBUTION_FIELDS, _contribution_rows)


# -- votes -----------------------------------------------------------------------------------------------

VOTE_FIELDS = ["artigo_id", "artigo", "concordo", "discordo", "abstencao", "total"]


def _vote_rows(consultation_id: int) -> Iterator[Row]:
    statement = select(Article.id, Article.label, Article.votes_agree, Article.votes_disagree,
                       Article.votes_abstain).where(Article.consultation_id == consultation_id,
                                                    Article.accepts_votes.is_(True)).order_by(Article.position)
    for a in _batched(statement):
        yield {"artigo_id": a.id, "artigo": a.label, "concordo": a.votes_agree, "discordo": a.votes_disagree,
               "abstencao": a.votes_abstain, "total": a.votes_agree + a.votes_disagree + a.votes_abstain}


@bp.route(f"/consultas/<slug>/dados/votos.{FORMATS}")
def opendata_votes(slug: str, fmt: str):
    """Vote tallies per recommendation (never individual votes)."""
    consultation = get_visible_or_404(slug)
    return _stream(consultation, "votos", fmt, VOTE_FIELDS, _vote_rows)


@bp.route(f"/consultas/<slug>/dados/votos-por-verificacao.{FORMATS}")
def opendata_votes_by_level(slug: str, fmt: str):
    """Vote tallies per recommendation and verification level of the voters (small cells as "<5")."""
    consultation = get_visible_or_404(slug)
    return _stream(consultation, "votos-por-verificacao", fmt, LEVEL_FIELDS, level_rows)


# -- workshops -------------------------------------------------------------------------------------------

SECTOR_FIELDS = [f"publico_{sector.value}" for sector in Sector]
WORKSHOP_FIELDS = ["id", "titulo", "formato", "uf", "municipio_ibge", "municipio", "data", "publico_alvo",
                   "situacao", "publico_total", *SECTOR_FIELDS]


def _workshop_rows(consultation_id: int) -> Iterator[Row]:
    by_sector: dict[int, dict[str, int]] = {}
    counts = select(WorkshopAttendance.workshop_id, WorkshopAttendance.sector, WorkshopAttendance.count).join(
        Workshop, Workshop.id == WorkshopAttendance.workshop_id).where(Workshop.consultation_id == consultation_id)
    for r in db.session.execute(counts):
        by_sector.setdefault(r.workshop_id, {})[f"publico_{Sector(r.sector).value}"] = published(r.count)
    statement = select(Workshop.id, Workshop.title, Workshop.format, Workshop.uf, Workshop.municipality_code,
                       Workshop.municipality_name, Workshop.starts_at, Workshop.audience, Workshop.status,
                       Workshop.attendance_total).where(Workshop.consultation_id == consultation_id).order_by(
        Workshop.starts_at, Workshop.id)
    for w in _batched(statement):
        sectors = by_sector.get(w.id, {})
        yield {"id": w.id, "titulo": w.title, "formato": str(w.format), "uf": w.uf,
               "municipio_ibge": w.municipality_code, "municipio": w.municipality_name,
               "data": local_date(w.starts_at), "publico_alvo": str(w.audience), "situacao": str(w.status),
               "publico_total": w.attendance_total, **{field: sectors.get(field) for field in SECTOR_FIELDS}}


@bp.route(f"/consultas/<slug>/dados/oficinas.{FORMATS}")
def opendata_workshops(slug: str, fmt: str):
    """Workshops with their attendance, in total and by sector (never the attendance list; sectors of 1–4
    people as "<5")."""
    consultation = get_visible_or_404(slug)
    return _stream(consultation, "oficinas", fmt, WORKSHOP_FIELDS, _workshop_rows)


# -- participation by state and by sector (cross-tabs, suppressed) ---------------------------------------

STATE_FIELDS = ["regiao", "uf", "estado", "participantes_online", "publico_oficinas", "total", "oficinas"]
SECTOR_TABLE_FIELDS = ["setor", "setor_nome", "participantes_online", "publico_oficinas", "total"]


def _snapshot(consultation_id: int) -> Results:
    return snapshot_results(db.session.get(Consultation, consultation_id))


def _people(row) -> Row:
    """A cross-tab row's counts of people as published: 1–4 become "<5"."""
    return {"participantes_online": published(row.online), "publico_oficinas": published(row.workshop),
            "total": published(row.total)}


def _state_rows(consultation_id: int) -> Iterator[Row]:
    results = _snapshot(consultation_id)
    for group in results.regions:
        for state in group.states:
            yield {"regiao": group.row.label, "uf": state.key, "estado": STATES[state.key][0], **_people(state),
                   "oficinas": state.workshops}
    yield {"regiao": None, "uf": None, "estado": results.without_uf.label, **_people(results.without_uf),
           "oficinas": results.without_uf.workshops}


def _sector_rows(consultation_id: int) -> Iterator[Row]:
    for row in _snapshot(consultation_id).sectors:
        yield {"setor": row.key, "setor_nome": row.label, **_people(row)}


@bp.route(f"/consultas/<slug>/dados/estados.{FORMATS}")
def opendata_states(slug: str, fmt: str):
    """Participants by state (online by the profile's state, workshop attendees by the workshop's)."""
    consultation = get_visible_or_404(slug)
    return _stream(consultation, "estados", fmt, STATE_FIELDS, _state_rows)


@bp.route(f"/consultas/<slug>/dados/setores.{FORMATS}")
def opendata_sectors(slug: str, fmt: str):
    """Participants by sector, online and in workshops."""
    consultation = get_visible_or_404(slug)
    return _stream(consultation, "setores", fmt, SECTOR_TABLE_FIELDS, _sector_rows)
