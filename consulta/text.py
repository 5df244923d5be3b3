"""The one place where user text becomes HTML: plain-text bodies, the small Markdown subset and word diffs.

House rule: text is stored as typed and escaped by Jinja on output. Only the functions here return
`Markup`, and nothing else in the code sanitizes. Choices, and why:

* `render_plain` (contribution bodies) escapes everything first (`&`, `<`, `>`), then builds `<p>` from
  blank-line-separated paragraphs and `<br>` from single newlines, then runs bleach's `Linker` over that
  trusted skeleton. Because the input is escaped before any parsing, no user markup can survive.
* Links are made only from `http://`, `https://` and bare `www.` addresses (the latter get `https://`).
  bleach's default pattern would also link any `word.tld` ("arquivo.py", "lei.br"), which misfires in
  legal prose, and it adds `http://`. A URL with user info (`http://a@b.com`) is left as text: it is
  how phishing links hide their host.
* E-mail addresses are never linked (`parse_email=False`): they are personal data and are left as text.
* Every link, new or pre-existing, gets exactly ``rel="nofollow ugc noopener"``; a link whose scheme is not
  http, https or mailto is unwrapped to its text. Relative links (no scheme) are kept: bleach's cleaner
  has already rejected anything whose scheme is not allowed, even when hidden by entities or control
  characters, and the callback re-checks after unescaping.
* `render_markdown` (staff-written summaries, a draft's introductions and closing) runs python-Markdown with its raw-HTML processors removed,
  so HTML typed in the source is escaped as text rather than passed through; then `bleach.clean` with a
  small allow-list (no style/class/id/data-*/hx-* attributes, tags outside the subset stripped, e.g.
  images vanish and headings keep only their text), then the same `Linker` as a second pass, which adds
  the rel attribute after sanitizing. Two passes rather than `LinkifyFilter` inside the `Cleaner`: that
  combination decodes entities twice (typed "&amp;lt;" came out as "<", "&#\";" lost its quote; see also
  mozilla/bleach#422), and the Linker's `skip_tags` double-escapes entities in the skipped element, so
  URLs inside `code` are linked too. Markdown's `<ana@x.br>` autolink is off, like e-mail links in bodies.
* `render_inline_markdown` (one line of an imported draft: a caput, an inciso, a table cell) is
  `render_markdown` without the block wrapper: bold, italics, code and links. An image becomes its alt
  text followed by a link to it ("[imagem]"), so a remote image is never loaded by the reader's browser.
* `word_diff` tokenises into runs of word characters, runs of whitespace and single other characters
  (punctuation), so "transparência;" -> "transparência." marks only the changed semicolon. Whitespace
  tokens are treated as junk by `difflib.SequenceMatcher` (they cannot anchor a match), so a rewritten
  phrase comes out as one removed run and one inserted run instead of word-by-word confetti, and
  autojunk is off so common words ("de", "a") still match in long articles. A change of spacing only is
  shown as the new spacing, unmarked. Newlines are kept as typed: show the result in an element with
  ``white-space: pre-line``. Each run carries a visually hidden "[removido: …]"/"[inserido: …]" label.
* bleach's `Cleaner`/`Linker` and Markdown instances hold parser state and are not thread-safe (bleach
  says so), so each is built once per thread and reused, not once per call.
"""

import difflib
import html
import re
import threading

import bleach
import markdown
from bleach.linkifier import Linker
from markupsafe import Markup, escape

REL = "nofollow ugc noopener"
LINK_SCHEMES = frozenset({"http", "https", "mailto"})

ALLOWED_TAGS = frozenset({"p", "br", "strong", "em", "b", "i", "ul", "ol", "li", "a", "blockquote", "code"})
ALLOWED_ATTRIBUTES = {"a": ["href", "title", "rel"]}
ALLOWED_PROTOCOLS = frozenset(LINK_SCHEMES)

