"""The language of each answer: the locale selector, the footer's language switch, hreflang links.

A page's language is, in order: `?lang=` (a linkable choice that changes nothing; the page's own links
keep it, see keep_lang_in_links), the
visitor's choice from the footer (a cookie), the browser's Accept-Language when LOCALE_FROM_BROWSER is
on (off by default), and DEFAULT_LOCALE. Catalogues live in consulta/translations/<locale>/; the .mo
files are built by `make translations` / `make install`; without them every page is in Portuguese.
"""

from datetime import datetime, tzinfo
from typing import Any
from urllib.parse import urlencode

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    g,
    has_app_context,
    has_request_context,
    redirect,
    request,
    url_for,
)
from flask_babel import get_locale, get_translations

bp = Blueprint("i18n", __name__)

LOCALES = ("pt_BR", "en", "es")
# Each language named in itself, as the footer's selector shows it.
LANGUAGE_NAMES = {"pt_BR": "Português (Brasil)", "en": "English", "es": "Español"}
LANG_COOKIE = "consulta_lang"
LANG_PARAM = "lang"
COOKIE_MAX_AGE = 365 * 24 * 3600


def supported() -> tuple[str, ...]:
    """The locales this deployment offers (LOCALES setting), default first."""
    default = current_app.config["DEFAULT_LOCALE"]
    offered = [code for code in current_app.config["LOCALES"] if code in LOCALES]
    return tuple([default] + [code for code in offered if code != default])


def _known(value: str | None) -> str | None:
    return value if value in supported() else None


def select_locale() -> str:
    """Flask-Babel's locale selector (see the module docstring for the order)."""
    default = current_app.config["DEFAULT_LOCALE"]
    if not has_request_context():
        return default
    if chosen := _known(request.args.get(LANG_PARAM)):
        return chosen
    # The API's answers are cached publicly without Vary: Cookie, so only ?lang= may change their language.
    if request.blueprint != "api" and (chosen := _known(request.cookies.get(LANG_COOKIE))):
        return chosen
    if current_app.config["LOCALE_FROM_BROWSER"]:
        best = request.accept_languages.best_match([code.replace("_", "-") for code in supported()])
        if best:
            return best.replace("-", "_")
    return default


def current_locale() -> str:
    """The locale of this request as a catalogue name (pt_BR, en, es)."""
    return str(get_locale() or current_app.config["DEFAULT_LOCALE"])


def local_moment(moment: datetime, zone: tzinfo, fmt: str) -> str:
    """`moment` in `zone`: as `fmt` (a strftime pattern, the pt-BR form) in Portuguese, else in the reader's
    locale's short form (date only when `fmt` has no hour)."""
    if current_locale() == "pt_BR" or not has_request_context():
        return moment.astimezone(zone).strftime(fmt)
    from flask_babel import format_date, format_datetime

    if "%H" in fmt:
        return format_datetime(moment.astimezone(zone).replace(tzinfo=None), "short", rebase=False)
    return format_date(moment.astimezone(zone), "short")


def html_lang(code: str | None = None) -> str:
    """A locale as a BCP 47 tag for lang and hreflang attributes (pt_BR -> pt-BR)."""
    return (code or current_locale()).replace("_", "-")


def url_in(code: str | None) -> str:
    """This GET page's absolute URL in locale `code` (None: without ?lang=, the x-default)."""
    args = [(k, v) for k, v in request.args.items(multi=True) if k != LANG_PARAM]
    if code:
        args.append((LANG_PARAM, code))
    return request.base_url + ("?" + urlencode(args) if args else "")


def keep_lang_in_links(endpoint: str, values: dict) -> None:
    """url_for on a page reached with ?lang= (and no matching cookie) keeps ?lang= in the links it makes,
    so a visitor who followed a link in another language stays in it without a cookie."""
    if endpoint == "static" or LANG_PARAM in values or not has_request_context():
        return
    chosen = _known(request.args.get(LANG_PARAM))
    if chosen and chosen != request.cookies.get(LANG_COOKIE):
        values[LANG_PARAM] = chosen


