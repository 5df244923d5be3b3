"""consulta.text: plain-text and Markdown rendering against a file of XSS payloads, links, and word diffs."""

import html
import re
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser
from pathlib import Path

import pytest
from markupsafe import Markup

from consulta.text import render_inline_markdown, render_markdown, render_plain, word_diff
from tests.xss import active_content, active_content_between, fragment_between

PAYLOAD_FILE = Path(__file__).parent / "data" / "xss_payloads.txt"
REL = 'rel="nofollow ugc noopener"'


def load_payloads() -> list[tuple[int, str]]:
    """(line number, payload) for every non-blank, non-comment line; split on "\\n" only, tabs and all kept."""
    lines = PAYLOAD_FILE.read_text(encoding="utf-8").split("\n")
    return [(n, line) for n, line in enumerate(lines, start=1) if line.strip() and not line.startswith("#")]


PAYLOADS = load_payloads()
PAYLOAD_PARAMS = [pytest.param(line, id=f"L{n}") for n, line in PAYLOADS]


def hidden(label: str) -> str:
    """The visually hidden opening of a diff run."""
    return f'<span class="visually-hidden">[{label}: </span>'


END = '<span class="visually-hidden">]</span>'


def removed(text: str) -> str:
    """A <del> run as word_diff writes it."""
    return f"<del>{hidden('removido')}{text}{END}</del>"


def inserted(text: str) -> str:
    """An <ins> run as word_diff writes it."""
    return f"<ins>{hidden('inserido')}{text}{END}</ins>"


