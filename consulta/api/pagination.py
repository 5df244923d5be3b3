"""Query parameters and answers of the API: keyset pagination (`limit`, opaque `cursor`) and cacheable JSON.

A page asks the database for the rows after the last key of the previous page (`WHERE key > :after ORDER
BY key LIMIT n + 1`), so page 2,000 costs what page 1 costs. The cursor is that key signed with a key derived
from the secret key (itsdangerous): clients pass it back as it came and cannot build or alter one, so a
cursor never lets them walk the table by database ids of their own choosing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from flask import Response, current_app, request, url_for
from flask_babel import gettext as _
from itsdangerous import BadData, URLSafeSerializer

from consulta.api.errors import InvalidParameter
from consulta.inputs import MAX_ID
from consulta.web import public_cache

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
MAX_CURSOR_LENGTH = 64
_DIGITS = re.compile(r"[0-9]{1,10}")


@dataclass(frozen=True)
class PageRequest:
    """How many items a page holds and the key after which it starts (None: the first page)."""

    limit: int
    after: int | None


@dataclass(frozen=True)
class Page:
    """One page of items and the key to continue after, if more follow."""

    items: list[dict[str, Any]]
    next_after: int | None


def page_request() -> PageRequest:
    """The `limit` and `cursor` of this request, validated (400 naming the parameter otherwise)."""
    limit = _integer_parameter("limit", 1, MAX_LIMIT)
    cursor = request.args.get("cursor")
    return PageRequest(limit=DEFAULT_LIMIT if limit is None else limit,
                       after=None if cursor is None else decode_cursor(cursor))


def id_parameter(name: str) -> int | None:
    """An optional id filter from the query string: a positive integer, or a 400 naming it."""
    return _integer_parameter(name, 1, MAX_ID)


def _integer_parameter(name: str, low: int, high: int) -> int | None:
    raw = request.args.get(name)
    if raw is None:
        return None
    if not _DIGITS.fullmatch(raw) or not low <= int(raw) <= high:
        raise InvalidParameter(name, _("O parâmetro %(name)s deve ser um número inteiro de %(low)s a %(high)s.", name=name, low=low, high=high))
    return int(raw)


def _signer(secret_key: str | bytes | None = None) -> URLSafeSerializer:
    return URLSafeSerializer(secret_key or current_app.config["SECRET_KEY"], salt="consulta.api.cursor")


def encode_cursor(key: int, secret_key: str | bytes | None = None) -> str:
    """The opaque cursor for continuing after `key` (signed with the app's secret key, or `secret_key`)."""
    return _signer(secret_key).dumps(key)


def decode_cursor(cursor: str) -> int:
    """The key inside a cursor made by encode_cursor, or a 400 for anything else (altered, forged, foreign)."""
    invalid = InvalidParameter("cursor", _("O parâmetro cursor é inválido: use o valor recebido em links.next."))
    if not cursor or len(cursor) > MAX_CURSOR_LENGTH or not cursor.isascii():
        raise invalid
    try:
        key = _signer().loads(cursor)
    except BadData:
        raise invalid from None
    if type(key) is not int or not 0 <= key <= MAX_ID or encode_cursor(key) != cursor:
        raise invalid
    return key


def take_page(rows: Sequence[Any], page: PageRequest, key: str, item: Callable[[Any], dict[str, Any]]) -> Page:
    """Turn up to `limit + 1` rows (fetched in key order) into a page: `item(row)` each, and the next key."""
    shown = rows[: page.limit]
    more = len(rows) > page.limit
    return Page(items=[item(row) for row in shown], next_after=getattr(shown[-1], key) if more else None)


def page_response(page: Page, asked: PageRequest, **filters: Any) -> Response:
    """The page as `{"data", "links": {"self", "next"}, "meta": {"limit"}}`, with a Link header when more follow."""
    filters = {name: value for name, value in filters.items() if value is not None}
    self_link = _link(asked.limit, asked.after, filters)
    next_link = None if page.next_after is None else _link(asked.limit, page.next_after, filters)
    return public_json({"data": page.items, "links": {"self": self_link, "next": next_link},
                        "meta": {"limit": asked.limit}},
                       headers={"Link": f'<{next_link}>; rel="next"'} if next_link else None)


def _link(limit: int, after: int | None, filters: dict[str, Any]) -> str:
    cursor = None if after is None else encode_cursor(after)
    return url_for(request.endpoint or "", **(request.view_args or {}), **filters, limit=limit, cursor=cursor)


def public_json(payload: Any, *, headers: dict[str, str] | None = None) -> Response:
    """A JSON answer that depends on nothing but the URL: public, short max-age, ETag, 304 when unchanged."""
    response = current_app.json.response(payload)
    if headers:
        response.headers.update(headers)
    return public_cache(response)
