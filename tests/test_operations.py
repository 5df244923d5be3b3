"""Operations: backup and restore that run, private files, security events, counters of section proposals."""

import logging
import os
import stat

from consulta import create_app
from consulta.extensions import db
from consulta.models import Contribution, ContributionKind, Section, User


def test_backup_then_restore_brings_the_data_and_the_key_back(app, runner, create_user, tmp_path):
    kept = create_user(email="fica@exemplo.gov.br")
    result = runner.invoke(args=["consulta", "backup", str(tmp_path / "copia")])
    assert result.exit_code == 0, result.output
    folder = tmp_path / "copia"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    files = {path.name: stat.S_IMODE(path.stat().st_mode) for path in folder.iterdir()}
    assert set(files) in ({"database.sqlite3", "secret_key", "manifest.json"},
                          {"database.pgdump", "secret_key", "manifest.json"})
    assert set(files.values()) == {0o600}
    assert (folder / "secret_key").read_text().strip() == app.config["SECRET_KEY"]

    create_user(email="depois@exemplo.gov.br")
    with app.app_context():
        db.session.delete(db.session.get(User, kept.id))
        db.session.commit()
    result = runner.invoke(args=["consulta", "restore", str(folder), "--yes"])
    assert result.exit_code == 0, result.output
    assert "mesma em uso" in result.output
    with app.app_context():
        emails = set(db.session.scalars(db.select(User.email)))
    assert emails == {"fica@exemplo.gov.br"}


def test_restore_refuses_a_folder_that_is_not_a_backup(runner, tmp_path):
    result = runner.invoke(args=["consulta", "restore", str(tmp_path), "--yes"])
    assert result.exit_code != 0 and "manifest.json" in result.output


def test_instance_folder_and_sqlite_file_are_private(tmp_path):
    instance = tmp_path / "instance"
    application = create_app({"TESTING": True}, instance_path=str(instance))
    with application.app_context():
        db.create_all()
        db.session.remove()
        db.engine.dispose()
    assert stat.S_IMODE(instance.stat().st_mode) == 0o700
    for name in ("consulta.sqlite3", "secret_key"):
        assert stat.S_IMODE((instance / name).stat().st_mode) == 0o600, name
    for companion in ("consulta.sqlite3-wal", "consulta.sqlite3-shm"):
        path = instance / companion
        if path.exists():
            assert not stat.S_IMODE(path.stat().st_mode) & 0o077, companion
    assert os.access(instance / "consulta.sqlite3", os.R_OK)


def test_role_changes_blocks_and_exports_are_security_events(app, client, auth, create_user, caplog):
    admin, person, blocked = create_user("admin"), create_user(), create_user()
    caplog.set_level(logging.INFO, logger="consulta.security")
    auth.login(admin)
    client.post(f"/admin/usuarios/{person.id}/papel", data={f"u{person.id}-role": "moderator"})
    client.get("/conta/meus-dados.json")
    client.post(f"/moderacao/contas/{blocked.id}/bloquear", data={"reason": "Spam repetido."})
    events = {r.security["event"]: r.security for r in caplog.records if r.name == "consulta.security"}
    assert events["user.role_changed"]["user_id"] == person.id
    assert events["user.role_changed"]["actor_id"] == admin.id
    assert events["data.exported"]["user_id"] == admin.id
    assert events["login.succeeded"]["user_id"] == admin.id
    assert events["user.blocked"] == {**events["user.blocked"], "user_id": blocked.id, "actor_id": admin.id}


def test_recount_repairs_counters_of_section_proposals(app, runner, client, auth, create_user, create_consultation):
    consultation = create_consultation("open")
    with app.app_context():
        section_id = db.session.scalars(db.select(Section.id).where(Section.consultation_id == consultation.id)).first()
    auth.login(create_user())
    client.post(f"/consultas/{consultation.slug}/secoes/{section_id}/propostas",
                data={"body": "Falta um artigo.", "proposed_text": "Art. X. Texto novo."})
    with app.app_context():
        proposal = db.session.scalars(db.select(Contribution).where(
            Contribution.kind == ContributionKind.NEW_ARTICLE)).one()
        assert proposal.article_id is None
        proposal.support_count, proposal.reply_count, proposal.report_count = 7, 5, 3
        db.session.commit()
        proposal_id = proposal.id
    result = runner.invoke(args=["consulta", "recount-votes", "--consultation", consultation.slug])
    assert result.exit_code == 0, result.output
    with app.app_context():
        proposal = db.session.get(Contribution, proposal_id)
        assert (proposal.support_count, proposal.reply_count, proposal.report_count) == (0, 0, 0)
