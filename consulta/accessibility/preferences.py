"""The reader's display preferences (high contrast, larger text): read from one cookie, applied server-side.

The preferences live in a cookie of their own, not in the session, so an anonymous reader who chose them
still shares the anonymous page cache — under a key of their own (`cache_key()`, used by
`consulta.web.anonymous_page_cache`), because the chosen classes are rendered on <html>. The values are a
closed set, so a forged cookie can only select one of the four combinations.
"""

from flask import Flask, request

COOKIE = "consulta_acessibilidade"
MAX_AGE = 365 * 24 * 3600
# preference -> the class on <html> (styled in static/css/app.css)
CLASSES = {"contraste": "alto-contraste", "fonte": "fonte-maior"}


def chosen() -> tuple[str, ...]:
    """The preferences in this request's cookie, known ones only, in a fixed order."""
    raw = request.cookies.get(COOKIE, "")
    given = set(raw.split("."))
    return tuple(name for name in CLASSES if name in given)


def html_class() -> str:
    """The classes for <html>: empty when the reader chose nothing."""
    return " ".join(CLASSES[name] for name in chosen())


def cache_key() -> str:
    """A short key of the chosen combination, for caches of rendered pages ("-" when none)."""
    return ".".join(chosen()) or "-"


def cookie_value(contrast: bool, larger_text: bool) -> str:
    """The cookie's value for these choices (empty: none)."""
    return ".".join(name for name, on in (("contraste", contrast), ("fonte", larger_text)) if on)


def init_app(app: Flask) -> None:
    """Expose the <html> class and the VLibras switch to every template."""

    @app.context_processor
    def accessibility_context() -> dict:
        return {"a11y_html_class": html_class(), "vlibras_enabled": bool(app.config.get("VLIBRAS"))}
