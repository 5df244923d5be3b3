"""Accounts: registration, login (password and gov.br), logout, account security, profile and privacy."""

from flask import Blueprint

bp = Blueprint("auth", __name__)


@bp.record_once
def _init_govbr(state) -> None:
    from consulta.auth import govbr

    govbr.init_app(state.app)


from consulta.auth import account_views, consent, govbr_views, second_factor, views  # noqa: E402,F401  (routes attach to bp)
