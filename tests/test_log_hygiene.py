"""No credentials or personal data in logs or rate-limit keys; security events are logged with structured fields."""

import logging

import pytest
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError

from consulta.extensions import db, limiter
from consulta.models import Contribution, User

EMAIL = "sigilo.total@exemplo.gov.br"
CPF = "529.982.247-25"


def test_a_run_logs_no_email_password_hash_or_cpf(make_app, create_user, caplog):
    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_LOGIN="3 per minute")
    user = create_user(email=EMAIL)
    with app.app_context():
        password_hash = db.session.get(User, user.id).password_hash
    caplog.set_level(logging.DEBUG)
    client = app.test_client()
    try:
        for _ in range(5):  # failed logins, then the lockout
            client.post("/entrar", data={"email": EMAIL, "password": "senha errada de propósito"})
        with app.app_context():
            storage_dump = repr(vars(limiter.storage))
            for statement in (  # database errors whose parameters hold the e-mail, the hash and a CPF
                insert(User).values(email=EMAIL, password_hash=password_hash, display_name="Cópia", role="participant",
                                    kind="person"),
                insert(Contribution).values(consultation_id=999_999, article_id=999_999, body=f"Meu CPF é {CPF}"),
            ):
                with pytest.raises(IntegrityError) as error:
                    db.session.execute(statement)
                db.session.rollback()
                app.logger.error("Exception on request", exc_info=error.value)  # what Flask logs for a 500
    finally:
        with app.app_context():
            limiter.reset()
    logged = caplog.text + "".join(repr(getattr(r, "security", "")) for r in caplog.records)
    for secret in (EMAIL, password_hash, CPF, "52998224725"):
        assert secret not in logged, secret
        assert secret not in storage_dump, secret
    events = [r.security for r in caplog.records if r.name == "consulta.security"]
    assert [e["event"] for e in events].count("login.failed") >= 3
    assert any(e["event"] == "login.throttled" for e in events)
    assert all(e.get("email_digest") for e in events if e["event"] == "login.failed")