def attributes(fragment: str) -> list[tuple[str, str, str]]:
    """(tag, attribute, value) for every attribute in the fragment."""
    found: list[tuple[str, str, str]] = []

    class Collector(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.extend((tag, name, value or "") for name, value in attrs)

    collector = Collector()
    collector.feed(fragment)
    collector.close()
    return found


def assert_markdown_subset(out: str) -> None:
    """Only the allowed tags and link attributes, every link with the fixed rel and an allowed (or no) scheme."""
    tags = set(re.findall(r"</?([a-zA-Z][\w-]*)", out))
    assert tags <= {"p", "br", "strong", "em", "b", "i", "ul", "ol", "li", "a", "blockquote", "code"}, tags
    assert out.count("<a ") == out.count(REL)
    for tag, name, value in attributes(out):
        assert (tag, name) in {("a", "href"), ("a", "title"), ("a", "rel")}, (tag, name)
        if name == "href":
            scheme = re.match(r"([a-z][a-z0-9+.-]*):", re.sub(r"[\x00-\x20]", "", html.unescape(value)).lower())
            assert scheme is None or scheme.group(1) in {"http", "https", "mailto"}, value


# ---------------------------------------------------------------------------------------------------------
# The payload file and the judge


def test_payload_file_is_big_and_varied():
    payloads = [p for _, p in PAYLOADS]
    assert len(payloads) >= 220
    assert len(set(payloads)) == len(payloads), "duplicate payloads"
    for needle in ("onerror", "onload", "autofocus", "ontoggle", "onanimationstart", "onbegin", "jav&#x09;ascript:",
                   "&#106;avascript:", "vbscript:", "data:text/html", "hx-on:click", "hx-on::load", "data-hx-post",
                   "hx-boost", "expression(", "@import", "<noscript>", "<template>", "\t"):
        assert any(needle in p for p in payloads), needle
    assert '" onmouseover="alert(1)' in payloads
    assert "' autofocus onfocus='alert(1)" in payloads


@pytest.mark.parametrize(("markup", "expected"), [
    ("<script>alert(1)</script>", ["<script> element"]),
    ("<img src=x onerror=alert(1)>", ["event handler onerror= on <img>"]),
    ("<p style='color:red'>x</p>", ["style= on <p>"]),
    ('<div hx-get="/x" hx-trigger="load">x</div>', ["htmx attribute hx-get= on <div>", "htmx attribute hx-trigger= on <div>"]),
    ('<a data-hx-post="/x">x</a>', ["htmx attribute data-hx-post= on <a>"]),
    ('<a href="jav&#x09;ascript:alert(1)">x</a>', ["javascript: URL in href= on <a>: 'jav\\tascript:alert(1)'"]),
    # &#14; is an invalid character reference: the parser drops it, as browsers do
    ('<a href=" &#14; JaVaScRiPt:alert(1)">x</a>', ["javascript: URL in href= on <a>: '  JaVaScRiPt:alert(1)'"]),
    ('<a href="&amp;#106;avascript:alert(1)">x</a>', ["javascript: URL in href= on <a>: '&#106;avascript:alert(1)'"]),
    ('<form><button formaction="vbscript:x">b</button></form>',
     ["<form> element", "vbscript: URL in formaction= on <button>: 'vbscript:x'"]),
    ('<svg><a xlink:href="data:text/html,x">x</a></svg>', ["<svg> element", "data: URL in xlink:href= on <a>: 'data:text/html,x'"]),
    ('<noscript><p title="</noscript><img src=x>">', ["<noscript> raw-text element"]),
    ("<!--[if IE]><b>x</b><![endif]-->", ["comment with markup or IE condition: '[if IE]><b>x</b><![endif]'"]),
    ("ok <img src=x onerror=alert(1)", ["unparsed markup in text: '<img src=x onerror=alert(1)'"]),
    ('<p>a &#;b</p><img src=x onerror="alert(1)">', ["event handler onerror= on <img>"]),
    ('<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
     ["<meta> element", "javascript: URL in content= on <meta>: '0;url=javascript:alert(1)'"]),
])
def test_judge_flags_known_attacks(markup, expected):
    assert active_content(markup) == expected


@pytest.mark.parametrize("markup", [
    "",
    "texto simples",
    "&lt;script&gt;alert(1)&lt;/script&gt; &lt;img src=x onerror=alert(1)&gt;",
    '<p>a <a href="https://www.gov.br" rel="nofollow ugc noopener" title="javascript:é texto">b</a></p>',
    '<a href="/relativo">x</a> <a href="#ancora">y</a> <a href="mailto:a@b.example">z</a>',
    '<del><span class="visually-hidden">[removido: </span>x<span class="visually-hidden">]</span></del>',
    "<!-- um comentário comum -->",
    "<p>a &#;; b &#x; &#</p>",
])
def test_judge_passes_clean_html(markup):
    assert active_content(markup) == []


@pytest.mark.parametrize("raw", [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg/onload=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<input autofocus onfocus=alert(1)>",
    '<a href="jav&#x09;ascript:alert(1)">x</a>',
    '<a href="&#106;avascript:alert(1)">x</a>',
    '<a href="&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A&#x61&#x6C&#x65&#x72&#x74&#x28&#x31&#x29">x</a>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    "<style>@import 'https://evil.example/x.css';</style>",
    '<div style="width: expression(alert(1));">x</div>',
    '<div hx-get="/x" hx-trigger="load">x</div>',
    "<button hx-on:click=\"alert(1)\">x</button>",
    '<div hx-on::load="alert(1)">x</div>',
    '<form hx-boost="true" action="/x"><button>x</button></form>',
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "<!--[if gte IE 4]><SCRIPT>alert('XSS');</SCRIPT><![endif]-->",
])
def test_judge_flags_raw_payloads(raw):
    """Not vacuous: the judge catches these payloads when they are not rendered at all."""
    assert raw in {p for _, p in PAYLOADS}
    assert active_content(raw) != []


def test_judge_flags_the_bulk_of_the_file():
    """Fed raw, nearly every payload is flagged; the rest are plain text, Markdown, or inert in today's browsers
    (backtick quoting, percent-encoded schemes, IE-only tricks)."""
    flagged = [p for _, p in PAYLOADS if active_content(p)]
    assert len(flagged) >= 300, len(flagged)


def test_judge_layout_signatures_and_markers():
    page = ('<head><link rel="stylesheet" href="/static/css/app.css"><script src="/static/js/htmx.min.js" nonce="abc">'
            '</script></head><body><!-- user -->ok<!-- /user --><script>evil()</script></body>')
    layout = [("link", {"rel": "stylesheet", "href": "/static/css/app.css"}),
              ("script", {"src": "/static/js/htmx.min.js", "nonce": None})]
    assert active_content(page, allowed=layout) == ["<script> element"]
    assert active_content_between(page, "<!-- user -->", "<!-- /user -->") == []
    assert fragment_between(page, "<!-- user -->", "<!-- /user -->") == "ok"
    with pytest.raises(ValueError):
        fragment_between(page, "<!-- missing -->", "<!-- /user -->")
    # a signature must match the attribute names exactly: an extra onload= is not the layout's element
    assert active_content('<link rel="stylesheet" href="/static/css/app.css" onload="x()">', allowed=layout) == [
        "<link> element", "event handler onload= on <link>"]


# ---------------------------------------------------------------------------------------------------------
# Every payload through every renderer


@pytest.mark.parametrize("payload", PAYLOAD_PARAMS)
def test_render_plain_neutralizes(payload):
    out = render_plain(payload)
    assert isinstance(out, Markup)
    assert active_content(out) == []
    assert out.count("<a ") == out.count(REL)
    # inert, not lost: the visible text is exactly what was typed
    assert html.unescape(re.sub(r"<[^>]*>", "", out)) == payload.strip()


@pytest.mark.parametrize("payload", PAYLOAD_PARAMS)
def test_render_markdown_neutralizes(payload):
    out = render_markdown(payload)
    assert isinstance(out, Markup)
    assert active_content(out) == []
    assert_markdown_subset(out)


@pytest.mark.parametrize("payload", PAYLOAD_PARAMS)
def test_word_diff_neutralizes(payload):
    assert active_content(word_diff(payload, "texto atual")) == []
    assert active_content(word_diff("texto atual " + payload[:20], payload)) == []


@pytest.mark.parametrize("render", [render_plain, render_markdown])
def test_whole_payload_file_at_once(render):
    """Payloads interacting across lines (one document, with the comment lines too)."""
    out = render(PAYLOAD_FILE.read_text(encoding="utf-8"))
    assert active_content(out) == []


@pytest.mark.parametrize("source", [
    "[x][1]\n\n[1]: javascript:alert(1)",
    "[x][1]\n\n[1]: <javascript:alert(1)> \"t\"",
    "![x][1]\n\n[1]: https://ok.example/a.png",
    "<div>\n<script>alert(1)</script>\n</div>",
    "<details open ontoggle=alert(1)>\n\n**x**\n\n</details>",
    "<style>\n@import 'https://evil.example/x.css';\n</style>",
    "<svg>\n<script>alert(1)</script>\n</svg>",
    "<!--\n--><img src=x onerror=alert(1)>",
    "```\n<script>alert(1)</script>\n```",
    "- a\n\n    <img src=x onerror=alert(1)>",
    "<a href=\"javascript:alert(1)\">\nx\n</a>",
    "<div hx-get=\"/x\"\n hx-trigger=\"load\">x</div>",
    "[x](javascript\n:alert(1))",
    "[x](java\nscript:alert(1))",
])
def test_render_markdown_multiline_payloads(source):
    out = render_markdown(source)
    assert active_content(out) == []
    assert_markdown_subset(out)
    assert "javascript:" not in "".join(value for _, name, value in attributes(out) if name == "href")


# ---------------------------------------------------------------------------------------------------------
# render_plain


def test_render_plain_paragraphs_and_line_breaks():
    text = "Primeiro parágrafo,\nsegunda linha.\r\n\r\n  \n\nSegundo parágrafo.\n"
    assert render_plain(text) == "<p>Primeiro parágrafo,<br>\nsegunda linha.</p>\n<p>Segundo parágrafo.</p>"


def test_render_plain_empty():
    assert render_plain("") == Markup("")
    assert render_plain(" \n\n \n") == Markup("")


def test_render_plain_escapes_markup_and_keeps_it_visible():
    assert render_plain('<b>oi</b> & "aspas" \'x\'') == "<p>&lt;b&gt;oi&lt;/b&gt; &amp; \"aspas\" 'x'</p>"
    assert render_plain("&lt;já escapado&gt;") == "<p>&amp;lt;já escapado&amp;gt;</p>"


def test_render_plain_links_get_exact_rel():
    assert render_plain("Veja https://www.gov.br/participa.") == (
        f'<p>Veja <a href="https://www.gov.br/participa" {REL}>https://www.gov.br/participa</a>.</p>')
    assert render_plain("http://exemplo.com.br/a?b=1&c=2") == (
        f'<p><a href="http://exemplo.com.br/a?b=1&amp;c=2" {REL}>http://exemplo.com.br/a?b=1&amp;c=2</a></p>')


def test_render_plain_www_becomes_https():
    assert render_plain("www.gov.br") == f'<p><a href="https://www.gov.br" {REL}>www.gov.br</a></p>'
    assert render_plain("(ver www.gov.br/x, e mais)") == (
        f'<p>(ver <a href="https://www.gov.br/x" {REL}>www.gov.br/x</a>, e mais)</p>')


def test_render_plain_does_not_link_emails_or_bare_domains():
    text = "Escreva para fulana@exemplo.com.br ou ana@www.exemplo.gov.br; arquivo.py e lei.br ficam como texto."
    assert render_plain(text) == f"<p>{text}</p>"
    assert render_plain("mailto:fulana@exemplo.com.br") == "<p>mailto:fulana@exemplo.com.br</p>"


def test_render_plain_does_not_link_other_schemes_or_userinfo():
    for text in ("javascript:alert(1)", "ftp://www.exemplo.com", "http://gov.br@evil.example/x",
                 "http://gov.br:80@evil.example/x", "data:text/html,oi"):
        assert "<a" not in render_plain(text), text


def test_render_plain_trailing_punctuation_and_entities():
    assert render_plain("Acesse www.gov.br: lá.") == f'<p>Acesse <a href="https://www.gov.br" {REL}>www.gov.br</a>: lá.</p>'
    # the ";" of the escaped "&" is not trailing punctuation
    assert render_plain("https://ok.example/?a=1&.") == (
        f'<p><a href="https://ok.example/?a=1&amp;" {REL}>https://ok.example/?a=1&amp;</a>.</p>')


def test_render_plain_url_stops_before_markup_and_quotes():
    assert render_plain('https://ok.example/"onmouseover="x"') == (
        f'<p><a href="https://ok.example/" {REL}>https://ok.example/</a>"onmouseover="x"</p>')
    assert render_plain("https://ok.example/<script>") == (
        f'<p><a href="https://ok.example/" {REL}>https://ok.example/</a>&lt;script&gt;</p>')


# ---------------------------------------------------------------------------------------------------------
# render_markdown


def test_render_markdown_subset():
    source = ("**negrito** e *ênfase* com [link](https://www.gov.br \"Governo\") e `código`\n\n"
              "- um\n- dois\n\n"
              "> citação")
    assert render_markdown(source) == (
        '<p><strong>negrito</strong> e <em>ênfase</em> com '
        f'<a href="https://www.gov.br" title="Governo" {REL}>link</a> e <code>código</code></p>\n'
        "<ul>\n<li>um</li>\n<li>dois</li>\n</ul>\n"
        "<blockquote>\n<p>citação</p>\n</blockquote>")


def test_render_markdown_ordered_list_and_linkify():
    assert render_markdown("1. um\n2. dois www.gov.br") == (
        f'<ol>\n<li>um</li>\n<li>dois <a href="https://www.gov.br" {REL}>www.gov.br</a></li>\n</ol>')


def test_render_markdown_drops_raw_html_and_images():
    assert render_markdown('<b onclick="x()">oi</b> <script>alert(1)</script>') == (
        '<p>&lt;b onclick="x()"&gt;oi&lt;/b&gt; &lt;script&gt;alert(1)&lt;/script&gt;</p>')
    assert render_markdown("<div>\nbloco\n</div>") == "<p>&lt;div&gt;\nbloco\n&lt;/div&gt;</p>"
    assert render_markdown("antes ![foto](https://ok.example/a.png) depois") == (
        f'<p>antes foto (<a href="https://ok.example/a.png" {REL}>imagem</a>) depois</p>')


def test_images_are_never_loaded_only_linked_and_bad_schemes_are_not_linked():
    assert render_inline_markdown("![](https://ok.example/a.png)") == (
        f'imagem (<a href="https://ok.example/a.png" {REL}>imagem</a>)')
    assert render_inline_markdown("![mapa](javascript:alert(1))") == "mapa (imagem)"
    assert "<img" not in render_markdown('<img src="https://x.example/a.png"> ![a](https://x.example/b.png)')


def test_render_markdown_unwraps_bad_links_keeps_good_ones():
    assert render_markdown("[a](javascript:alert(1)) [b](data:text/html,x) [c](vbscript:x)") == "<p>a b c</p>"
    assert render_markdown("[a](/consultas/x) [b](mailto:ouvidoria@exemplo.gov.br)") == (
        f'<p><a href="/consultas/x" {REL}>a</a> <a href="mailto:ouvidoria@exemplo.gov.br" {REL}>b</a></p>')


def test_render_markdown_no_email_autolink():
    assert render_markdown("fulana@exemplo.com.br <fulana@exemplo.com.br>") == (
        "<p>fulana@exemplo.com.br &lt;fulana@exemplo.com.br&gt;</p>")


def test_render_markdown_entities_decoded_once():
    """Regression: bleach's LinkifyFilter inside a Cleaner decoded entities a second time."""
    assert render_markdown("texto &amp;lt; e &copy; <x> \"q\"") == '<p>texto &amp;lt; e &copy; &lt;x&gt; "q"</p>'
    assert render_markdown('a &#"; b') == '<p>a &amp;#"; b</p>'
    assert render_markdown("`a <b> &amp;`") == "<p><code>a &lt;b&gt; &amp;amp;</code></p>"
    assert render_markdown("[a <b> &amp;](https://ok.example/?x=1&y=2)") == (
        f'<p><a href="https://ok.example/?x=1&amp;y=2" {REL}>a &lt;b&gt; &amp;</a></p>')


def test_render_markdown_attribute_syntax_stays_text():
    """No attr_list extension: class/id/style/data-hx-* written the Markdown way remain visible text."""
    out = render_markdown('[x](https://ok.example "t"){: .btn #i style="color:red" data-hx-get="/x" }')
    assert out == f'<p><a href="https://ok.example" title="t" {REL}>x</a>{{: .btn #i style="color:red" data-hx-get="/x" }}</p>'


def test_render_markdown_empty():
    assert render_markdown("") == Markup("")


def test_renderers_are_safe_across_threads():
    """bleach and Markdown objects keep parser state; each thread gets its own."""
    # big enough that shared instances fail every time (checked while writing this: IndexError in html5lib)
    sources = [f"**item {n}** www.gov.br/{n}\n\n- a{n}\n- b{n}\n\n" * 5 for n in range(48)]
    expected = [render_markdown(source) for source in sources]
    with ThreadPoolExecutor(max_workers=8) as pool:
        assert list(pool.map(render_markdown, sources)) == expected
        assert list(pool.map(render_plain, sources)) == [render_plain(source) for source in sources]


# ---------------------------------------------------------------------------------------------------------
# word_diff


@pytest.mark.parametrize(("old", "new", "expected"), [
    ("o gato preto", "um cão preto", removed("o gato") + inserted("um cão") + " preto"),
    ("a b c", "a c", "a " + removed("b ") + "c"),
    ("a c", "a b c", "a " + inserted("b ") + "c"),
    ("São princípios: transparência;", "São princípios: transparência.",
     "São princípios: transparência" + removed(";") + inserted(".")),
    ("Art. 1º Fica instituída a Estratégia.", "Art. 1º Fica criada a Estratégia Nacional.",
     "Art. 1º Fica " + removed("instituída") + inserted("criada") + " a Estratégia" + inserted(" Nacional") + "."),
    ("foo bar baz qux", "foo XX baz YY", "foo " + removed("bar") + inserted("XX") + " baz " + removed("qux") + inserted("YY")),
    ("x y z", "p q r", removed("x y z") + inserted("p q r")),
    ("linha um\nlinha dois", "linha um\nlinha três", "linha um\nlinha " + removed("dois") + inserted("três")),
    ("a  b", "a b", "a b"),
])
def test_word_diff_exact(old, new, expected):
    out = word_diff(old, new)
    assert isinstance(out, Markup)
    assert out == expected


def test_word_diff_identical_has_no_marks():
    text = "Art. 2º São princípios:\nI – transparência;\nII – participação."
    assert word_diff(text, text) == text
    assert "<del>" not in word_diff(text, text) and "<ins>" not in word_diff(text, text)


def test_word_diff_empty_sides():
    assert word_diff("", "") == Markup("")
    assert word_diff("", "novo texto") == inserted("novo texto")
    assert word_diff("texto antigo", "") == removed("texto antigo")


def test_word_diff_escapes_both_sides():
    assert word_diff("Texto <b>x</b>", "Texto <script>x</script>") == (
        "Texto &lt;" + removed("b") + inserted("script") + "&gt;x&lt;/" + removed("b") + inserted("script") + "&gt;")
    assert word_diff("<script>alert(1)</script>", 'b <img src=x onerror="alert(1)">') == (
        inserted("b ") + "&lt;" + removed("script&gt;") + inserted("img src=x onerror=&#34;") + "alert(1)"
        + removed("&lt;/script") + inserted("&#34;") + "&gt;")
    assert word_diff("a & b", "a &amp; b") == "a &amp;" + inserted("amp;") + " b"
