"""User-facing text in Python goes through Flask-Babel: a scan of consulta/**/*.py with `ast`.

The scan looks where text meets people: flash(), WTForms field labels and descriptions, validator messages,
select-choice labels, ValidationError/StopValidation. A string literal there (or an f-string) fails unless
it is wrapped in _()/_l()/ngettext() — or listed in ALLOWED with the reason. A second scan checks every
gettext call: a constant message (never an f-string) whose %(name)s placeholders are the call's keywords.
"""

import ast
import re
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "consulta"

GETTEXT = {"_", "_l", "gettext", "lazy_gettext", "ngettext", "lazy_ngettext", "pgettext", "lazy_pgettext"}
PLURAL = {"ngettext", "lazy_ngettext"}

# Where the message sits in a validator's positional arguments (wtforms.validators / flask_wtf.file).
VALIDATOR_MESSAGE_ARG = {
    "InputRequired": 0, "DataRequired": 0, "Email": 0, "FileRequired": 0, "InputOptional": 0,
    "EqualTo": 1, "AnyOf": 1, "NoneOf": 1, "FileAllowed": 1,
    "Length": 2, "NumberRange": 2, "Regexp": 2, "FileSize": 2, "URL": 2,
}
FIRST_ARG_IS_TEXT = {"flash", "ValidationError", "StopValidation"}
TEXT_KEYWORDS = {"label", "description", "message"}

PT_ACCENTS = re.compile(r"[áàâãéêíóôõúüçÁÀÂÃÉÊÍÓÔÕÚÇ]")
PT_WORDS = re.compile(
    r"\b(não|sua|seu|suas|seus|para|com|uma|um|de|da|do|das|dos|na|no|em|ou|que|por|mais|ao|à|os|as|"
    r"informe|escolha|escreva|conta|senha|nome|consulta|texto|oficina)\b",
    re.IGNORECASE,
)

# (path relative to consulta/, the literal) -> why it stays as it is. Keep this short and justified.
ALLOWED: dict[tuple[str, str], str] = {}


def looks_like_text(value: str) -> bool:
    """Whether a literal reads as words for people (Portuguese, or any capitalised label), not a code."""
    value = value.strip()
    if not value or not any(ch.isalpha() for ch in value):
        return False
    return bool(PT_ACCENTS.search(value) or PT_WORDS.search(value) or " " in value or value[0].isupper())