# Scheme-and-host, or a bare host starting with "www."; then an optional port and path. The look-behind keeps
# the pattern from starting inside a word, an e-mail address ("ana@www.x.br") or another URL. The path stops
# at whitespace, at characters RFC 3986 calls unsafe, and at entities other than `&amp;` (so at the escaped
# `<`/`>` that render_plain produces).
URL_RE = re.compile(
    r"""\(*                                   # opening parentheses; bleach trims unbalanced ones
    (?<![\w@./-])
    (?:https?://|www\.)
    (?>[\w-]+(?:\.[\w-]+)+)                   # host with at least one dot; atomic, so no shorter retry
    (?>(?::[0-9]{1,5})?)                      # port; atomic, so "a.b:80@evil.com" cannot shed it to match
    (?![\w@])                                  # not a longer name, not user info ("http://a.b@evil.com")
    (?:[/?\#](?:&amp;|[^\s{}|\\^`<>"&])*     # path; "&" only as the "&amp;" of escaped text
       (?:(?<![.,;:!?'*])|(?<=&amp;)))?         # minus trailing punctuation, but not an entity's ";"
    """,
    re.IGNORECASE | re.VERBOSE,
)
SCHEME_RE = re.compile(r"^([a-z][a-z0-9+.\-]*):")
# Browsers drop ASCII tab and newlines anywhere in a URL and C0 controls and spaces at its ends.
URL_IGNORED_RE = re.compile(r"[\x00-\x20\x7f]")

BLANK_LINE_RE = re.compile(r"\n[ \t\f\v]*\n\s*")
DIFF_TOKEN_RE = re.compile(r"\w+|\s+|[^\w\s]")


def _url_scheme(href: str) -> str | None:
    """The lower-cased scheme of `href` as a browser would read it, or None for a relative URL."""
    cleaned = URL_IGNORED_RE.sub("", html.unescape(href)).lower()
    match = SCHEME_RE.match(cleaned)
    if match:
        return match.group(1)
    # "//host" and "/path" are fine; anything else with a colon before the path is an odd scheme: refuse it.
    return "?" if ":" in re.split(r"[/?#]", cleaned, maxsplit=1)[0] else None


def _link_callback(attrs: dict, new: bool = False) -> dict | None:
    """bleach linkify callback: unwrap links with a disallowed scheme, set the fixed rel, https for www."""
    href_key = (None, "href")
    href = attrs.get(href_key)
    if href is None:
        return None  # an <a> without a target is no link; keep its text
    if new and not attrs.get("_text", "").lower().startswith(("http://", "https://")):
        href = attrs[href_key] = "https://" + attrs["_text"]  # a bare "www." address; bleach would use http
    scheme = _url_scheme(href)
    if scheme is not None and scheme not in LINK_SCHEMES:
        return None
    attrs[(None, "rel")] = REL
    return attrs


class _PerThread(threading.local):
    """One set of parser-holding objects per thread (bleach: "This cleaner is not thread-safe")."""

    def __init__(self) -> None:
        self.linker = Linker(callbacks=[_link_callback], parse_email=False, url_re=URL_RE)
        self.cleaner = bleach.Cleaner(
            tags=ALLOWED_TAGS,
            attributes=ALLOWED_ATTRIBUTES,
            protocols=ALLOWED_PROTOCOLS,
            strip=True,
            strip_comments=True,
        )
        self.markdown = markdown.Markdown(output_format="html")
        # Without these, python-Markdown copies raw HTML blocks and inline tags through untouched.
        self.markdown.preprocessors.deregister("html_block")
        self.markdown.inlinePatterns.deregister("html")
        # <ana@x.br> would become an entity-obfuscated mailto link; e-mail addresses stay text, as in bodies.
        self.markdown.inlinePatterns.deregister("automail")


_local = _PerThread()


def _normalize(text: str) -> str:
    """Unify line endings and drop the whitespace around the whole text."""
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def render_plain(text: str) -> Markup:
    """A plain-text contribution as HTML: paragraphs, line breaks and http(s)/www links; all else escaped."""
    text = _normalize(text)
    if not text:
        return Markup("")
    paragraphs = []
    for paragraph in BLANK_LINE_RE.split(text):
        lines = [html.escape(line.strip(" \t"), quote=False) for line in paragraph.split("\n")]
        paragraphs.append("<p>" + "<br>\n".join(lines) + "</p>")
    return Markup(_local.linker.linkify("\n".join(paragraphs)))  # noqa: S704 - escaped above, re-serialized by bleach


