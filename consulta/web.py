"""Request plumbing shared by every blueprint: htmx detection, template helpers, user loading."""

import time
from collections.abc import Collection
from datetime import datetime
from functools import lru_cache
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, g, request
from flask_babel import format_date, format_datetime, format_decimal
from flask_login import current_user

from consulta import authz
from consulta.extensions import login_manager
from consulta.models import User


def passes_through_url_for(name: str, route_args: Collection[str]) -> bool:
    """Whether a query argument may go on as itself through url_for: not one of the target route's own
    arguments (a 500 for "got multiple values"), nor one of url_for's (_external, _scheme, _anchor...)."""
    return name not in route_args and not name.startswith("_")


def is_htmx_partial() -> bool:
    """Whether this request wants a fragment: sent by htmx, not boosted, not a history restore."""
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-Boosted") != "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


def keep_request_csrf_token() -> None:
    """Let this response's forms carry the CSRF token the request's form just proved valid, not a new one.

    For a fragment answering a POST (the vote panel): signing a fresh token costs more than the rest of the
    panel. Only a token Flask-WTF validated in this request (it sets g.csrf_valid after checking the form's
    field, which it reads first) and with at least half of WTF_CSRF_TIME_LIMIT still to live is kept; else
    csrf_token() signs a new one as usual.
    """
    from itsdangerous import BadData
    from itsdangerous.encoding import base64_decode, bytes_to_int

    field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    token = request.form.get(field) if g.get("csrf_valid") else None
    if not token or field in g:
        return
    try:
        signed_at = bytes_to_int(base64_decode(token.rsplit(".", 2)[-2]))
    except (IndexError, ValueError, BadData):
        return
    limit = current_app.config.get("WTF_CSRF_TIME_LIMIT")
    if limit is None or time.time() - signed_at < limit / 2:
        setattr(g, field, token)


def safe_next(target: str | None, default: str) -> str:
    """`target` if it is a local path on this site, else `default` (no open redirects)."""
    if not target:
        return default
    target = target.strip().replace("\\", "/")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    if any(ord(ch) < 32 for ch in target):
        return default
    return target


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """Flask-Login's loader: the account of a sign-in that is still on record (see consulta.auth.sessions)."""
    from consulta.auth.sessions import load_user as load_signed_in_user

    return load_signed_in_user(user_id)


def _date(value: datetime | None, fmt: str = "medium") -> str:
    return format_date(value, fmt) if value else ""


def _datetime(value: datetime | None, fmt: str = "medium") -> str:
    if not value:
        return ""
    if fmt == "short" and _is_pt_br():
        # The pt-BR short form, without a locale lookup per call: pages show dozens of these.
        return value.astimezone(_local_zone()).strftime("%d/%m/%Y %H:%M")
    return format_datetime(value, fmt)


def _is_pt_br() -> bool:
    from consulta.i18n import current_locale

    return current_locale() == "pt_BR"


def number(value, decimals: int | None = None) -> str:
    """A number in the reader's locale (1.234 in pt-BR, 1,234 in en); `decimals` fixes the fraction digits."""
    if value is None:
        return ""
    # Below 1,000 there is no grouping and every offered locale writes the same digits, so the common case
    # (counts, whole percentages) skips Babel; round() is half-even, as Babel's quantize is.
    if type(value) is int and not decimals and 0 <= value < 1000:
        return str(value)
    if type(value) is float and decimals == 0 and 0 <= value < 999.5:
        return str(round(value))
    if decimals is None:
        return format_decimal(value)
    return format_decimal(value, format="#,##0" + ("." + "0" * decimals if decimals else ""))


@lru_cache(maxsize=1)
def _local_zone():
    from zoneinfo import ZoneInfo

    return ZoneInfo(LOCAL_TZ)


def init_app(app: Flask) -> None:
    """Register template globals, filters and the Vary header for htmx-aware responses."""
    from consulta import privacy
    from consulta.drafts import render_article_body
    from consulta.text import render_markdown, render_plain, word_diff

    app.jinja_env.globals.update(
        can=lambda permission: authz.can(current_user, authz.Permission(permission)),
        is_htmx_partial=is_htmx_partial,
        render_body=render_article_body,
        word_diff=word_diff,
        contribution_body=privacy.body_html,
        contribution_proposal=privacy.proposal_html,
    )
    app.jinja_env.filters["shown"] = privacy.shown
    app.jinja_env.filters["user_text"] = render_plain
    app.jinja_env.filters["staff_markdown"] = render_markdown
    app.jinja_env.filters["date"] = _date
    app.jinja_env.filters["datetime"] = _datetime
    app.jinja_env.filters["number"] = number
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.after_request
    def vary_on_htmx(response: Response) -> Response:
        # The same URL answers a fragment to htmx and a page to others: caches must keep them apart.
        response.vary.add("HX-Request")
        return response

    @app.after_request
    def private_unless_public(response: Response) -> Response:
        # The one default: only answers a view marked public (public_cache, static files) may be stored.
        if request.endpoint == "static":
            response.cache_control.public = True
        if not response.cache_control.public:
            private_no_store(response)
        return response


def invalid_form_status() -> int:
    """Status for a re-rendered invalid form: 200 for htmx (which swaps only 2xx), 422 for a full page."""
    return 200 if is_htmx_partial() else 422


