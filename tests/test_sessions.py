"""Sign-ins that end: logout, "sair de todos os dispositivos" and a password change void old cookies."""

from datetime import timedelta

from sqlalchemy import func, select, update

from consulta.extensions import db
from consulta.models import UserSession, utcnow
from tests.conftest import PASSWORD, csrf_token_from


def login(client, user, *, remember: bool = False):
    data = {"email": user.email, "password": PASSWORD}
    if remember:
        data["remember"] = "y"
    response = client.post("/entrar", data=data)
    assert response.status_code == 303
    return response


def replay(app, name: str, value: str):
    """A fresh browser that carries only one stolen cookie."""
    other = app.test_client()
    other.set_cookie(name, value)
    return other


def test_old_session_cookie_stops_working_after_logout(app, client, create_user):
    login(client, create_user())
    stolen = client.get_cookie("session").value
    assert replay(app, "session", stolen).get("/conta").status_code == 200
    client.post("/sair")
    assert replay(app, "session", stolen).get("/conta").status_code == 302


def test_old_remember_cookie_stops_working_after_logout(app, client, create_user):
    login(client, create_user(), remember=True)
    remember = client.get_cookie("remember_token").value
    assert replay(app, "remember_token", remember).get("/conta").status_code == 200
    client.post("/sair")
    assert client.get_cookie("remember_token") is None  # deleted from this browser
    assert replay(app, "remember_token", remember).get("/conta").status_code == 302  # and void elsewhere


def test_remember_token_is_new_at_each_login(app, create_user):
    user = create_user()
    first, second = app.test_client(), app.test_client()
    login(first, user, remember=True)
    login(second, user, remember=True)
    assert first.get_cookie("remember_token").value != second.get_cookie("remember_token").value
    first.post("/sair")  # ending one device leaves the other signed in
    assert first.get("/conta").status_code == 302
    assert second.get("/conta").status_code == 200


def test_expired_sign_in_is_refused(app, client, create_user):
    user = create_user()
    login(client, user, remember=True)
    with app.app_context():
        db.session.execute(update(UserSession).values(expires_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    assert client.get("/conta").status_code == 302
    assert replay(app, "remember_token", client.get_cookie("remember_token").value).get("/conta").status_code == 302


def test_sign_out_everywhere_ends_every_device(app, create_user):
    user = create_user()
    phone, laptop = app.test_client(), app.test_client()
    login(phone, user, remember=True)
    login(laptop, user)
    response = laptop.post("/sair/todos")
    assert response.status_code == 303
    assert laptop.get("/conta").status_code == 302
    assert phone.get("/conta").status_code == 302
    assert replay(app, "remember_token", phone.get_cookie("remember_token").value).get("/conta").status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(UserSession)) == 0


def test_password_change_ends_other_sessions_and_keeps_this_one(app, create_user):
    user = create_user()
    phone, laptop = app.test_client(), app.test_client()
    login(phone, user, remember=True)
    login(laptop, user)
    response = laptop.post("/conta/senha", data={"current_password": PASSWORD, "password": "uma outra frase secreta"})
    assert response.status_code == 303
    assert laptop.get("/conta").status_code == 200
    assert phone.get("/conta").status_code == 302


def test_wrong_current_password_changes_nothing(app, client, create_user):
    login(client, create_user())
    response = client.post("/conta/senha", data={"current_password": "não é esta", "password": "uma outra frase secreta"})
    assert response.status_code == 422
    assert "Senha atual incorreta" in response.get_data(as_text=True)


def test_csrf_token_is_renewed_at_login(make_app, create_user):
    app = make_app(WTF_CSRF_ENABLED=True)
    user = create_user()
    client = app.test_client()
    before = csrf_token_from(client.get("/entrar").get_data(as_text=True))
    client.post("/entrar", data={"email": user.email, "password": PASSWORD, "csrf_token": before})
    assert client.get("/conta").status_code == 200
    after = csrf_token_from(client.get("/conta").get_data(as_text=True))
    assert after != before
    # The anonymous page's token no longer passes for the signed-in session.
    refused = client.post("/conta", data={"display_name": "Novo Nome", "csrf_token": before})
    assert refused.status_code in (400, 422)


def test_cookie_from_the_old_format_is_refused(app, create_user):
    user = create_user()
    other = app.test_client()
    with other.session_transaction() as sess:
        sess["_user_id"] = str(user.id)  # what a cookie held before sign-ins became revocable
    assert other.get("/conta").status_code == 302


def test_expired_sign_ins_are_deleted_by_the_hourly_clean_up(app, create_user):
    from consulta.jobs import queue
    from consulta.models import Job

    user = create_user()
    with app.app_context():
        now = utcnow()
        db.session.add_all([
            UserSession(user_id=user.id, token_hash="a" * 64, created_at=now - timedelta(days=20),
                        expires_at=now - timedelta(days=6)),
            UserSession(user_id=user.id, token_hash="b" * 64, created_at=now, expires_at=now + timedelta(hours=12)),
        ])
        db.session.commit()
        queue.schedule_periodic(now.replace(hour=14, minute=0))  # the workers' minute pass, on the hour
        assert db.session.scalar(select(Job.state).where(Job.name == "clean_up")).value == "done"
        assert db.session.scalars(select(UserSession.token_hash)).all() == ["b" * 64]
