"""Taking part through a real browser: voting, contributing, supporting, replying and loading more.

Each flow runs with JavaScript on (htmx updates the page in place and moves focus to the result) and off
(plain forms and full page loads). An article page full of contributions is checked with axe and captured.
"""

import re
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Locator, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from consulta.extensions import db
from consulta.models import AccountKind, Article, Contribution, ContributionKind, Stance, User, VoteValue
from consulta.participation import services
from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.test_accessibility import article_id, assert_accessible
from tests.browser.test_reading import assert_no_horizontal_scroll, save_screenshot
from tests.conftest import PASSWORD

RECOMMENDATION = "Recomendação 1.1"
CURRENT_TEXT = (
    "Adotar o CPF como identificador único e suficiente do cidadão em todos os serviços públicos digitais, "
    "dispensando a apresentação de outros números de cadastro."
)
PROPOSED_TEXT = (
    "Adotar o CPF como identificador único e suficiente do cidadão em todos os serviços públicos digitais "
    "e presenciais, sem exigir outros números de cadastro."
)
MARKER = "mesma-pagina"
TOP_LEVEL = "#lista-contribuicoes .contribution:not(.contribution--reply)"


# -- seeding through the service layer ---------------------------------------------------------------------

def contribute(app: Flask, author_id: int, target_id: int, bodies: Iterable[str], *,
               kind: ContributionKind = ContributionKind.COMMENT, stance: Stance = Stance.AGREE,
               proposed_text: str | None = None) -> list[int]:
    """Contributions by one author on one article, committed; their ids in creation order."""
    with app.app_context():
        author = db.session.get(User, author_id)
        article = db.session.get(Article, target_id)
        ids = []
        for body in bodies:
            contribution, created = services.contribute(author, article=article, kind=kind, stance=stance,
                                                        body=body, proposed_text=proposed_text)
            assert created
            ids.append(contribution.id)
        db.session.commit()
        return ids


def vote(app: Flask, user_id: int, target_id: int, value: VoteValue) -> None:
    with app.app_context():
        services.cast_vote(db.session.get(User, user_id), db.session.get(Article, target_id), value)
        db.session.commit()


def fill_article(app: Flask, create_user, target_id: int, reader: User) -> dict[str, int]:
    """An article full of contributions: 26 comments, replies, one withdrawn, one hidden by moderation,
    a new wording with a diff and an organization's proposal, plus votes and supports. The newest
    (shown first) are the interesting ones. Returns some ids by name."""
    people = [create_user(name=f"Participante {n}") for n in range(1, 4)]
    org = create_user(name="Instituto Brasil Digital", kind=AccountKind.ORGANIZATION, cnpj="11222333000181")
    moderator = create_user("moderator", name="Moderação")
    for person, value in zip(people, [VoteValue.AGREE, VoteValue.AGREE, VoteValue.DISAGREE], strict=True):
        vote(app, person.id, target_id, value)
    vote(app, org.id, target_id, VoteValue.ABSTAIN)
    comment = "Comentário número {}: a identificação única simplifica o atendimento em todo o país."
    comments = contribute(app, people[0].id, target_id, [comment.format(n) for n in range(1, 27)])

    def one(author: User, body: str, **options) -> int:
        return contribute(app, author.id, target_id, [body], **options)[0]

    hidden = one(people[1], "Texto que a moderação ocultou.", stance=Stance.DISAGREE)
    withdrawn = one(people[2], "Texto que o autor retirou.", stance=Stance.NONE)
    reader_own = one(reader, "Minha própria contribuição, que posso editar ou retirar.", stance=Stance.PARTLY)
    wording = one(people[1], "Incluir o atendimento presencial.", kind=ContributionKind.NEW_WORDING,
                  stance=Stance.PARTLY, proposed_text=PROPOSED_TEXT)
    by_org = one(org, "O Instituto propõe suprimir a exigência. Veja https://exemplo.org.br/estudo.",
                 kind=ContributionKind.REMOVAL, stance=Stance.DISAGREE)
    with app.app_context():
        def user(account: User) -> User:
            return db.session.get(User, account.id)

        def item(contribution_id: int) -> Contribution:
            return db.session.get(Contribution, contribution_id)

        services.hide(user(moderator), item(hidden), "Conteúdo fora do tema da consulta.")
        services.withdraw(user(people[2]), item(withdrawn))
        services.reply(user(people[0]), item(by_org), "Concordo com o Instituto.")
        services.reply(user(reader), item(by_org), "Há estudos em sentido contrário.")
        services.reply(user(org), item(wording), "Apoiamos a nova redação.")
        services.reply(user(people[2]), item(comments[-1]), "Uma resposta a um comentário.")
        for supporter in (people[0], people[2], reader):
            services.set_support(user(supporter), item(wording), True)
        services.set_support(user(people[0]), item(reader_own), True)
        db.session.commit()
    return {"wording": wording, "by_org": by_org, "withdrawn": withdrawn, "hidden": hidden, "own": reader_own}