def form_status() -> int:
    """200 for a form's first display; for a re-rendered POST, 422 (or 200 for htmx)."""
    return invalid_form_status() if request.method == "POST" else 200


def attach_error(form, error: Exception) -> None:
    """Show a service error on the form field it names (`error.field`), or above the form."""
    field = getattr(form, getattr(error, "field", None) or "", None)
    (field.errors if field is not None else form.form_errors).append(str(error))


LOCAL_TZ = "America/Sao_Paulo"


def local_to_utc(value: datetime | None) -> datetime | None:
    """A naive date-time typed in Brasília time, as aware UTC for storage."""
    from datetime import UTC
    from zoneinfo import ZoneInfo

    return value.replace(tzinfo=ZoneInfo(LOCAL_TZ)).astimezone(UTC) if value else None


def in_zone(value: datetime | None, zone: str) -> datetime | None:
    """A naive date-time typed in `zone`, as aware UTC for storage."""
    from datetime import UTC
    from zoneinfo import ZoneInfo

    return value.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC) if value else None


def from_zone(value: datetime | None, zone: str) -> datetime | None:
    """A stored UTC date-time as naive time in `zone`, to prefill a form."""
    from zoneinfo import ZoneInfo

    return value.astimezone(ZoneInfo(zone)).replace(tzinfo=None) if value else None


def utc_to_local(value: datetime | None) -> datetime | None:
    """A stored UTC date-time as naive Brasília time, to prefill a form."""
    from zoneinfo import ZoneInfo

    return value.astimezone(ZoneInfo(LOCAL_TZ)).replace(tzinfo=None) if value else None


def anonymous_page_cache(view):
    """Serve a public GET page to anonymous readers from a cache for a few seconds (PAGE_CACHE_SECONDS).

    Only readers with no account and an empty session (no flashed message, no form token) share the
    cached page, so nothing personal is ever cached; htmx fragments are keyed apart from full pages.
    Writers are logged in and always see fresh pages; anonymous readers see changes within seconds.
    """
    from functools import wraps

    from flask import current_app, session

    from consulta.accessibility import preferences as accessibility
    from consulta.degrade import shared_cache as cache
    from consulta.i18n import current_locale

    @wraps(view)
    def wrapped(*args, **kwargs):
        if request.method not in ("GET", "HEAD") or current_user.is_authenticated or session:
            return private_no_store(current_app.make_response(view(*args, **kwargs)))
        seconds = current_app.config["PAGE_CACHE_SECONDS"]
        # v3: entries carry Last-Modified; keyed on the language (a cookie or Accept-Language may choose it,
        # not only the URL) and on the display preferences (high contrast, larger text: classes on <html>).
        key = f"page:v3:{current_locale()}:{int(is_htmx_partial())}:{accessibility.cache_key()}:{request.full_path}"
        cached = cache.get(key) if seconds else None
        if cached is not None:
            body, status, mimetype, last_modified = cached
            return public_cache(Response(body, status=status, mimetype=mimetype), last_modified=last_modified)
        response = current_app.make_response(view(*args, **kwargs))
        if response.status_code != 200 or session or response.direct_passthrough:
            return private_no_store(response)  # the view wrote to the session (a flash, a form token)
        if seconds:
            cache.set(key, (response.get_data(), response.status_code, response.mimetype, response.last_modified),
                      timeout=seconds)
        return public_cache(response)

    return wrapped


def public_cache(response: Response, *, max_age: int | None = None,
                 last_modified: datetime | None = None) -> Response:
    """Make a response that does not depend on the session cacheable by browsers and shared caches.

    Sets `Cache-Control: public, max-age` (HTTP_CACHE_SECONDS unless given), a strong ETag of the body
    (unless the view set one), Last-Modified when given, `Vary: Cookie` (a reader who logs in must not get
    the anonymous copy), and answers a matching If-None-Match / If-Modified-Since with 304 and no body.
    Streamed responses keep only Cache-Control: their body is not known in advance.
    """
    from flask import current_app

    response.cache_control.public = True
    response.cache_control.max_age = current_app.config["HTTP_CACHE_SECONDS"] if max_age is None else max_age
    response.vary.add("Cookie")  # also the language cookie (consulta.i18n)
    if current_app.config["LOCALE_FROM_BROWSER"]:
        response.vary.add("Accept-Language")
    if last_modified is not None:
        response.last_modified = last_modified
    if response.is_streamed or response.direct_passthrough:
        return response
    if "ETag" not in response.headers:
        response.add_etag()
    return response.make_conditional(request)


def private_no_store(response: Response) -> Response:
    """A response made for one reader (staff pages, downloads, pages with a flash or form token): neither
    shared caches nor the browser keep it. Every response not marked public gets this (see init_app)."""
    response.cache_control.private = True
    response.cache_control.no_store = True
    response.cache_control.no_cache = None
    response.cache_control.max_age = None
    response.vary.add("Cookie")
    return response


CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def attachment(body, fmt: str, filename: str) -> Response:
    """A download named `filename` of `body` (bytes, text or an iterator of chunks) in `fmt` (csv, json, xlsx).

    The one place downloads get their Content-Type: given whole (never as a mimetype Werkzeug would
    append a second charset to) and with nosniff. Caching is the default private one unless the caller
    marks the response public."""
    response = Response(body, content_type=CONTENT_TYPES[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