def render_markdown(text: str) -> Markup:
    """Staff Markdown as sanitized HTML: paragraphs, emphasis, lists, quotes, code and links only."""
    text = _normalize(text)
    if not text:
        return Markup("")
    md = _local.markdown
    md.reset()
    cleaned = _local.cleaner.clean(md.convert(IMAGE_RE.sub(_image_as_link, text)))
    return Markup(_local.linker.linkify(cleaned))  # noqa: S704 - bleach.clean output, re-serialized by bleach


IMAGE_RE = re.compile(r"!\[(?P<alt>[^\]]*)\]\((?P<src>[^)\s]+)(?:\s+\"[^\"]*\")?\)")
ONE_PARAGRAPH_RE = re.compile(r"^<p>(?P<inner>.*)</p>$", re.DOTALL)


def _image_as_link(match: re.Match[str]) -> str:
    """Markdown for an image shown as its alt text plus a link to it (never an <img>)."""
    alt = match["alt"].strip() or "imagem"
    return f"{alt} ([imagem]({match['src']}))"


def render_inline_markdown(text: str) -> Markup:
    """One line of Markdown as sanitized inline HTML: emphasis, code and links; images as a link."""
    text = _normalize(IMAGE_RE.sub(_image_as_link, text))
    if not text:
        return Markup("")
    md = _local.markdown
    md.reset()
    cleaned = _local.cleaner.clean(md.convert(text))
    if match := ONE_PARAGRAPH_RE.match(cleaned):
        cleaned = match["inner"]
    return Markup(_local.linker.linkify(cleaned))  # noqa: S704 - bleach.clean output, re-serialized by bleach


def _diff_tokens(text: str) -> list[str]:
    """Words, whitespace runs and single punctuation characters, in order; joined they give `text` back."""
    return DIFF_TOKEN_RE.findall(text)


def _blank(tokens: list[str]) -> bool:
    """True when the tokens are whitespace only (or none)."""
    return not "".join(tokens).strip()


def _marked(tag: str, label: str, tokens: list[str]) -> str:
    """A <del>/<ins> run with a visually hidden label so the change is announced without colour."""
    return (f'<{tag}><span class="visually-hidden">[{label}: </span>{escape("".join(tokens))}'
            f'<span class="visually-hidden">]</span></{tag}>')


def word_diff(old: str, new: str) -> Markup:
    """Word-level diff of `new` against `old`: escaped text with <del> for removed and <ins> for inserted runs."""
    a, b = _diff_tokens(old), _diff_tokens(new)
    matcher = difflib.SequenceMatcher(lambda token: token.isspace(), a, b, autojunk=False)
    # (old tokens, new tokens, changed) segments; a whitespace-only match between two changes joins them.
    segments: list[tuple[list[str], list[str], bool]] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        equal = op == "equal"
        segments.append((a[i1:i2], b[j1:j2], not equal))
    merged: list[tuple[list[str], list[str], bool]] = []
    for index, (old_part, new_part, changed) in enumerate(segments):
        between_changes = 0 < index < len(segments) - 1 and segments[index + 1][2] and merged[-1][2]
        if not changed and between_changes and "".join(old_part).isspace():
            changed = True
        if changed and merged and merged[-1][2]:
            merged[-1][0].extend(old_part)
            merged[-1][1].extend(new_part)
        else:
            merged.append((list(old_part), list(new_part), changed))
    out = []
    for old_part, new_part, changed in merged:
        if not changed or _blank(old_part) and _blank(new_part):
            # Only spacing changed: show the new spacing rather than an invisible <del>/<ins> pair.
            out.append(str(escape("".join(new_part))))
            continue
        if old_part:
            out.append(_marked("del", "removido", old_part))
        if new_part:
            out.append(_marked("ins", "inserido", new_part))
    return Markup("".join(out))  # noqa: S704 - every piece of user text went through escape()
