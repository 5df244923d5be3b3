"""Match a new text of the draft to the previous one, article by article: by label first, then by similarity.

Pure Python (no Flask): takes (label, body) pairs in document order and says, for each, what became of it —
kept, changed, renumbered or moved, split in two, merged with its neighbour, new, or removed — so the team
confirms a whole re-imported text at once instead of re-typing it article by article.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from enum import StrEnum

from flask_babel import gettext as _

SAME_LABEL = 0.5  # an article with the same label is the same article above this similarity
MOVED = 0.6  # an article with another label is the same article (renumbered or moved) above this
SPLIT_OR_MERGED = 0.75  # two neighbours together match one article above this
MARGIN = 0.15  # ... and better than either neighbour alone by this much


class Fate(StrEnum):
    """What became of an article of the previous text (or where a new one came from)."""

    KEPT = "kept"
    CHANGED = "changed"
    RENUMBERED = "renumbered"
    SPLIT = "split"
    MERGED = "merged"
    NEW = "new"
    REMOVED = "removed"

    @property
    def label(self) -> str:
        """In Portuguese, for the confirmation page."""
        return {"kept": _("Sem alteração"), "changed": _("Alterado"), "renumbered": _("Renumerado ou movido"),
                "split": _("Desmembrado"), "merged": _("Fundido"), "new": _("Incluído"), "removed": _("Suprimido")}[self.value]


@dataclass(frozen=True)
class Unit:
    """An article of a text: its label and body."""

    label: str
    body: str


@dataclass
class Match:
    """Old articles (indexes into the previous text) and new ones (into the new text) that correspond."""

    fate: Fate
    old: list[int] = field(default_factory=list)
    new: list[int] = field(default_factory=list)
    similarity: float = 1.0


def _words(text: str) -> list[str]:
    return re.findall(r"\w+|[^\w\s]", text.lower())


def similarity(a: str, b: str) -> float:
    """How alike two texts are, word by word (0 to 1)."""
    if a == b:
        return 1.0
    matcher = difflib.SequenceMatcher(None, _words(a), _words(b), autojunk=False)
    if matcher.real_quick_ratio() < 0.3:
        return matcher.real_quick_ratio()
    return matcher.ratio()


def match(old: list[Unit], new: list[Unit]) -> list[Match]:
    """Every old and every new article in exactly one match, ordered by the new text (removed ones where
    they stood)."""
    matches: list[Match] = []
    old_free, new_free = set(range(len(old))), set(range(len(new)))

    def best_single(body: str, others: list[Unit]) -> float:
        return max((similarity(body, other.body) for other in others), default=0.0)

    # 1. Splits and merges: two neighbours together match one article much better than either alone.
    for i in range(len(old)):
        for j in range(len(new) - 1):
            if i in old_free and {j, j + 1} <= new_free:
                score = similarity(old[i].body, new[j].body + "\n" + new[j + 1].body)
                if score >= SPLIT_OR_MERGED and score > best_single(old[i].body, new[j:j + 2]) + MARGIN:
                    matches.append(Match(Fate.SPLIT, [i], [j, j + 1], score))
                    old_free.discard(i)
                    new_free -= {j, j + 1}
    for j in range(len(new)):
        for i in range(len(old) - 1):
            if j in new_free and {i, i + 1} <= old_free:
                score = similarity(old[i].body + "\n" + old[i + 1].body, new[j].body)
                if score >= SPLIT_OR_MERGED and score > best_single(new[j].body, old[i:i + 2]) + MARGIN:
                    matches.append(Match(Fate.MERGED, [i, i + 1], [j], score))
                    old_free -= {i, i + 1}
                    new_free.discard(j)
    # 2. The same label and enough of the same text — unless the text plainly went elsewhere (renumbered).
    by_label = {unit.label: i for i, unit in enumerate(old)}
    for j in sorted(new_free):
        i = by_label.get(new[j].label)
        if i is not None and i in old_free:
            score = similarity(old[i].body, new[j].body)
            elsewhere = max(best_single(new[j].body, [old[k] for k in old_free if k != i]),
                            best_single(old[i].body, [new[k] for k in new_free if k != j]))
            if score >= SAME_LABEL and (score == 1.0 or score + MARGIN > elsewhere):
                matches.append(Match(Fate.KEPT if score == 1.0 else Fate.CHANGED, [i], [j], score))
                old_free.discard(i)
                new_free.discard(j)
    # 3. Another label, much the same text: renumbered or moved (best pairs first).
    pairs = sorted(((similarity(old[i].body, new[j].body), i, j) for i in old_free for j in new_free),
                   reverse=True)
    for score, i, j in pairs:
        if score < MOVED:
            break
        if i in old_free and j in new_free:
            matches.append(Match(Fate.RENUMBERED, [i], [j], score))
            old_free.discard(i)
            new_free.discard(j)
    matches += [Match(Fate.NEW, [], [j], 0.0) for j in sorted(new_free)]
    matches += [Match(Fate.REMOVED, [i], [], 0.0) for i in sorted(old_free)]

    def place(m: Match) -> tuple[float, int]:
        if m.new:
            return (min(m.new), 0)
        # a removed article goes after the new article that follows its predecessor
        before = [n for other in matches if other.new and other.old and max(other.old) < m.old[0]
                  for n in other.new]
        return ((max(before) + 0.5) if before else -0.5, m.old[0])

    return sorted(matches, key=place)
