"""Verification levels of accounts and the participation requirement of consultations."""

import pytest

from consulta.models import GovbrLevel, Requirement, User, VerificationLevel, utcnow


def account(email_verified: bool = False, govbr: GovbrLevel | None = None) -> User:
    return User(display_name="Pessoa", email_verified_at=utcnow() if email_verified else None, govbr_level=govbr)


@pytest.mark.parametrize(
    ("user", "level"),
    [
        (account(), VerificationLevel.NONE),
        (account(email_verified=True), VerificationLevel.EMAIL),
        (account(govbr=GovbrLevel.BRONZE), VerificationLevel.GOVBR_BRONZE),
        (account(email_verified=True, govbr=GovbrLevel.PRATA), VerificationLevel.GOVBR_PRATA),
        (account(govbr=GovbrLevel.OURO), VerificationLevel.GOVBR_OURO),
    ],
)
def test_verification_level_is_the_strongest_proof_held(user: User, level: VerificationLevel) -> None:
    assert user.verification_level is level


@pytest.mark.parametrize("requirement", list(Requirement))
@pytest.mark.parametrize("level", list(VerificationLevel))
def test_requirement_is_met_from_its_minimum_level_up(requirement: Requirement, level: VerificationLevel) -> None:
    govbr = {
        VerificationLevel.GOVBR_BRONZE: GovbrLevel.BRONZE,
        VerificationLevel.GOVBR_PRATA: GovbrLevel.PRATA,
        VerificationLevel.GOVBR_OURO: GovbrLevel.OURO,
    }.get(level)
    user = account(email_verified=level >= VerificationLevel.EMAIL, govbr=govbr)
    assert requirement.is_met_by(user) is (list(VerificationLevel).index(level) >= list(VerificationLevel).index(requirement.minimum))


def test_a_new_consultation_accepts_any_account(app_ctx, create_consultation) -> None:
    consultation = create_consultation()
    assert consultation.requirement is Requirement.ANY
