"""The XSS judge for tests: list everything in an HTML fragment that could run script, load content or restyle the page.

`active_content(html)` parses with the standard library's `html.parser.HTMLParser` (not bleach/html5lib, so
the judge does not share the renderer's parser) and returns one finding per problem, `[]` when clean:

* elements that run or load content, or change how the rest of the page parses (script, style, iframe,
  object, embed, frame(set), base, meta, link, svg, math, form, applet, portal, template, and raw-text
  elements such as noscript/textarea/title/xmp/plaintext that enable mutation XSS);
* attributes: any ``on*`` handler, ``style``, htmx's ``hx-*``/``data-hx-*`` (and, to be strict,
  Alpine/Vue/Angular directives such as ``x-init``, ``v-html``, ``ng-click``), and URL attributes whose value,
  after HTML-unescaping (the parser does one round; the judge repeats until stable, to be strict) and
  removing whitespace and control characters anywhere, starts with ``javascript:``, ``vbscript:`` or
  ``data:`` (plus the historical ``livescript:``/``mocha:``);
* markup the parser did not understand: a literal ``<`` followed by a letter, ``/``, ``!`` or ``?`` in
  text (a browser might read a tag there, especially once the fragment sits inside a page), conditional
  or markup-carrying comments, CDATA sections, processing instructions and declarations.

Full pages have legitimate `<script src>`, `<link>`, `<meta>` and `<form>` in the layout: either judge only
the user-content fragment with `active_content_between(html, start, end)`, or pass `allowed` signatures
``(tag, {attribute: value-or-None})`` that exempt an element whose attribute names match exactly (None
accepts any value).
"""

import html
import re
import unicodedata
from collections.abc import Iterable, Mapping
from html.parser import HTMLParser

Signature = tuple[str, Mapping[str, str | None]]

ACTIVE_TAGS = frozenset({
    "script", "style", "iframe", "object", "embed", "frame", "frameset", "base", "meta", "link", "svg",
    "math", "form", "applet", "portal", "template", "bgsound", "isindex", "param", "xml", "import",
})
# Their content is raw text to a browser but markup to a sanitizer's re-parse (or the other way round):
# the classic mutation-XSS carriers.
RAW_TEXT_TAGS = frozenset({
    "noscript", "noembed", "noframes", "xmp", "plaintext", "textarea", "title", "listing", "comment",
})
# Directives of script frameworks (Alpine, Vue, Angular): inert here, since the site only loads htmx, but
# user content must never carry them, and a judge can afford to be strict.
FRAMEWORK_PREFIXES = ("x-", "v-", "ng-", "data-ng-", "@", ":")
URL_ATTRIBUTES = frozenset({
    "href", "src", "action", "formaction", "xlink:href", "data", "poster", "background", "lowsrc", "dynsrc",
    "cite", "longdesc", "codebase", "classid", "archive", "ping", "manifest", "icon", "profile", "usemap",
    "srcdoc", "to", "from", "values", "by", "attributename", "content",
})
BAD_SCHEMES = ("javascript:", "vbscript:", "data:", "livescript:", "mocha:")
MARKUP_IN_TEXT_RE = re.compile(r"<[a-zA-Z/!?]")
NOT_A_CHARREF_RE = re.compile(r"&#(?![0-9]|[xX][0-9a-fA-F])")


