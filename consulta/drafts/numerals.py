"""Counters written as Roman numerals and letters (shared by readers and parser; no legal meaning here)."""

_ROMAN = ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
          (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))


def roman(value: int) -> str:
    """A positive integer as an upper-case Roman numeral."""
    out = []
    for amount, letters in _ROMAN:
        while value >= amount:
            out.append(letters)
            value -= amount
    return "".join(out)


def letter(value: int) -> str:
    """1 -> "a", 26 -> "z", 27 -> "aa", as word processors number lists."""
    out = ""
    while value > 0:
        value, rest = divmod(value - 1, 26)
        out = chr(ord("a") + rest) + out
    return out