# -- browser helpers ---------------------------------------------------------------------------------------

def log_in(page: Page, email: str, password: str = PASSWORD) -> None:
    page.goto("/entrar")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Senha", exact=True).fill(password)
    page.get_by_role("button", name="Entrar").click()
    expect(page.locator(".flashes")).to_contain_text("Olá,")


def set_marker(page: Page) -> str:
    """Leave a mark on the window: it survives in-place updates and disappears on any full page load."""
    page.evaluate(f"window.__marker = {MARKER!r}")
    return page.url


def assert_same_page(page: Page, url: str) -> None:
    assert page.url == url, f"a página mudou de endereço: {url} → {page.url}"
    assert page.evaluate("window.__marker") == MARKER, "a página foi recarregada: htmx não atualizou no lugar"


def tally(page: Page, option: str) -> Locator:
    """The vote count cell of one option in the tally table."""
    row = page.locator("#votacao tbody tr").filter(has=page.get_by_role("rowheader", name=option, exact=True))
    return row.locator(".tally__count")


def stance_count(page: Page, label: str) -> Locator:
    return page.locator("#contagem-posicoes li").filter(
        has=page.locator(".stance").get_by_text(label, exact=True)
    )


def contribution(page: Page, contribution_id: int) -> Locator:
    return page.locator(f"#contribuicao-{contribution_id}")


def write_contribution(page: Page, *, kind: str, stance: str, body: str, proposed: str = "") -> None:
    """Open the contribution panel, fill it in and send it."""
    panel = page.locator("#contribuir details")
    if panel.get_attribute("open") is None:
        panel.get_by_text(re.compile(r"^Escrever uma contribuição sobre ")).click()
    expect(panel).to_have_attribute("open", "")
    panel.get_by_role("radio", name=kind, exact=True).check()
    panel.get_by_role("radio", name=stance, exact=True).check()
    panel.get_by_label("Sua contribuição").fill(body)
    panel.get_by_label("Texto proposto (para nova redação)").fill(proposed)
    panel.get_by_role("button", name="Publicar contribuição").click()


class SoftChecks:
    """Checks that record a failure and let the flow go on, so that one run reports every problem found."""

    def __init__(self) -> None:
        self.failures: list[str] = []

    def __call__(self, what: str, check: Callable[[], object]) -> None:
        try:
            check()
        except AssertionError as error:
            self.failures.append(f"- {what}\n    {str(error).splitlines()[0]}")

    def assert_none(self) -> None:
        if self.failures:
            pytest.fail("Problemas encontrados:\n" + "\n".join(self.failures), pytrace=False)


def expect_focus_within(page: Page, selector: str, timeout: float = 1500) -> None:
    """Focus is on `selector` or inside it (after htmx settles), not dropped on <body>."""
    try:
        page.wait_for_function(
            "sel => { const el = document.querySelector(sel), active = document.activeElement;"
            " return !!el && !!active && active !== document.body && el.contains(active); }",
            arg=selector, timeout=timeout,
        )
    except PlaywrightTimeoutError:
        active = page.evaluate("document.activeElement && document.activeElement.outerHTML.slice(0, 100)")
        raise AssertionError(f"o foco não está em {selector}; document.activeElement = {active}") from None


# -- with JavaScript ---------------------------------------------------------------------------------------

