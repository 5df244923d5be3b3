"""The one parsing layer for what a request brings: ids in paths, page numbers, NUL bytes in text.

- Ids in a path (`<int:...>`) are ASCII digits up to 2³¹−1, the largest key an INTEGER column holds; anything
  else is a 404 before the view runs (Python's `int()` would take "²" or "٣" and the database would choke on
  a number too large for its column).
- Path segments (`<slug>`) never hold control characters (PostgreSQL refuses NUL in text): 404.
- A page number (`?pagina=`) is 1 to MAX_PAGE in ASCII digits; anything else reads as page 1.
- NUL bytes are removed from query and form values: no database stores them, and nobody types them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from flask import Flask, Request
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.routing import IntegerConverter, UnicodeConverter
from werkzeug.utils import cached_property

MAX_ID = 2**31 - 1
MAX_PAGE = 100_000
_DIGITS = re.compile(r"[0-9]{1,10}")


class BoundedIntConverter(IntegerConverter):
    """`<int:...>` that matches ASCII digits only and refuses ids no INTEGER column can hold."""

    regex = r"[0-9]{1,10}"

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None, max: int | None = MAX_ID,  # noqa: A002
                 signed: bool = False) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


class PlainTextConverter(UnicodeConverter):
    """`<slug>` and other text segments: anything but "/" and control characters."""

    def __init__(self, map, minlength: int = 1, maxlength: int | None = None, length: int | None = None) -> None:
        super().__init__(map, minlength=minlength, maxlength=maxlength, length=length)
        self.regex = self.regex.replace("[^/]", "[^/\\x00-\\x1f\\x7f]")


def _without_nul(values: ImmutableMultiDict) -> ImmutableMultiDict:
    if not any("\x00" in value for value in values.values() if isinstance(value, str)):
        return values
    return ImmutableMultiDict([(key.replace("\x00", ""), value.replace("\x00", "") if isinstance(value, str) else value)
                               for key, value in values.items(multi=True)])


class CleanRequest(Request):
    """Flask's request with NUL bytes removed from query-string and form values."""

    @cached_property
    def args(self) -> ImmutableMultiDict:  # type: ignore[override]
        return _without_nul(super().args)

    def _load_form_data(self) -> None:
        super()._load_form_data()
        form = self.__dict__.get("form")
        if form is not None:
            self.__dict__["form"] = _without_nul(form)


def page_number(args: Mapping[str, str], name: str = "pagina") -> int:
    """The page asked for in `args[name]`: 1 to MAX_PAGE in ASCII digits, else 1."""
    return parse_id(args.get(name), MAX_PAGE) or 1


def parse_id(raw: str | None, maximum: int = MAX_ID) -> int | None:
    """`raw` as a positive integer of ASCII digits up to `maximum`, or None."""
    if raw is None or not _DIGITS.fullmatch(raw):
        return None
    value = int(raw)
    return value if 0 < value <= maximum else None


def init_app(app: Flask) -> None:
    """Install the converters (before any route is added) and the request class."""
    app.url_map.converters["int"] = BoundedIntConverter
    app.url_map.converters["default"] = PlainTextConverter
    app.url_map.converters["string"] = PlainTextConverter
    app.request_class = CleanRequest