def _squeeze(value: str) -> str:
    """Fully unescaped, lower-cased, with every whitespace, control and format (zero-width) character removed."""
    previous = None
    while previous != value:
        previous, value = value, html.unescape(value)
    return "".join(
        ch for ch in value
        if not (ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf") or ord(ch) <= 0x20)
    ).lower()


def _matches(tag: str, attrs: list[tuple[str, str | None]], allowed: Iterable[Signature]) -> bool:
    """Whether the element matches one of the allowed layout signatures exactly."""
    given = dict(attrs)
    for allowed_tag, allowed_attrs in allowed:
        if allowed_tag != tag or set(allowed_attrs) != set(given) or len(given) != len(attrs):
            continue
        if all(want is None or given[name] == want for name, want in allowed_attrs.items()):
            return True
    return False


class _Judge(HTMLParser):
    """Collects findings while parsing; character references are kept out of text so `&lt;` stays inert."""

    def __init__(self, allowed: Iterable[Signature]) -> None:
        super().__init__(convert_charrefs=False)
        self.allowed = list(allowed)
        self.findings: list[str] = []
        self._text: list[str] = []

    def _flush_text(self) -> None:
        # Text arrives in pieces; join them so a "<" and the "img" after it are judged together.
        text = "".join(self._text)
        self._text = []
        match = MARKUP_IN_TEXT_RE.search(text)
        if match:
            self.findings.append(f"unparsed markup in text: {text[match.start():match.start() + 40]!r}")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._flush_text()
        if _matches(tag, attrs, self.allowed):
            return
        if tag in ACTIVE_TAGS:
            self.findings.append(f"<{tag}> element")
        elif tag in RAW_TEXT_TAGS:
            self.findings.append(f"<{tag}> raw-text element")
        for name, value in attrs:
            self._attribute(tag, name, value or "")

    def _attribute(self, tag: str, name: str, value: str) -> None:
        bare = _squeeze(name)
        if bare.startswith("on"):
            self.findings.append(f"event handler {name}= on <{tag}>")
        elif bare == "style":
            self.findings.append(f"style= on <{tag}>")
        elif bare.startswith(("hx-", "data-hx-", "hx:", "data-hx:")):
            self.findings.append(f"htmx attribute {name}= on <{tag}>")
        elif bare.startswith(FRAMEWORK_PREFIXES):
            self.findings.append(f"framework directive {name}= on <{tag}>")
        elif bare in URL_ATTRIBUTES or bare.endswith(":href"):
            squeezed = _squeeze(value)
            if bare == "content":  # <meta http-equiv=refresh content="0;url=javascript:...">
                squeezed = squeezed.split("url=", 1)[-1]
            if squeezed.startswith(BAD_SCHEMES):
                self.findings.append(f"{squeezed.split(':', 1)[0]}: URL in {name}= on <{tag}>: {value[:60]!r}")

    def handle_endtag(self, tag: str) -> None:
        self._flush_text()

    def handle_data(self, data: str) -> None:
        self._text.append(data)

    def handle_entityref(self, name: str) -> None:
        self._text.append("&")  # an escaped character: text, and it separates what comes before from after

    def handle_charref(self, name: str) -> None:
        self._text.append("&")

    def handle_comment(self, data: str) -> None:
        self._flush_text()
        if "<" in data or ">" in data or "[if" in data.lower():
            self.findings.append(f"comment with markup or IE condition: {data[:60]!r}")

    def handle_decl(self, decl: str) -> None:
        self._flush_text()
        if not decl.lower().startswith("doctype"):
            self.findings.append(f"declaration <!{decl[:40]}>")

    def unknown_decl(self, data: str) -> None:
        self._flush_text()
        self.findings.append(f"CDATA/unknown declaration <![{data[:40]}]>")

    def handle_pi(self, data: str) -> None:
        self._flush_text()
        self.findings.append(f"processing instruction <?{data[:40]}>")

    def close(self) -> None:
        super().close()  # processes what is left, e.g. an unterminated "<img ... onerror=..." at the end
        self._flush_text()


def active_content(html_text: str, *, allowed: Iterable[Signature] = ()) -> list[str]:
    """Findings for everything in `html_text` that could run script, load content or change styling."""
    judge = _Judge(allowed)
    # HTMLParser stops tokenising at "&#" not followed by a number (e.g. "&#;") and later reports the rest,
    # tags included, as text; browsers show such "&#" literally, which "&amp;#" means too.
    judge.feed(NOT_A_CHARREF_RE.sub("&amp;#", html_text))
    judge.close()
    return judge.findings


def fragment_between(html_text: str, start: str, end: str) -> str:
    """The text strictly between the first `start` marker and the next `end` marker; fails loudly if either is missing."""
    begin = html_text.index(start) + len(start)
    return html_text[begin:html_text.index(end, begin)]


def active_content_between(html_text: str, start: str, end: str, *, allowed: Iterable[Signature] = ()) -> list[str]:
    """`active_content` of the user-content fragment of a page, between two markers."""
    return active_content(fragment_between(html_text, start, end), allowed=allowed)
