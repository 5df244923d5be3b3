"""The `flask consulta` commands."""

from sqlalchemy import func, select

from consulta.cli import DEMO_SLUG
from consulta.extensions import db
from consulta.models import Article, ArticleKind, Consultation, Role, Status, User
from tests.conftest import SMALL_DRAFT


def test_import_draft_creates_a_consultation_in_draft(app, runner, tmp_path):
    draft = tmp_path / "rascunho.md"
    draft.write_text(SMALL_DRAFT, encoding="utf-8")
    result = runner.invoke(args=["consulta", "import-draft", str(draft), "--consultation", "teste"])
    assert result.exit_code == 0, result.output
    assert "4 dispositivos importados" in result.output
    with app.app_context():
        c = db.session.scalar(select(Consultation).where(Consultation.slug == "teste"))
        assert c.status is Status.DRAFT and c.title == "Capítulo I — Disposições gerais"
        assert len(c.articles) == 4


def test_import_draft_with_errors_saves_nothing(app, runner, tmp_path):
    draft = tmp_path / "vazio.md"
    draft.write_bytes(b"")
    result = runner.invoke(args=["consulta", "import-draft", str(draft), "--consultation", "teste"])
    assert result.exit_code != 0
    assert "O arquivo está vazio." in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Consultation)) == 0


def test_import_draft_refuses_an_open_consultation(app, runner, tmp_path, create_consultation):
    c = create_consultation("open")
    draft = tmp_path / "novo.md"
    draft.write_text("# Novo\n\nArt. 1º Só.\n", encoding="utf-8")
    result = runner.invoke(args=["consulta", "import-draft", str(draft), "--consultation", c.slug])
    assert result.exit_code != 0
    assert "não pode mais ser substituído" in result.output


def test_import_draft_accepts_latin1_with_a_warning(app, runner, tmp_path):
    draft = tmp_path / "latin1.md"
    draft.write_bytes("# Anexo\n\n1.1 Recomendação com acentuação.\n".encode("latin-1"))
    result = runner.invoke(args=["consulta", "import-draft", str(draft), "--consultation", "l1"])
    assert result.exit_code == 0, result.output
    assert "aviso:" in result.output
    with app.app_context():
        body = db.session.scalar(select(Article.body))
        assert body == "Recomendação com acentuação."


def test_create_user_with_role(app, runner):
    result = runner.invoke(args=["consulta", "create-user", "ana@exemplo.com.br", "--role", "analyst",
                                 "--password", "uma frase secreta"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "ana@exemplo.com.br"))
        assert user.role is Role.ANALYST and user.consent_at is not None


def test_create_user_changes_role_of_existing_account(app, runner, create_user):
    user = create_user()
    result = runner.invoke(args=["consulta", "create-user", user.email, "--role", "admin", "--password", "x"])
    assert result.exit_code == 0
    with app.app_context():
        assert db.session.get(User, user.id).role is Role.ADMIN


def test_create_user_refuses_common_password(runner):
    result = runner.invoke(args=["consulta", "create-user", "a@b.com.br", "--password", "12345678"])
    assert result.exit_code != 0 and "comum demais" in result.output


def test_load_demo_loads_once_and_opens(app, runner):
    result = runner.invoke(args=["consulta", "load-demo", "--no-accounts"])
    assert result.exit_code == 0, result.output
    runner.invoke(args=["consulta", "load-demo", "--no-accounts"])
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Consultation)) == 1
        c = db.session.scalar(select(Consultation).where(Consultation.slug == DEMO_SLUG))
        assert c.status is Status.OPEN
        kinds = [a.kind for a in c.articles]
        assert kinds.count(ArticleKind.ARTICLE) >= 10
        assert kinds.count(ArticleKind.RECOMMENDATION) >= 30
        assert all(a.accepts_votes == (a.kind is ArticleKind.RECOMMENDATION) for a in c.articles)
        assert {s.title.split(" — ")[0] for s in c.sections if s.depth == 2} >= {
            f"Objetivo {n}" for n in range(1, 7)
        }
        assert any("§" in a.body for a in c.articles) and any("\nI – " in a.body for a in c.articles)


def test_load_demo_prints_demo_accounts(app, runner):
    result = runner.invoke(args=["consulta", "load-demo", "--accounts"])
    assert result.exit_code == 0
    assert "admin@consulta.example" in result.output and "somente desenvolvimento" in result.output
    with app.app_context():
        assert {u.role for u in db.session.scalars(select(User))} == set(Role)


def test_demo_accounts_are_refused_in_production(make_app):
    app = make_app(SECURE_COOKIES=True)
    result = app.test_cli_runner().invoke(args=["consulta", "load-demo", "--accounts"])
    assert result.exit_code != 0 and "produção" in result.output


def test_load_demo_with_accounts_registers_the_regional_workshops(app, runner):
    from consulta.models import Contribution, Workshop, WorkshopStatus

    result = runner.invoke(args=["consulta", "load-demo", "--accounts"])
    assert result.exit_code == 0, result.output
    runner.invoke(args=["consulta", "load-demo", "--accounts"])  # idempotent
    with app.app_context():
        workshops = db.session.scalars(select(Workshop)).all()
        assert len(workshops) == 10
        assert {w.uf for w in workshops if w.uf} == {"RS", "CE", "RJ", "AM", "GO", "PA"}
        assert all(w.status is WorkshopStatus.REPORTED for w in workshops)
        assert 850 <= sum(w.attendance_total for w in workshops) <= 950
        inputs = db.session.scalars(select(Contribution).where(Contribution.workshop_id.is_not(None))).all()
        assert len(inputs) >= 10 and all(c.channel.value == "workshop" for c in inputs)
