"""Personal data typed into public text (LGPD art. 6, III, necessity): one place masks it for every output.

A CPF, CNPJ, e-mail or phone number written into a contribution is shown as a placeholder to everyone but
moderators (who must see what was written to moderate it), and is masked the same way in open data, the API
and the analysts' downloads (`analysis.mask_personal_data` is the one set of patterns).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from functools import lru_cache

from flask import current_app, has_request_context
from flask_login import current_user
from markupsafe import Markup

from analysis import mask_personal_data
from consulta import authz

# Every e-mail address has an "@". Every CPF, CNPJ and phone number that `mask_personal_data` replaces ends
# in "\w{3}\d\d", "\w{3}-\d\d" or "\d{4}[\s.]\d{4}" (see its patterns, pinned by tests/test_opendata.py),
# which this search finds starting from a digit, about five times faster than running the masking regexes.
_MAYBE_NUMBER_RE = re.compile(r"\d(?:\d(?:(?<=\w{5})|(?<=\w{3}-\d\d))|\d{3}[\s.]\d{4})")


def masked(text: str) -> str:
    """`mask_personal_data(text)`, skipping its regexes when `text` cannot hold what they replace."""
    if "@" not in text and _MAYBE_NUMBER_RE.search(text) is None:
        return text
    return mask_personal_data(text)


def sees_personal_data() -> bool:
    """Whether the person viewing this page may see personal data typed into contributions (moderators)."""
    return has_request_context() and authz.can(current_user, authz.Permission.MODERATE)


def shown(text: str | None) -> str:
    """`text` as this viewer may see it: unchanged for moderators, masked for everyone else."""
    if not text:
        return text or ""
    return text if sees_personal_data() else masked(text)


def body_html(contribution) -> Markup:
    """The contribution's text as HTML for this viewer (the stored HTML when nothing needs masking)."""
    from consulta.text import render_plain

    body = contribution.body or ""
    if contribution.body_html is not None and (sees_personal_data() or masked(body) == body):
        return Markup(contribution.body_html)  # noqa: S704 - stored output of consulta.text.render_plain
    return render_plain(shown(body))


def proposal_html(contribution) -> Markup:
    """The contribution's proposed text (or its word diff) as HTML for this viewer."""
    from consulta.models import ContributionKind
    from consulta.text import render_plain, word_diff

    proposed = contribution.proposed_text or ""
    if (sees_personal_data() or masked(proposed) == proposed) and contribution.proposal_html is not None:
        return Markup(contribution.proposal_html)  # noqa: S704 - stored output of render_plain or word_diff
    from consulta.models.participation import diff_base

    article_body = diff_base(contribution.article.body, contribution.part) if contribution.article_id else None
    if ContributionKind(contribution.kind) is ContributionKind.NEW_WORDING and article_body is not None:
        return word_diff(article_body, shown(proposed))
    return render_plain(shown(proposed))


# -- public identifiers ----------------------------------------------------------------------------------
# Open data and the API never carry the database ids that the HTML pages use as anchors (#contribuicao-42,
# next to the author's name), nor the pseudonym the analysts' reports use: with either, one scrape of the
# pages would link every pseudonymous row back to a name. Both identifiers below are keyed HMACs of their own
# domain: stable across downloads, the same in open data and the API, irreversible without the key.


def _keyed(domain: str, value: int, length: int) -> str:
    key = current_app.config.get("PUBLIC_ID_KEY") or f"public-id:{current_app.config['SECRET_KEY']}"
    mac = _mac(str(key)).copy()  # the keyed state is computed once per key, not per row
    mac.update(f"{domain}:{value}".encode())
    return mac.hexdigest()[:length]


@lru_cache(maxsize=4)
def _mac(key: str) -> hmac.HMAC:
    return hmac.new(key.encode(), digestmod=hashlib.sha256)


def public_id(contribution_id: int | None) -> str | None:
    """The contribution's identifier in open data and the API ("c-" and 12 hex digits)."""
    return None if contribution_id is None else "c-" + _keyed("contribution", contribution_id, 12)


def public_pseudonym(user_id: int | None) -> str | None:
    """A person's stable pseudonym in open data and the API ("p-" and 10 hex digits)."""
    return None if user_id is None else "p-" + _keyed("author", user_id, 10)