def _name(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _is_field(name: str) -> bool:
    return name.endswith("Field") and name[:1].isupper()


def _text_args(call: ast.Call) -> list[ast.expr]:
    """The arguments of `call` that hold text a person reads."""
    name = _name(call.func)
    out: list[ast.expr] = []
    if (_is_field(name) or name in FIRST_ARG_IS_TEXT) and call.args:
        out.append(call.args[0])
    if name in VALIDATOR_MESSAGE_ARG and len(call.args) > VALIDATOR_MESSAGE_ARG[name]:
        out.append(call.args[VALIDATOR_MESSAGE_ARG[name]])
    if name == "SelectChoice" and len(call.args) > 1:
        out.append(call.args[1])
    if _is_field(name) or name in VALIDATOR_MESSAGE_ARG or name == "SelectChoice":
        out += [k.value for k in call.keywords if k.arg in TEXT_KEYWORDS]
    return out


def _literal_text(node: ast.expr) -> str | None:
    """The text of an unwrapped literal (plain, f-string or a concatenation of them), else None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _literal_text(node.left), _literal_text(node.right)
        if left is not None or right is not None:
            return (left or "") + (right or "")
    return None


def _sources():
    for path in sorted(PACKAGE.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        yield path.relative_to(PACKAGE).as_posix(), ast.parse(path.read_text(encoding="utf-8"), str(path))


def unwrapped_strings() -> list[str]:
    """'path:line: text' for every user-facing literal that is not wrapped for translation."""
    found = []
    for rel, tree in _sources():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or _name(node.func) in GETTEXT:
                continue
            for arg in _text_args(node):
                text = _literal_text(arg)
                if text is not None and looks_like_text(text) and (rel, text) not in ALLOWED:
                    found.append(f"{rel}:{arg.lineno}: {text!r}")
    return found


def bad_gettext_calls() -> list[str]:
    """'path:line: problem' for gettext calls with an f-string or placeholders that do not match keywords."""
    found = []
    for rel, tree in _sources():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or _name(node.func) not in GETTEXT or not node.args:
                continue
            where = f"{rel}:{node.lineno}"
            messages = node.args[:2] if _name(node.func) in PLURAL else node.args[:1]
            if not all(isinstance(m, ast.Constant) and isinstance(m.value, str) for m in messages):
                found.append(f"{where}: the message must be a constant string (no f-string, no variable)")
                continue
            placeholders = set().union(*(re.findall(r"%\((\w+)\)", m.value) for m in messages))
            keywords = {k.arg for k in node.keywords}
            if _name(node.func) in PLURAL:
                placeholders.discard("num")  # Flask-Babel fills %(num)d from the count
            if placeholders != keywords:
                found.append(f"{where}: placeholders {sorted(placeholders)} but keywords {sorted(keywords)}")
    return found


def test_user_facing_strings_in_python_are_wrapped_for_translation():
    assert unwrapped_strings() == []


def test_gettext_calls_use_constant_messages_with_matching_placeholders():
    assert bad_gettext_calls() == []


def test_allow_list_names_only_literals_that_still_exist():
    texts = {(rel, text) for rel, tree in _sources() for node in ast.walk(tree)
             if isinstance(node, ast.Constant) and isinstance(node.value, str) for text in [node.value]}
    assert [entry for entry in ALLOWED if entry not in texts] == []


@pytest.mark.parametrize("source, expected", [
    ('flash("Conta criada.", "success")', 1),
    ('flash(f"Olá, {name}!", "success")', 1),
    ('flash(_("Conta criada."), "success")', 0),
    ('flash(message, "success")', 0),
    ('x = StringField("Nome", validators=[InputRequired("Informe seu nome.")])', 2),
    ('x = StringField(_l("Nome"), validators=[InputRequired(_l("Informe seu nome."))])', 0),
    ('x = TextAreaField(_l("Texto"), description="Até 5.000 caracteres.")', 1),
    ('Length(max=10, message="Use até 10 caracteres.")', 1),
    ('Length(1, 10, "Use até 10 caracteres.")', 1),
    ('raise ValidationError("CNPJ inválido.")', 1),
    ('raise ValidationError(_("CNPJ inválido."))', 0),
    ('SelectChoice("person", "Pessoa")', 1),
    ('SelectChoice("person", _l("Pessoa"))', 0),
    ('flash("success")', 0),
])
def test_the_scan_finds_unwrapped_text(tmp_path, monkeypatch, source, expected):
    (tmp_path / "sample.py").write_text(source + "\n", encoding="utf-8")
    monkeypatch.setattr(sys.modules[__name__], "PACKAGE", tmp_path)
    assert len(unwrapped_strings()) == expected


@pytest.mark.parametrize("source, problems", [
    ('_("Olá, %(name)s!", name=user)', 0),
    ('_("Olá, %(name)s!")', 1),
    ('_(f"Olá, {name}!")', 1),
    ('_("Olá!", name=user)', 1),
    ('ngettext("%(num)d voto", "%(num)d votos", n)', 0),
    ('ngettext("%(num)d voto em %(where)s", "%(num)d votos em %(where)s", n, where=w)', 0),
])
def test_the_scan_checks_placeholders(tmp_path, monkeypatch, source, problems):
    (tmp_path / "sample.py").write_text(source + "\n", encoding="utf-8")
    monkeypatch.setattr(sys.modules[__name__], "PACKAGE", tmp_path)
    assert len(bad_gettext_calls()) == problems


def test_enum_labels_are_plain_strings_in_portuguese(app):
    from consulta.models import Role, Sector, Stance, VerificationLevel

    with app.test_request_context("/"):
        labels = [Role.ADMIN.label, Sector.CITIZEN.label, VerificationLevel.EMAIL.label, Stance.PARTLY.label]
    assert labels == ["Administrador(a)", "Cidadão ou cidadã", "E-mail confirmado", "Concordo em parte"]
    assert all(type(label) is str for label in labels)  # safe for JSON, SQL, CSV and dict keys


def test_text_outside_a_request_renders_in_the_default_locale(app):
    """A worker (app context, no request) gets Portuguese text and formatted numbers, not an error."""
    from flask_babel import format_number, gettext

    from consulta.models import Stance
    from consulta.notifications.sending import recipient_locale

    with app.app_context():
        assert gettext("Olá, %(name)s!", name="Ana") == "Olá, Ana!"
        assert format_number(5000) == "5.000"
        assert Stance.AGREE.label == "Concordo"
        assert recipient_locale(type("Account", (), {"locale": None})()) == app.config["BABEL_DEFAULT_LOCALE"]
        assert recipient_locale(type("Account", (), {"locale": "es"})()) == "es"


def test_shared_snapshots_and_open_data_are_built_in_the_default_locale(app):
    """Results snapshots and open-data rows ignore the asker's language (they are shared and parsed)."""
    from flask_babel import force_locale, get_locale

    from consulta.locale_neutral import in_default_locale, iterate_in_default_locale

    @in_default_locale
    def snapshot():
        return str(get_locale())

    @iterate_in_default_locale
    def rows():
        yield str(get_locale())
        yield str(get_locale())

    with app.test_request_context("/"), force_locale("es"):
        assert str(get_locale()) == "es"
        assert snapshot() == "pt_BR"
        assert list(rows()) == ["pt_BR", "pt_BR"]
        assert str(get_locale()) == "es"  # restored afterwards


# -- translated for real: a small catalogue of our own, so these tests do not depend on the shipped ones --

SPANISH = {
    "E-mail ou senha incorretos.": "Correo o contraseña incorrectos.",
    "Senha": "Contraseña",
    "Nova resposta à sua contribuição em “{title}”": "Nueva respuesta a tu contribución en “{title}”",
}
ENGLISH = {"Nova resposta à sua contribuição em “{title}”": "New reply to your contribution on “{title}”"}


@pytest.fixture
def catalogues(tmp_path):
    """es and en catalogues with a few of the code's messages, compiled; Flask-Babel's cache cleared around."""
    from babel.messages.catalog import Catalog
    from babel.messages.mofile import write_mo

    from consulta.extensions import babel

    for lang, messages in (("es", SPANISH), ("en", ENGLISH)):
        catalog = Catalog(locale=lang)
        for msgid, msgstr in messages.items():
            catalog.add(msgid, msgstr)
        folder = tmp_path / lang / "LC_MESSAGES"
        folder.mkdir(parents=True)
        with open(folder / "messages.mo", "wb") as fh:
            write_mo(fh, catalog)

    def clear():
        domain = vars(babel).get("domain_instance")
        if domain is not None:
            domain.cache.clear()

    clear()
    yield str(tmp_path)
    clear()


def test_form_labels_and_errors_from_python_follow_the_visitors_language(make_app, catalogues, create_user):
    app = make_app(BABEL_TRANSLATION_DIRECTORIES=catalogues)
    user = create_user()
    client = app.test_client()
    client.set_cookie("consulta_lang", "es")
    page = client.post("/entrar", data={"email": user.email, "password": "not the password"})
    text = page.get_data(as_text=True)
    assert page.status_code == 422
    assert "Correo o contraseña incorrectos." in text and "E-mail ou senha incorretos." not in text
    assert "Contraseña" in text  # the lazy label of LoginForm.password, resolved at render time
    client.set_cookie("consulta_lang", "pt_BR")
    assert "E-mail ou senha incorretos." in client.post(
        "/entrar", data={"email": user.email, "password": "not the password"}).get_data(as_text=True)


def test_templates_keep_their_catalogue_per_locale_in_force(make_app, catalogues):
    """Templates look the catalogue up once per locale (consulta.i18n.template_translations), yet follow
    force_locale() inside a request at once, and the request's own language again after it."""
    from flask import render_template_string
    from flask_babel import force_locale

    app = make_app(BABEL_TRANSLATION_DIRECTORIES=catalogues)
    page = "{{ _('Senha') }} {{ ngettext('%(num)s voto', '%(num)s votos', 2) }}"
    with app.test_request_context("/?lang=es"):
        assert render_template_string(page) == "Contraseña 2 votos"
        with force_locale("pt_BR"):
            assert render_template_string(page) == "Senha 2 votos"
        assert render_template_string(page) == "Contraseña 2 votos"
    with app.test_request_context("/"):
        assert render_template_string(page) == "Senha 2 votos"


def test_notification_mail_is_written_in_the_recipients_language_not_the_requests(
        make_app, catalogues, create_user, create_consultation, monkeypatch):
    """Mail leaves from a worker (or a request in another language): its subject follows the recipient."""
    from consulta.extensions import db
    from consulta.models import Article, ContributionKind, Stance, User
    from consulta.notifications import sending
    from consulta.participation import services

    app = make_app(BABEL_TRANSLATION_DIRECTORIES=catalogues, DEFAULT_LOCALE="es", PUBLIC_URL="https://consulta.test")
    author, replier = create_user(), create_user()
    consultation = create_consultation("open")
    with app.app_context():
        article = db.session.scalars(db.select(Article).where(Article.consultation_id == consultation.id,
                                                              Article.accepts_contributions)).first()
        mine, _created = services.contribute(db.session.get(User, author.id), article=article,
                                             kind=ContributionKind.COMMENT, stance=Stance.AGREE, body="Minha.")
        services.reply(db.session.get(User, replier.id), mine, "Uma resposta.")
        db.session.commit()
    subjects = []
    monkeypatch.setattr(sending, "send_mail", lambda to, subject, *args, **kwargs: subjects.append(subject))
    with app.test_request_context("/?lang=en", base_url="https://consulta.test"):
        sending.send_pending()
    assert subjects == [f"Nueva respuesta a tu contribución en “{consultation.title}”"]


def shadowed_gettext() -> list[str]:
    """'path:function' where `_` is assigned (a throwaway) in a function that also calls `_()`."""
    found = []
    nested = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp,
              ast.GeneratorExp)
    for rel, tree in _sources():
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            stores = calls = False
            stack = list(ast.iter_child_nodes(function))
            while stack:
                node = stack.pop()
                if isinstance(node, nested):
                    continue  # their own scope
                stores |= isinstance(node, ast.Name) and node.id == "_" and isinstance(node.ctx, ast.Store)
                calls |= isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "_"
                stack.extend(ast.iter_child_nodes(node))
            if stores and calls:
                found.append(f"{rel}:{function.name}")
    return found


