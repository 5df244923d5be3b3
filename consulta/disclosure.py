"""Statistical disclosure control: counts of people small enough to single someone out are not published.

Every public figure that crosses people with a place or a group (state, sector, one workshop) goes through
`suppress`: a count of 1–4 is published as "<5". National totals and counts of events are not suppressed.
"""

from __future__ import annotations

SUPPRESS_BELOW = 5


class Suppressed(int):
    """A count of 1–4 shown as "<5": an int (0) for arithmetic and sorting, true so maps tint it lightly."""

    def __new__(cls, *_: object) -> Suppressed:  # pickle passes the int value back: it is always 0
        return super().__new__(cls, 0)

    def __bool__(self) -> bool:
        return True

    def __str__(self) -> str:
        return f"<{SUPPRESS_BELOW}"

    __repr__ = __str__

    def __html__(self) -> str:
        return f"&lt;{SUPPRESS_BELOW}"


def suppress(value: int) -> int:
    """`value`, or `Suppressed()` when it counts fewer than SUPPRESS_BELOW people (but some)."""
    return Suppressed() if 0 < value < SUPPRESS_BELOW else value


def published(value: int | None) -> int | str | None:
    """A count as written to a data file: suppressed cells as the text "<5", others unchanged."""
    if value is None:
        return None
    value = suppress(value)
    return str(value) if isinstance(value, Suppressed) else value
