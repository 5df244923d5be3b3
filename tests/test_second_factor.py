"""Second factor: TOTP and recovery codes at sign-in, required of privileged roles by setting."""

import re
import time

import pyotp

from tests.conftest import PASSWORD


def _enroll(client) -> tuple[str, list[str]]:
    page = client.get("/conta/dois-fatores").get_data(as_text=True)
    secret = re.search(r"<code>([A-Z2-7]{32})</code>", page).group(1)
    assert client.post("/conta/dois-fatores", data={"code": "000000"}).status_code == 422
    done = client.post("/conta/dois-fatores", data={"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 200
    codes = re.findall(r"<code>([0-9a-f]{6}-[0-9a-f]{6})</code>", done.get_data(as_text=True))
    assert len(codes) == 10
    return secret, codes


def _password_step(client, user):
    return client.post("/entrar", data={"email": user.email, "password": PASSWORD})


def test_enrolled_account_needs_a_code_after_the_password(app, client, auth, create_user):
    user = create_user("admin")
    auth.login(user)
    secret, codes = _enroll(client)
    auth.logout()

    step = _password_step(client, user)
    assert step.status_code == 303 and step.headers["Location"].endswith("/entrar/segundo-fator")
    assert client.get("/conta").status_code == 302  # not signed in yet: the password alone is not enough
    assert client.post("/entrar/segundo-fator", data={"code": "123456"}).status_code == 422
    code = pyotp.TOTP(secret).at(time.time() + 30)  # the next step (the setup spent the current one)
    assert client.post("/entrar/segundo-fator", data={"code": code}).status_code == 303
    assert client.get("/conta").status_code == 200
    auth.logout()

    _password_step(client, user)
    assert client.post("/entrar/segundo-fator", data={"code": code}).status_code == 422  # a code works once
    assert client.post("/entrar/segundo-fator", data={"code": codes[0]}).status_code == 303  # recovery code
    auth.logout()
    _password_step(client, user)
    assert client.post("/entrar/segundo-fator", data={"code": codes[0]}).status_code == 422  # spent


def test_privileged_roles_must_enroll_when_the_setting_requires_it(make_app, create_user):
    app = make_app(TOTP_REQUIRED=True)
    for role, required in (("moderator", True), ("analyst", True), ("admin", True), ("participant", False)):
        client = app.test_client()
        client.post("/entrar", data={"email": create_user(role).email, "password": PASSWORD})
        response = client.get("/conta")
        if required:
            assert response.status_code == 303 and response.headers["Location"].endswith("/conta/dois-fatores")
            assert client.get("/conta/dois-fatores").status_code == 200
        else:
            assert response.status_code == 200


def test_accounts_without_a_second_factor_sign_in_with_the_password(client, create_user):
    user = create_user()
    assert client.get("/entrar/segundo-fator").status_code == 303  # nothing pending: back to the password
    assert _password_step(client, user).status_code == 303  # not enrolled: signed in directly
    assert client.get("/conta").status_code == 200


def test_the_totp_key_is_stored_encrypted_and_survives_a_secret_key_rotation(app, make_app, client, auth,
                                                                              create_user):
    from sqlalchemy import text

    from consulta import crypto
    from consulta.extensions import db

    user = create_user("admin")
    auth.login(user)
    secret, _ = _enroll(client)
    auth.logout()
    with app.app_context():
        stored = db.session.execute(text("SELECT totp_secret FROM users WHERE id = :id"), {"id": user.id}).scalar()
        assert secret not in stored and crypto.decrypt(stored) == secret  # a database dump shows no key

    rotated = make_app(SECRET_KEY="uma-chave-nova", SECRET_KEY_FALLBACKS=[app.config["SECRET_KEY"]])
    other = rotated.test_client()
    _password_step(other, user)
    code = pyotp.TOTP(secret).at(time.time() + 30)
    assert other.post("/entrar/segundo-fator", data={"code": code}).status_code == 303  # read with the old key
    with rotated.app_context():
        again = db.session.execute(text("SELECT totp_secret FROM users WHERE id = :id"), {"id": user.id}).scalar()
        assert again != stored and crypto.rotated(again) is None  # stored again under the new key
        db.session.execute(text("UPDATE users SET totp_last_step = NULL WHERE id = :id"), {"id": user.id})
        db.session.commit()  # so that the same code may be used again below
    without = make_app(SECRET_KEY="uma-chave-nova").test_client()  # the old key no longer needed
    _password_step(without, user)
    assert without.post("/entrar/segundo-fator", data={"code": code}).status_code == 303