def path_without_lang() -> str:
    """This page's path and query without ?lang=, where the language switch sends the visitor back."""
    args = [(k, v) for k, v in request.args.items(multi=True) if k != LANG_PARAM]
    return request.path + ("?" + urlencode(args) if args else "")


@bp.post("/idioma")
def set_language():
    """Remember the visitor's language in a cookie and go back to the page they were on (303)."""
    from consulta.web import safe_next

    _refuse_cross_site()
    code = _known(request.form.get(LANG_PARAM))
    if code is None:
        abort(400)
    target = safe_next(request.form.get("next"), url_for("consultations.home"))
    response = redirect(target, code=303)
    response.set_cookie(LANG_COOKIE, code, max_age=COOKIE_MAX_AGE, httponly=True, samesite="Lax",
                        secure=bool(current_app.config["SECURE_COOKIES"]))
    return response


def _refuse_cross_site() -> None:
    """CSRF defence of the language switch: a browser's cross-site POST is refused (403).

    The switch is in every page's footer, also for anonymous readers whose pages are cached: a
    session-bound CSRF token there would give every reader a session and turn the page cache off. So it
    checks what browsers send on every POST instead (Sec-Fetch-Site, else Origin), as OWASP recommends for
    token-less endpoints; a request with neither header does not come from a browser page.
    """
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None:
        if site not in ("same-origin", "none"):
            abort(403)
        return
    origin = request.headers.get("Origin")
    if origin is not None and origin.rstrip("/") != request.host_url.rstrip("/"):
        abort(403)


def template_translations():
    """Flask-Babel's get_translations(), remembered for the locale in force (templates call it per string).

    Flask-Babel resolves the context, the locale and its catalogue on every `_()` a template makes; here the
    catalogue is kept beside the locale object Flask-Babel holds for this request, and used while that very
    object is in force (force_locale() and refresh() replace it, so they are followed at once).
    """
    state = g.get("_flask_babel")
    locale = getattr(state, "babel_locale", None)
    if locale is not None:
        kept = getattr(state, "consulta_translations", None)
        if kept is not None and kept[0] is locale:
            return kept[1]
    translations = get_translations()
    state = g.get("_flask_babel")
    locale = getattr(state, "babel_locale", None)
    if locale is not None:
        state.consulta_translations = (locale, translations)
    return translations


def gettext(string: str, **variables: Any) -> str:
    """Flask-Babel's gettext, from the catalogue kept for the locale in force (template_translations): the
    same text, for hot request paths (a vote's answer)."""
    text = _catalogue().ugettext(string)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, num: int, **variables: Any) -> str:
    """Flask-Babel's ngettext, as `gettext` above (`num` is available as %(num)s)."""
    variables.setdefault("num", num)
    return _catalogue().ungettext(singular, plural, num) % variables


def _catalogue():
    return template_translations() if has_app_context() else get_translations()


def init_app(app: Flask) -> None:
    """Install the language switch and the template helpers."""
    from consulta.extensions import csrf

    csrf.exempt(set_language)  # see _refuse_cross_site
    # Flask-Babel's own callables, with the catalogue looked up once per locale in force (see above).
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: template_translations().ugettext(s),
        ngettext=lambda s, p, n: template_translations().ungettext(s, p, n),
        pgettext=lambda c, s: template_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: template_translations().unpgettext(c, s, p, n),
        newstyle=True,
    )
    app.url_defaults(keep_lang_in_links)
    app.register_blueprint(bp)
    app.jinja_env.globals.update(
        current_locale=current_locale,
        html_lang=html_lang,
        url_in=url_in,
        path_without_lang=path_without_lang,
        language_names=LANGUAGE_NAMES,
        offered_locales=supported,
    )
