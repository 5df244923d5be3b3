"""The legal-drafting grammar (LC 95/1998 and the official gazette's conventions), line by line.

Markers: ``Art. 1º``, ``§ 1º``, ``Parágrafo único.``, incisos ``I –`` (also ``I -``, ``I.``, ``I)``),
alíneas ``a)`` (also ``a.``), items ``1.``/``1)``/``1 -`` and bullets ``-``/``*``/``+``/``•``; gazette
headings ``TÍTULO``, ``CAPÍTULO``, ``Seção``, ``Subseção`` and ``ANEXO``; notes such as ``(Revogado)``,
``(VETADO)`` and ``(Redação dada pela Lei …)``; the closing place and date ("Brasília, 1º de julho de 2027").
"""

from __future__ import annotations

import re

_LETTER = r"[^\W\d_]"
# Ordinal indicator: "º", plus what people type instead of it (degree sign, ring, letter o).
_ORDINAL = rf"(?:º|°|˚|ᵒ|o(?!{_LETTER}))"
ART_RE = re.compile(
    r"^(?:Art(?:igo)?|ART(?:IGO)?)(?:\.\s*|\s+)"
    # "1.º" is a common typing variant of "1º"; the dot is only skipped when an ordinal sign follows.
    rf"(?P<num>\d{{1,4}})(?:\.(?=[º°˚ᵒ]))?(?P<ord>{_ORDINAL})?"
    # Suffix for articles inserted later ("Art. 5º-A"): no spaces, so "Art. 5º - A União" is a caput.
    rf"(?:[-–](?P<suf>[A-Z]{{1,3}})(?!{_LETTER}|\d))?"
    r"\.?(?P<rest>(?:[\s\-–—.:*_]|$).*)$"
)
ART_NO_NUMBER_RE = re.compile(r"^(?:Art|ART)\.(?!\s*\d)")
PARAGRAPH_RE = re.compile(
    rf"^§\s*(?P<num>\d{{1,3}})(?:\.(?=[º°˚ᵒ]))?(?P<ord>{_ORDINAL})?(?:[-–](?P<suf>[A-Z]{{1,3}})(?!{_LETTER}))?"
    r"\.?(?P<rest>(?:[\s\-–—.:]|$).*)$"
)
SOLE_PARAGRAPH_RE = re.compile(r"^par[áa]grafo\s+[úu]nico(?P<rest>(?:[\s\-–—.:]|$).*)$", re.IGNORECASE)
INCISO_RE = re.compile(r"^(?P<roman>[IVXLCDM]{1,8})(?:-(?P<suf>[A-Z]))?\s*[-–—](?P<rest>(?:\s|$).*)$")
# "I." and "I)" are read as incisos too (with a warning), but only with text after them.
INCISO_LOOSE_RE = re.compile(r"^(?P<roman>[IVXLCDM]{1,8})[.)](?P<rest>\s+\S.*)$")
ROMAN_RE = re.compile(r"^M{0,3}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})$")
ALINEA_RE = re.compile(r"^(?P<letter>[a-z])\)(?P<rest>(?:\s|$).*)$")
ALINEA_LOOSE_RE = re.compile(r"^(?P<letter>[a-z])\.(?P<rest>\s+\S.*)$")
# "1.", "1)", "1 -", "1.1", "3.2.", "3.2 -". Sub-numbers have at most two digits so that a paragraph
# opening with a Brazilian thousands separator ("1.500 pessoas…") is not taken for item 1.500; at most
# five levels, so that a run like "1.1.1.1.1.1…" cannot produce an absurd label.
NUMBERED_RE = re.compile(r"^(?P<num>\d{1,3}(?:\.\d{1,2}){0,4})(?P<sep>\.|\)|\s*[-–—])?(?P<rest>(?:\s|$).*)$")
BULLET_RE = re.compile(r"^[-*+•](?P<rest>\s.*|)$")
QUOTE_RE = re.compile(r"^>\s?(?P<rest>.*)$")
TABLE_RE = re.compile(r"^\|.*\|$")
TABLE_RULE_RE = re.compile(r"^\|(?:\s*:?-{3,}:?\s*\|)+$")
LEADING_EMPHASIS_RE = re.compile(r"^(?P<mark>\*\*|__)(?P<inner>.+?)(?P=mark)(?P<rest>.*)$")
SEPARATORS_RE = re.compile(r"^[\s\-–—.:]+")

# Gazette headings as the legislation site prints them: "CAPÍTULO II", "Seção I", "TÍTULO III", "ANEXO".
GAZETTE_KINDS = ("anexo", "titulo", "capitulo", "secao", "subsecao")
GAZETTE_RE = re.compile(
    r"^(?P<kind>T[ÍI]TULO|T[íi]tulo|CAP[ÍI]TULO|Cap[íi]tulo|SE[ÇC][ÃA]O|Se[çc][ãa]o|SUBSE[ÇC][ÃA]O|Subse[çc][ãa]o|ANEXO|Anexo)"
    r"(?:\s+(?P<num>[IVXLCDM]{1,8}(?:-[A-Z])?|[ÚU]NIC[OA]|[Úú]nic[oa]|\d{1,3}))?"
    r"(?:\s*[-–—.:]\s*(?P<title>\S.*))?$"
)
# Notes of the consolidated text: kept as written, shown apart from the provision's words.
NOTE_RE = re.compile(
    r"\((?:Revogad[oa]s?|VETAD[OA]S?|Vetad[oa]s?|Reda[çc][ãa]o dada|Inclu[íi]d[oa]|Vide|Regulamento|"
    r"Renumerad[oa]|Produ[çc][ãa]o de efeitos|Vig[êe]ncia|NR|AC)\b[^()]*(?:\([^()]*\)[^()]*)*\)"
)
ONLY_NOTE_RE = re.compile(rf"^(?:{NOTE_RE.pattern}[\s.;]*)+$")
# The closing of an act: "Brasília, 1º de julho de 2027; 206º da Independência e 139º da República."
CLOSING_RE = re.compile(
    r"^[A-ZÀ-Ý][\wÀ-ÿ'’ .-]{1,40},\s+(?:em\s+)?\d{1,2}(?:º|°|o)?\s+de\s+[a-zç]+\s+de\s+\d{4}\b"
)
# A sentence end (or a list-joining "; e"/"; ou"): the next line may start a new provision.
ENDS_SENTENCE_RE = re.compile(r"(?:[.:;!?\"”)]|[;,]\s*(?:e|ou))\s*\**$")