def test_no_function_shadows_gettext_with_a_throwaway_variable():
    assert shadowed_gettext() == []


def test_the_shadowing_check_can_fail(tmp_path, monkeypatch):
    (tmp_path / "sample.py").write_text('def view():\n    form, _ = build()\n    return _("Texto")\n', encoding="utf-8")
    monkeypatch.setattr(sys.modules[__name__], "PACKAGE", tmp_path)
    assert shadowed_gettext() == ["sample.py:view"]


def gettext_at_import_time() -> list[str]:
    """'path:line' of _()/gettext()/ngettext() calls outside any function: they run once, untranslated."""
    found = []

    def visit(node: ast.AST, rel: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                continue
            if isinstance(child, ast.Call) and _name(child.func) in {"_", "gettext", "ngettext"}:
                found.append(f"{rel}:{child.lineno}")
            visit(child, rel)

    for rel, tree in _sources():
        visit(tree, rel)
    return found


def test_module_level_text_uses_lazy_gettext():
    assert gettext_at_import_time() == []


def labels_at_import_time() -> list[str]:
    """'path:line' where an enum's `.label` (a str in the current language) is read outside any function."""
    found = []

    def visit(node: ast.AST, rel: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                continue
            if isinstance(child, ast.Attribute) and child.attr == "label" and isinstance(child.ctx, ast.Load):
                found.append(f"{rel}:{child.lineno}")
            visit(child, rel)

    for rel, tree in _sources():
        visit(tree, rel)
    return found


# Built once from labels, in Portuguese on purpose: the accepted values the workshop importer lists.
IMPORT_TIME_LABELS_ALLOWED = {"workshops/spreadsheets.py"}


def test_form_choices_and_labels_use_the_lazy_label_dicts():
    """A form built at import from `.label` would stay in the language of no request (pt_BR) forever."""
    assert [hit for hit in labels_at_import_time() if hit.split(":")[0] not in IMPORT_TIME_LABELS_ALLOWED] == []
