"""Text normalization: personal-data masking, accent folding, tokenization and stop words.

Every text keeps two forms. The *display* form is the original with personal data masked
(:func:`mask_personal_data`); it is what quotes, labels and exports show, so nothing downstream ever sees
an e-mail address, phone number, CPF or CNPJ. The *analysis* forms are derived from the display form:

- :func:`duplicate_key` lowercases, folds accents and collapses punctuation and spaces, so that copies that
  differ only in case, accents or punctuation count as exact duplicates;
- :func:`segments` splits a text into runs of lowercased word tokens broken at punctuation, so that label
  n-grams never straddle two sentences or a masked span.

Choices:

- Masking is regex-based with Brazilian formats in mind. Phones need an area code (``(61) 99999-9999``,
  ``+55 61 3333-4444``, ``61999999999``) or the mobile shape ``9 9999-9999``, so year ranges such as
  ``2024-2028`` survive. Any formatted CPF/CNPJ and any bare run of exactly 11 or 14 digits is masked, valid
  check digits or not: a false positive costs a number in a quote, a false negative leaks a person. The new
  alphanumeric CNPJ (``12.ABC.345/01DE-35``) is masked when formatted, and when bare only if its check
  digits are valid, since a bare 14-character alphanumeric run is otherwise an ordinary code.
- Placeholders are Portuguese because users read them; the analysis forms drop them so that "[CPF]" never
  becomes a cluster label.
- Stop words are the maintained Portuguese list of the ``stop-words`` package minus the words that carry
  stance (negations and "contra"): "não concordo" and "concordo" must stay apart. That list also holds
  words such as "estado" or "trabalho"; we keep it as maintained rather than curate a private copy.
- Only the first :data:`MAX_ANALYSIS_CHARS` characters of a text feed the models, which bounds the cost of
  a 200 KB submission; the display form stays complete.
- Tokens without a letter (numbers, dates, amounts) are ignored: they rarely name a subject and are where
  unmasked personal data would hide, and so are tokens longer than 40 characters (links, hashes,
  keyboard mashing), which no label should show. A skipped token ends a segment, so that no label
  n-gram jumps over it. One-letter words stay inside segments ("acesso à saúde") but never become a
  term on their own: every Portuguese one-letter word is a stop word, the rest is "R" of "R$" and such.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from stop_words import get_stop_words

MAX_ANALYSIS_CHARS = 20_000

EMAIL_PLACEHOLDER = "[e-mail]"
PHONE_PLACEHOLDER = "[telefone]"
CPF_PLACEHOLDER = "[CPF]"
CNPJ_PLACEHOLDER = "[CNPJ]"
_PLACEHOLDERS = (EMAIL_PLACEHOLDER, PHONE_PLACEHOLDER, CPF_PLACEHOLDER, CNPJ_PLACEHOLDER)
_PLACEHOLDER_RE = re.compile("|".join(re.escape(p) for p in _PLACEHOLDERS))

# Every pattern starts only where a run of its characters starts: without the lookbehind a 200 KB run of
# letters would be rescanned from each position (quadratic time).
_EMAIL_RE = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Formatted or bare, numeric or alphanumeric; the lookarounds keep it from biting into longer codes.
_CNPJ_RE = re.compile(
    r"(?<![\w./-])[0-9A-Z]{2}\.?[0-9A-Z]{3}\.?[0-9A-Z]{3}/?[0-9A-Z]{4}-?\d{2}(?![\w/-]|\.\w)", re.IGNORECASE
)
_CPF_RE = re.compile(r"(?<![\w./-])\d{3}\.?\d{3}\.?\d{3}-?\d{2}(?![\w/-]|\.\w)")
_PHONE_RE = re.compile(
    r"(?<![\w+/.-])"
    r"(?:(?:(?:\+\s?)?55[\s.-]?)?(?:\(\s?0?[1-9]{2}\s?\)|0?[1-9]{2})[\s.-]?(?:9[\s.]?)?\d{4}[\s.-]?\d{4}"
    r"|9[\s.]?\d{4}-\d{4})"
    r"(?![\w/-]|\.\w)"
)
_MOBILE_DIGITS_RE = re.compile(r"[1-9]{2}9\d{8}")
_DIGIT_RE = re.compile(r"\d")
_COMBINING_RE = re.compile(r"[\u0300-\u036f]")

NEGATIONS = frozenset(
    {
        "nao",
        "nem",
        "sem",
        "nunca",
        "jamais",
        "nenhum",
        "nenhuma",
        "nenhuns",
        "nenhumas",
        "ninguem",
        "nada",
        "tampouco",
        "contra",
    }
)

_SEGMENT_BREAK_RE = re.compile(r"[.!?;:,]+(?=\s|$)|[()\[\]{}\"“”«»|\n\r\t]|\s[-–—]+\s")
_TOKEN_RE = re.compile(r"\w+(?:[.\-'’]\w+)*")
_LETTER_RE = re.compile(r"[^\W\d_]")
MAX_TOKEN_CHARS = 40
_NON_ALNUM_RE = re.compile(r"[\W_]+")


def _cpf_is_valid(digits: str) -> bool:
    """Tell whether an 11-digit string has valid CPF check digits."""
    if len(set(digits)) == 1:
        return False
    for size in (9, 10):
        total = sum(int(d) * w for d, w in zip(digits[:size], range(size + 1, 1, -1), strict=True))
        if (total * 10 % 11) % 10 != int(digits[size]):
            return False
    return True


def _cnpj_is_valid(code: str) -> bool:
    """Tell whether a 14-character (possibly alphanumeric) CNPJ has valid check digits."""
    values = [ord(c) - 48 for c in code.upper()]
    for size in (12, 13):
        weights = [(i % 8) + 2 for i in range(size)][::-1]
        remainder = sum(v * w for v, w in zip(values[:size], weights, strict=True)) % 11
        if (0 if remainder < 2 else 11 - remainder) != values[size]:
            return False
    return True


def _mask_cnpj(match: re.Match[str]) -> str:
    """Mask a CNPJ-shaped match unless it is a bare alphanumeric run with wrong check digits."""
    found = match.group()
    bare = found.isalnum()
    if bare and not found.isdigit() and not _cnpj_is_valid(found):
        return found
    return CNPJ_PLACEHOLDER


def _mask_cpf(match: re.Match[str]) -> str:
    """Mask a CPF-shaped match, calling a bare mobile number (invalid as CPF) a phone."""
    found = match.group()
    if found.isdigit() and not _cpf_is_valid(found) and _MOBILE_DIGITS_RE.fullmatch(found):
        return PHONE_PLACEHOLDER
    return CPF_PLACEHOLDER


def mask_personal_data(text: str) -> str:
    """Replace e-mail addresses, phone numbers, CPFs and CNPJs in ``text`` with placeholders."""
    if not text:
        return ""
    if "@" in text:
        text = _EMAIL_RE.sub(EMAIL_PLACEHOLDER, text)
    if _DIGIT_RE.search(text):
        text = _CNPJ_RE.sub(_mask_cnpj, text)
        text = _CPF_RE.sub(_mask_cpf, text)
        text = _PHONE_RE.sub(PHONE_PLACEHOLDER, text)
    return text


def fold_text(text: str) -> str:
    """Lowercase ``text`` and strip its accents (ç → c, ã → a)."""
    return _COMBINING_RE.sub("", unicodedata.normalize("NFKD", text.lower()))


@lru_cache(maxsize=200_000)
def fold(token: str) -> str:
    """Fold one token like :func:`fold_text`, cached because words repeat."""
    return fold_text(token)


def _analysis_text(masked: str) -> str:
    """Cut a masked text to the analysed length and drop its placeholders."""
    return _PLACEHOLDER_RE.sub(" | ", masked[:MAX_ANALYSIS_CHARS])


def duplicate_key(masked: str) -> str:
    """Return the form under which two masked texts count as exact duplicates ('' when there are no words)."""
    folded = fold_text(_analysis_text(masked))
    return " ".join(_NON_ALNUM_RE.sub(" ", folded).split())


def _is_word(token: str) -> bool:
    """Tell whether a token is a word: at most 40 characters, at least one of them a letter."""
    return len(token) <= MAX_TOKEN_CHARS and (token.isalpha() or _LETTER_RE.search(token) is not None)


def segments(masked: str) -> list[list[str]]:
    """Split a masked text into runs of consecutive lowercased words, broken at punctuation and non-words."""
    runs: list[list[str]] = []
    for part in _SEGMENT_BREAK_RE.split(_analysis_text(masked).lower()):
        run: list[str] = []
        for token in _TOKEN_RE.findall(part):
            if _is_word(token):
                run.append(token)
            elif run:
                # A dropped token breaks the run, so no label n-gram skips over a word of the text.
                runs.append(run)
                run = []
        if run:
            runs.append(run)
    return runs


@lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    """Return the accent-folded Portuguese stop words, negations excluded."""
    return frozenset(fold(w) for w in get_stop_words("pt")) - NEGATIONS


def truncate(text: str, limit: int) -> str:
    """Cut ``text`` to at most ``limit`` characters at a word boundary, marking the cut with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:.") + "…"