def test_visitor_registers_votes_contributes_supports_and_replies_in_place(
    page: Page, app: Flask, demo_consultation: str, create_user
):
    soft = SoftChecks()
    target = article_id(app, demo_consultation, RECOMMENDATION)
    other = create_user(name="Joana Pereira")
    vote(app, other.id, target, VoteValue.AGREE)
    theirs = contribute(app, other.id, target, ["O CPF já é usado na maioria dos serviços."])[0]

    email, password = "ana.souza@exemplo.com.br", "jabuticaba madura no quintal de casa"
    page.goto("/cadastro")
    page.get_by_role("radio", name="Pessoa", exact=True).check()
    page.get_by_label("Nome (como aparecerá nas contribuições)").fill("Ana Souza")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Senha", exact=True).fill(password)
    page.get_by_label("Li a Política de Privacidade").check()
    page.get_by_role("button", name="Criar conta").click()
    expect(page.locator(".flashes")).to_contain_text("Conta criada")  # signed up means signed in

    page.goto(f"/consultas/{demo_consultation}")
    page.get_by_role("link", name=RECOMMENDATION, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(RECOMMENDATION)
    expect(page.locator(".article-text")).to_have_text(CURRENT_TEXT)
    expect(tally(page, "Concordo")).to_have_text("1")
    expect(page.locator("#votacao legend")).to_have_text("Qual é o seu voto?")

    # Vote: the panel is replaced in place, the message is announced and receives focus.
    url = set_marker(page)
    page.locator("#votacao").get_by_role("button", name="Concordo", exact=True).click()
    status = page.locator("#votacao [role=status]")
    expect(status).to_have_text("Seu voto foi registrado: Concordo.")
    expect(status).to_be_focused()
    expect(tally(page, "Concordo")).to_have_text("2")
    expect(page.locator("#votacao legend")).to_have_text("Seu voto: Concordo. Mudar para:")
    expect(page.locator("#votacao").get_by_role("button", name="Concordo", exact=True)).to_have_attribute(
        "aria-pressed", "true"
    )
    assert_same_page(page, url)

    page.locator("#votacao").get_by_role("button", name="Discordo", exact=True).click()
    expect(status).to_have_text("Seu voto foi registrado: Discordo.")
    expect(status).to_be_focused()
    expect(tally(page, "Concordo")).to_have_text("1")
    expect(tally(page, "Discordo")).to_have_text("1")
    expect(page.locator("#votacao .tally__pct").first).to_have_text("50%")
    expect(page.locator("#votacao .meta")).to_have_text("2 votos.")
    assert_same_page(page, url)

    # Contribution: the form is replaced, the new item goes on top of the list, the counts move.
    expect(page.locator("#total-contribuicoes")).to_have_text("(1)")
    expect(stance_count(page, "Concordo em parte")).to_have_text("Concordo em parte 0")
    # First without a body: the form comes back in place with the errors and what was typed.
    write_contribution(page, kind="Nova redação", stance="Concordo em parte", body="", proposed=PROPOSED_TEXT)
    summary = page.locator("#contribuir").get_by_role("alert")
    expect(summary).to_contain_text("Escreva a sua contribuição.")
    expect(page.locator("#contribuir #proposed_text")).to_have_value(PROPOSED_TEXT)
    expect(page.locator("#contribuir #body")).to_have_attribute("aria-invalid", "true")
    soft("erro ao publicar com htmx: o foco deveria ir para o resumo de erros #resumo-erros (tabindex=-1)",
         lambda: expect_focus_within(page, "#resumo-erros"))
    assert_same_page(page, url)

    body = "Os serviços presenciais também deveriam aceitar só o CPF."
    write_contribution(page, kind="Nova redação", stance="Concordo em parte", body=body,
                       proposed=PROPOSED_TEXT)
    message = page.locator("#contribuir [role=status]")
    expect(message).to_have_text("Contribuição publicada.")
    expect(message).to_be_focused()
    newest = page.locator(TOP_LEVEL).first
    expect(newest.locator(".contribution__author")).to_have_text("Ana Souza")
    expect(newest.locator(".contribution__body")).to_have_text(body)
    expect(newest.locator(".contribution__tags")).to_have_text("Nova redação Concordo em parte")
    expect(newest.locator(".diff ins").filter(has_text="presenciais")).to_have_count(1)
    expect(newest.locator(".diff del").filter(has_text="dispensando")).to_have_count(1)
    expect(newest.get_by_role("button", name="Retirar")).to_be_visible()
    expect(page.locator(TOP_LEVEL)).to_have_count(2)
    expect(page.locator("#total-contribuicoes")).to_have_text("(2)")
    expect(stance_count(page, "Concordo em parte")).to_have_text("Concordo em parte 1")
    expect(stance_count(page, "Concordo")).to_have_text("Concordo 1")
    # A fresh, closed, empty form (a new submission key with the old text would post it again).
    form = page.locator("#contribuir")
    expect(form.locator("details")).not_to_have_attribute("open", "")
    soft("#contribuir depois de publicar: o campo 'Sua contribuição' (#body) deveria vir vazio",
         lambda: expect(form.locator("#body")).to_have_value("", timeout=1000))
    soft("#contribuir depois de publicar: o campo 'Texto proposto' (#proposed_text) deveria vir vazio",
         lambda: expect(form.locator("#proposed_text")).to_have_value("", timeout=500))
    soft("#contribuir depois de publicar: o tipo deveria voltar ao padrão 'Comentário'",
         lambda: expect(form.get_by_role("radio", name="Comentário", include_hidden=True)).to_be_checked(timeout=500))
    assert_same_page(page, url)

    # Support someone else's contribution.
    support = contribution(page, theirs).get_by_role("button", name=re.compile(r"^Apoiar"))
    expect(support).to_have_accessible_name(re.compile(r"^Apoiar \(0\s*apoios\s*\)$"))
    support.click()
    supported = contribution(page, theirs).get_by_role("button", name=re.compile(r"^Apoiada"))
    expect(supported).to_have_accessible_name(re.compile(r"^Apoiada \(1\s*apoios?\s*\)$"))
    expect(supported).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#aviso")).to_have_text("Você apoiou esta contribuição.")
    assert_same_page(page, url)
    soft(f"depois de apoiar, o foco deveria continuar em #contribuicao-{theirs} (no botão Apoiada)",
         lambda: expect_focus_within(page, f"#contribuicao-{theirs}"))

    # Reply to it.
    contribution(page, theirs).get_by_text("Responder", exact=True).click()
    contribution(page, theirs).get_by_label("Sua resposta").fill("Mas nem todo mundo sabe o número de cor.")
    contribution(page, theirs).get_by_role("button", name="Publicar resposta").click()
    reply = contribution(page, theirs).locator(".replies .contribution--reply")
    expect(reply).to_have_count(1)
    expect(reply.locator(".contribution__author")).to_have_text("Ana Souza")
    expect(reply.locator(".contribution__body")).to_have_text("Mas nem todo mundo sabe o número de cor.")
    expect(page.locator("#aviso")).to_have_text("Resposta publicada.")
    expect(page.locator(TOP_LEVEL)).to_have_count(2)
    expect(page.locator("#total-contribuicoes")).to_have_text("(2)")
    assert_same_page(page, url)
    soft(f"depois de responder, o foco deveria ir para a resposta publicada em #contribuicao-{theirs}",
         lambda: expect_focus_within(page, f"#contribuicao-{theirs}"))
    reply_box = contribution(page, theirs).get_by_label("Sua resposta")
    if not reply_box.is_visible():
        contribution(page, theirs).get_by_text("Responder", exact=True).click()
    soft(f"#contribuicao-{theirs} depois de responder: o campo 'Sua resposta' deveria vir vazio",
         lambda: expect(reply_box).to_have_value("", timeout=1000))

    # What was done in place is what the server kept.
    page.reload()
    expect(tally(page, "Discordo")).to_have_text("1")
    expect(page.locator("#votacao legend")).to_have_text("Seu voto: Discordo. Mudar para:")
    expect(page.locator(TOP_LEVEL).first.locator(".contribution__body")).to_have_text(body)
    expect(contribution(page, theirs).get_by_role("button", name=re.compile(r"^Apoiada"))).to_be_visible()
    expect(contribution(page, theirs).locator(".replies .contribution--reply")).to_have_count(1)
    soft.assert_none()


# -- without JavaScript ------------------------------------------------------------------------------------

def test_voting_and_contributing_work_without_javascript(
    new_page, app: Flask, demo_consultation: str, create_user
):
    page = new_page(java_script_enabled=False)
    target = article_id(app, demo_consultation, RECOMMENDATION)
    user = create_user(name="Carlos Lima")
    log_in(page, user.email)
    page.goto(f"/consultas/{demo_consultation}/artigos/{target}")
    expect(tally(page, "Concordo")).to_have_text("0")

    reloaded = f"/consultas/{demo_consultation}/artigos/{target}"
    with page.expect_response(lambda r: r.request.method == "GET" and reloaded in r.url) as answer:
        page.locator("#votacao").get_by_role("button", name="Concordo", exact=True).click()
    assert answer.value.status == 200
    expect(page).to_have_url(re.compile(rf"/artigos/{target}#votacao$"))
    expect(page.locator(".flashes")).to_have_text("Seu voto foi registrado: Concordo.")
    expect(tally(page, "Concordo")).to_have_text("1")
    expect(page.locator("#votacao legend")).to_have_text("Seu voto: Concordo. Mudar para:")

    page.locator("#votacao").get_by_role("button", name="Discordo", exact=True).click()
    expect(page.locator(".flashes")).to_have_text("Seu voto foi registrado: Discordo.")
    expect(tally(page, "Concordo")).to_have_text("0")
    expect(tally(page, "Discordo")).to_have_text("1")

    # A contribution: a full page load to its place in the list.
    body = "Sem JavaScript a contribuição também precisa chegar."
    write_contribution(page, kind="Comentário", stance="Concordo", body=body)
    expect(page).to_have_url(re.compile(rf"/artigos/{target}#contribuicao-\d+$"))
    expect(page.locator(".flashes")).to_have_text("Contribuição publicada.")
    newest = page.locator(TOP_LEVEL).first
    expect(newest.locator(".contribution__body")).to_have_text(body)
    assert page.url.endswith("#" + (newest.get_attribute("id") or "?"))
    expect(page.locator("#total-contribuicoes")).to_have_text("(1)")
    expect(stance_count(page, "Concordo")).to_have_text("Concordo 1")
    expect(page.locator("#sem-contribuicoes")).to_have_count(0)

    # An empty body: the page comes back with 422, the summary, and what was typed.
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        write_contribution(page, kind="Nova redação", stance="Discordo", body="", proposed=PROPOSED_TEXT)
    assert answer.value.status == 422
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Corrija o campo abaixo:")
    expect(summary.get_by_role("link", name="Sua contribuição")).to_have_attribute("href", "#body")
    expect(summary).to_contain_text("Escreva a sua contribuição.")
    panel = page.locator("#contribuir details")
    expect(panel).to_have_attribute("open", "")
    expect(panel.get_by_label("Texto proposto (para nova redação)")).to_have_value(PROPOSED_TEXT)
    expect(panel.get_by_role("radio", name="Nova redação", exact=True)).to_be_checked()
    expect(panel.get_by_role("radio", name="Discordo", exact=True)).to_be_checked()
    expect(panel.get_by_label("Sua contribuição")).to_have_attribute("aria-invalid", "true")
    expect(page.locator(TOP_LEVEL)).to_have_count(1)
    expect(page.locator("#total-contribuicoes")).to_have_text("(1)")


# -- "Carregar mais" ---------------------------------------------------------------------------------------

@pytest.fixture
def crowded_article(app: Flask, demo_consultation: str, create_user) -> str:
    """Art. 3º with 45 comments; its URL."""
    target = article_id(app, demo_consultation, "Art. 3º")
    author = create_user(name="Autora Prolífica")
    contribute(app, author.id, target, [f"Contribuição de número {n:02d}." for n in range(1, 46)])
    return f"/consultas/{demo_consultation}/artigos/{target}"


def test_load_more_appends_the_next_page_in_place(page: Page, crowded_article: str):
    soft = SoftChecks()
    page.goto(crowded_article)
    items = page.locator(TOP_LEVEL)
    expect(items).to_have_count(20)
    expect(items.first.locator(".contribution__body")).to_have_text("Contribuição de número 45.")
    expect(page.locator("#total-contribuicoes")).to_have_text("(45)")
    url = set_marker(page)

    page.get_by_role("link", name="Carregar mais").click()
    expect(items).to_have_count(40)
    expect(items.nth(20).locator(".contribution__body")).to_have_text("Contribuição de número 25.")
    expect(page.get_by_role("link", name="Carregar mais")).to_have_count(1)
    assert_same_page(page, url)
    soft("depois de 'Carregar mais', o foco deveria ficar em #lista-contribuicoes, não voltar ao <body>",
         lambda: expect_focus_within(page, "#lista-contribuicoes"))
    # The "previous page" link (p.no-js-only) is for readers without JavaScript: page 1 is already on screen.
    previous = page.get_by_role("link", name="← Contribuições anteriores")
    soft("com JavaScript, o link 'Contribuições anteriores' (p.no-js-only) não deveria aparecer na lista",
         lambda: expect(previous).to_be_hidden(timeout=1000))

    page.get_by_role("link", name="Carregar mais").click()
    expect(items).to_have_count(45)
    expect(items.last.locator(".contribution__body")).to_have_text("Contribuição de número 01.")
    expect(page.get_by_role("link", name="Carregar mais")).to_have_count(0)
    assert_same_page(page, url)
    ids = page.locator(TOP_LEVEL).evaluate_all("els => els.map(e => e.id)")
    assert len(set(ids)) == 45, "contribuições repetidas na lista"
    soft.assert_none()


def test_load_more_is_a_plain_link_without_javascript(new_page, crowded_article: str):
    page = new_page(java_script_enabled=False)
    page.goto(crowded_article)
    expect(page.locator(TOP_LEVEL)).to_have_count(20)
    page.get_by_role("link", name="Carregar mais").click()
    expect(page).to_have_url(re.compile(r"\?pagina=2#lista-contribuicoes$"))
    items = page.locator(TOP_LEVEL)
    expect(items).to_have_count(20)
    expect(items.first.locator(".contribution__body")).to_have_text("Contribuição de número 25.")
    expect(page.get_by_role("link", name="← Contribuições anteriores")).to_be_visible()
    page.get_by_role("link", name="Carregar mais").click()
    expect(page).to_have_url(re.compile(r"\?pagina=3#lista-contribuicoes$"))
    expect(items).to_have_count(5)
    expect(page.get_by_role("link", name="Carregar mais")).to_have_count(0)


# -- an article full of contributions: axe, overflow, screenshots -------------------------------------------

VIEWPORTS = {"desktop": DESKTOP, "celular": PHONE}


@pytest.mark.parametrize("signed_in", [False, True], ids=["visitante", "com-conta"])
@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_article_full_of_contributions_is_accessible(
    new_page, app: Flask, demo_consultation: str, create_user, artifacts: Path, viewport: str, signed_in: bool
):
    size = VIEWPORTS[viewport]
    page = new_page(viewport=size, is_mobile=viewport == "celular", has_touch=viewport == "celular")
    target = article_id(app, demo_consultation, RECOMMENDATION)
    reader = create_user(name="Leitora Atenta")
    ids = fill_article(app, create_user, target, reader)
    vote(app, reader.id, target, VoteValue.AGREE)
    if signed_in:
        log_in(page, reader.email)
    page.goto(f"/consultas/{demo_consultation}/artigos/{target}")
    expect(page.get_by_role("heading", level=1)).to_have_text(RECOMMENDATION)

    expect(page.locator(TOP_LEVEL)).to_have_count(20)
    expect(page.locator("#total-contribuicoes")).to_have_text("(29)")  # 31 top level, 2 no longer visible
    expect(page.locator(".contribution--reply")).to_have_count(4)
    expect(contribution(page, ids["withdrawn"])).to_contain_text("Retirada pelo autor.")
    expect(contribution(page, ids["hidden"])).to_contain_text("Ocultada pela moderação.")
    expect(contribution(page, ids["wording"]).locator(".diff ins")).not_to_have_count(0)
    expect(contribution(page, ids["by_org"]).locator(".contribution__author .badge")).to_have_text(
        "Organização"
    )
    expect(page.get_by_role("link", name="Carregar mais")).to_be_visible()

    if signed_in:
        expect(page.locator("#votacao legend")).to_have_text("Seu voto: Concordo. Mudar para:")
        expect(contribution(page, ids["own"]).get_by_role("button", name="Retirar")).to_be_visible()
        wording = contribution(page, ids["wording"])
        expect(wording.get_by_role("button", name=re.compile("^Apoiada"))).to_be_visible()
        # Open the forms so that axe checks them as people see them.
        page.locator("#contribuir summary").click()
        expect(page.get_by_label("Sua contribuição")).to_be_visible()
        contribution(page, ids["by_org"]).locator("details.reply > summary").click()
        expect(contribution(page, ids["by_org"]).get_by_label("Sua resposta")).to_be_visible()
        wording.locator("details.report > summary").first.click()
        expect(wording.get_by_role("group", name="Motivo da denúncia").first).to_be_visible()
    else:
        expect(page.locator("#votacao").get_by_role("link", name="Entre")).to_be_visible()
        expect(page.locator("#contribuir form")).to_have_count(0)

    assert_no_horizontal_scroll(page, size["width"])
    who = "com conta" if signed_in else "visitante"
    assert_accessible(page, f"{page.url} cheia de contribuições ({viewport}, {who})")
    suffix = "-com-conta" if signed_in else ""
    save_screenshot(page, artifacts / f"contribuicoes-{viewport}{suffix}.png")
