"""Erasure of a deleted account's personal data from every table that holds text (LGPD art. 16 and 18, VI).

Deleting an account blanks its row in `users` (auth.services.delete_account). What the person typed stays as
anonymous public record, but not their personal data: their own contributions, earlier versions of them and
their report notes are masked (CPF, CNPJ, e-mail, phone), and their e-mail, CNPJ and name are replaced
wherever else they appear as text — in any string, text or JSON column of any table (someone else's note,
the audit log, an analysis result). Flushes, never commits.
"""

from __future__ import annotations

import json
import re

from sqlalchemy import JSON, String, Text, Unicode, UnicodeText, cast, func, or_, select, update

from consulta.extensions import db
from consulta.models import Contribution, ContributionVersion, Report, User
from consulta.privacy import masked

REMOVED = "[dado removido]"
MIN_NAME_LENGTH = 5  # shorter names ("Ana") would also erase ordinary words
TEXT_TYPES = (String, Text, Unicode, UnicodeText)
KEPT = {"users.email", "users.display_name", "users.cnpj"}  # other accounts' own identities (homonyms stay)


def _needles(user: User) -> list[str]:
    """The texts that identify `user`: e-mail, CNPJ (bare and formatted) and a name long enough to be safe."""
    needles = [user.email or ""]
    if user.cnpj:
        c = user.cnpj
        needles += [c, f"{c[:2]}.{c[2:5]}.{c[5:8]}/{c[8:12]}-{c[12:]}"]
    name = (user.display_name or "").strip()
    if len(name) >= MIN_NAME_LENGTH:
        needles.append(name)
    return [needle.lower() for needle in needles if needle]


def _patterns(needles: list[str]) -> list[re.Pattern[str]]:
    return [re.compile(r"(?<!\w)" + re.escape(needle) + r"(?!\w)", re.IGNORECASE) for needle in needles]


def _scrubbed(text: str, patterns: list[re.Pattern[str]]) -> str:
    for pattern in patterns:
        text = pattern.sub(REMOVED, text)
    return text


def scrub_personal_data(user: User) -> None:
    """Mask the personal data in `user`'s own texts and remove their e-mail, CNPJ and name from every table."""
    needles = _needles(user)
    patterns = _patterns(needles)
    for contribution in db.session.scalars(select(Contribution).where(Contribution.author_id == user.id)):
        contribution.body = _scrubbed(masked(contribution.body or ""), patterns)
        if contribution.proposed_text:
            contribution.proposed_text = _scrubbed(masked(contribution.proposed_text), patterns)
    own = select(Contribution.id).where(Contribution.author_id == user.id)
    for version in db.session.scalars(select(ContributionVersion).where(ContributionVersion.contribution_id.in_(own))):
        version.body = _scrubbed(masked(version.body or ""), patterns)
        if version.proposed_text:
            version.proposed_text = _scrubbed(masked(version.proposed_text), patterns)
    for report in db.session.scalars(select(Report).where(Report.user_id == user.id, Report.note.is_not(None))):
        report.note = _scrubbed(masked(report.note), patterns)
    user.totp_secret = user.totp_enabled_at = user.totp_last_step = user.totp_recovery_codes = None
    db.session.flush()
    if needles:
        _scrub_everywhere(user, needles, patterns)


def _scrub_everywhere(user: User, needles: list[str], patterns: list[re.Pattern[str]]) -> None:
    """Replace the needles in every text and JSON column of every table (the user's own row excepted)."""
    for table in db.metadata.sorted_tables:
        key = list(table.primary_key.columns)
        for column in table.columns:
            is_json = isinstance(column.type, JSON)
            if (not (is_json or isinstance(column.type, TEXT_TYPES)) or column.primary_key or column.foreign_keys
                    or f"{table.name}.{column.name}" in KEPT):
                continue
            as_text = cast(column, Text) if is_json else column
            found = select(*key, column).where(or_(*(func.lower(as_text).contains(n, autoescape=True)
                                                     for n in needles)))
            if table.name == User.__tablename__:
                found = found.where(table.c.id != user.id)
            for row in db.session.execute(found).all():
                value = row[-1]
                if is_json:
                    new = json.loads(_scrubbed(json.dumps(value, ensure_ascii=False), patterns))
                else:
                    new = _scrubbed(value, patterns)
                if new != value:
                    where = [k == row[i] for i, k in enumerate(key)]
                    db.session.execute(update(table).where(*where).values({column.name: new}))
    db.session.flush()