def is_roman(text: str) -> bool:
    """True for a well-formed Roman numeral (I, IV, XII…)."""
    return bool(text) and bool(ROMAN_RE.match(text))


def roman_value(text: str) -> int:
    """The value of a well-formed Roman numeral."""
    values = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}
    total = 0
    for index, char in enumerate(text):
        value = values[char]
        total += -value if index + 1 < len(text) and values[text[index + 1]] > value else value
    return total


def numbered(text: str) -> re.Match[str] | None:
    """Match a numbered list marker; a lone number needs a separator ("1." but not "2024 foi")."""
    match = NUMBERED_RE.match(text)
    if match is None or (match["sep"] is None and "." not in match["num"]):
        return None
    return match


def clean_rest(rest: str) -> str:
    """Drop the separators ("–", "-", ".", ":") and closing emphasis that follow a marker."""
    rest = rest.strip()
    if rest.startswith(("**", "__")):
        rest = rest[2:]
    return SEPARATORS_RE.sub("", rest).strip()


def ordinal_number(number: int, suffix: str | None) -> str:
    """Legal numbering: ordinal "1º" to "9º", cardinal "10" onwards, optional "-A" suffix."""
    text = f"{number}º" if number < 10 else str(number)
    return f"{text}-{suffix}" if suffix else text


def classify(line: str) -> tuple[str, str, str]:
    """Split a body line into (kind, marker, text); kind is "plain" for unmarked text.

    Kinds: "paragrafo", "inciso", "alinea", "item", "bullet", "quote", "table", "plain".
    """
    if match := PARAGRAPH_RE.match(line):
        number = int(match["num"])
        marker = f"§ {ordinal_number(number, match['suf'])}" + ("" if number < 10 else ".")
        return "paragrafo", marker, clean_rest(match["rest"])
    if match := SOLE_PARAGRAPH_RE.match(line):
        return "paragrafo", "Parágrafo único.", clean_rest(match["rest"])
    if (match := INCISO_RE.match(line)) and is_roman(match["roman"]):
        suffix = f"-{match['suf']}" if match["suf"] else ""
        return "inciso", f"{match['roman']}{suffix} –", match["rest"].strip()
    if (match := INCISO_LOOSE_RE.match(line)) and is_roman(match["roman"]):
        return "inciso", f"{match['roman']} –", match["rest"].strip()
    if match := ALINEA_RE.match(line) or ALINEA_LOOSE_RE.match(line):
        return "alinea", f"{match['letter']})", match["rest"].strip()
    if match := numbered(line):
        return "item", f"{match['num']}.", match["rest"].strip()
    if match := BULLET_RE.match(line):
        return "bullet", "-", match["rest"].strip()
    if match := QUOTE_RE.match(line):
        return "quote", ">", match["rest"].strip()
    if TABLE_RE.match(line):
        return "table", "", line
    return "plain", "", line


def loose_marker(line: str) -> bool:
    """True when the line uses an accepted but non-standard marker ("I.", "I)", "a.")."""
    if (match := INCISO_LOOSE_RE.match(line)) and is_roman(match["roman"]):
        return not (INCISO_RE.match(line) and is_roman(INCISO_RE.match(line)["roman"]))
    return bool(ALINEA_LOOSE_RE.match(line)) and not numbered(line)


def body_unit(text: str) -> str | None:
    """Normalise a structural line of an article body, or None when it is plain text."""
    kind, marker, rest = classify(text)
    if kind in ("plain", "table"):
        return None
    if kind == "bullet":
        return f"- {rest}".rstrip()
    return f"{marker} {rest}".rstrip()


def is_structural(text: str) -> bool:
    """True when a line starts with any marker this grammar knows."""
    return bool(ART_RE.match(text) or ART_NO_NUMBER_RE.match(text) or body_unit(text) is not None)


def unwrap_emphasis(text: str) -> str:
    """Remove ``**``/``__`` around a leading marker ("**Art. 1º** Texto"), leaving other text alone."""
    if not text.startswith(("**", "__")):
        return text
    if match := LEADING_EMPHASIS_RE.match(text):
        inner, rest = match["inner"].strip(), match["rest"].strip()
        if is_structural(inner) or GAZETTE_RE.match(inner):
            return f"{inner} {rest}".rstrip()
        return text
    # Bold opened here and closed on a later line: still recognise the marker.
    inner = text[2:].lstrip()
    return inner if is_structural(inner) else text


def gazette_kind(word: str) -> str:
    """"titulo", "capitulo", "secao", "subsecao" or "anexo" for a gazette heading word."""
    folded = word.lower().replace("í", "i").replace("ç", "c").replace("ã", "a")
    return folded
