"""Permission matrix: every route × every role -> the expected status."""

import pytest

from consulta.models import Role

ROLES = ["anonymous", *[r.value for r in Role]]
ADMIN_ONLY = {"anonymous": 302, "participant": 403, "facilitator": 403, "moderator": 403, "analyst": 403,
              "admin": 200}
ADMIN_ONLY_POST = {**ADMIN_ONLY, "admin": 303}
PUBLIC = dict.fromkeys(ROLES, 200)
DRAFT_VISIBLE = {"anonymous": 404, "participant": 404, "facilitator": 404, "moderator": 404, "analyst": 200,
                 "admin": 200}
LOGGED_IN = {**dict.fromkeys(ROLES, 200), "anonymous": 302}
GUEST_ONLY = {**dict.fromkeys(ROLES, 302), "anonymous": 200}


def LOGGED(status: int) -> dict[str, int]:  # noqa: N802  (reads like the other constants)
    """Every logged-in role gets `status`."""
    return {role: status for role in ROLES if role != "anonymous"}


MODERATOR_ONLY = {"anonymous": 302, "participant": 403, "facilitator": 403, "moderator": 200, "analyst": 403,
                  "admin": 200}
MODERATOR_ONLY_POST = {**MODERATOR_ONLY, "moderator": 303, "admin": 303}
MODERATOR_ONLY_FORM = {**MODERATOR_ONLY, "moderator": 422, "admin": 422}  # an empty form: re-rendered
FACILITATOR_ONLY = {**ADMIN_ONLY, "facilitator": 200}
FACILITATOR_ONLY_FORM = {**FACILITATOR_ONLY, "facilitator": 422, "admin": 422}  # an empty form: re-rendered
ANALYST_ONLY = {**ADMIN_ONLY, "analyst": 200}
ANALYST_ONLY_FORM = {**ANALYST_ONLY, "analyst": 422, "admin": 422}  # an empty form: re-rendered
RUN_NOT_DONE = {"analyst": 409, "admin": 409}
LOGGED_IN_FORM = {**LOGGED(422), "anonymous": 302}  # an empty form: re-rendered with its errors
LOGGED_IN_POST = {**LOGGED(303), "anonymous": 302}

# (endpoint, method, url template, expected status per role). {open}/{draft} are consultation slugs,
# {open_article}/{draft_article} article ids, {user} another account's id.
MATRIX = [
    ("consultations.home", "GET", "/", PUBLIC),
    ("consultations.consultation", "GET", "/consultas/{open}", PUBLIC),
    ("consultations.consultation", "GET", "/consultas/{draft}", DRAFT_VISIBLE),
    ("consultations.article", "GET", "/consultas/{open}/artigos/{open_article}", PUBLIC),
    ("consultations.article", "GET", "/consultas/{draft}/artigos/{draft_article}", DRAFT_VISIBLE),
    ("consultations.full_text", "GET", "/consultas/{open}/texto", PUBLIC),
    ("consultations.section", "GET", "/consultas/{open}/secoes/{open_section}", PUBLIC),
    ("consultations.section", "GET", "/consultas/{draft}/secoes/{draft_section}", DRAFT_VISIBLE),
    ("participation.propose_article", "POST", "/consultas/{open}/secoes/{open_section}/propostas", LOGGED_IN_FORM),
    ("consultations.full_text", "GET", "/consultas/{draft}/texto", DRAFT_VISIBLE),
    ("search.search", "GET", "/consultas/{open}/busca?q=acesso", PUBLIC),
    ("search.search", "GET", "/consultas/{draft}/busca?q=acesso", DRAFT_VISIBLE),
    ("auth.login", "GET", "/entrar", GUEST_ONLY),
    ("auth.register_account", "GET", "/cadastro", GUEST_ONLY),
    ("auth.logout", "POST", "/sair", dict.fromkeys(ROLES, 303)),
    ("auth.profile", "GET", "/conta", LOGGED_IN),
    ("auth.privacy", "GET", "/privacidade", PUBLIC),
    ("accessibility.preferences_page", "GET", "/acessibilidade", PUBLIC),
    ("accessibility.preferences_page", "POST", "/acessibilidade", dict.fromkeys(ROLES, 303)),
    ("ops.health", "GET", "/saude", PUBLIC),
    ("ops.admin_health", "GET", "/admin/saude", ADMIN_ONLY),
    # a browser's CSP report, for anyone; an empty body without a report content type is refused
    ("ops.csp_report", "POST", "/csp-relatorio", dict.fromkeys(ROLES, 415)),
    # the footer's language switch, for anyone; a form without a known language is refused
    ("i18n.set_language", "POST", "/idioma", dict.fromkeys(ROLES, 400)),
    ("auth.logout_everywhere", "POST", "/sair/todos", LOGGED_IN_POST),
    ("auth.govbr_logout", "GET", "/sair/govbr", dict.fromkeys(ROLES, 302)),  # nothing pending: home
    ("auth.security", "GET", "/conta/seguranca", LOGGED_IN),
    ("auth.my_contributions", "GET", "/conta/contribuicoes", LOGGED_IN),
    ("auth.resend_verification", "POST", "/conta/email/reenviar", LOGGED_IN_POST),
    ("auth.verify_email", "GET", "/conta/email/confirmar/x", PUBLIC),  # a page with a button
    ("auth.confirm_email_change", "GET", "/conta/email/alterar/x", PUBLIC),
    ("auth.change_password", "POST", "/conta/senha", LOGGED_IN_FORM),
    ("auth.change_email", "POST", "/conta/email", LOGGED_IN_FORM),
    ("auth.forgot_password", "GET", "/senha/esqueci", PUBLIC),
    ("auth.reset_password", "GET", "/senha/redefinir/x", dict.fromkeys(ROLES, 400)),  # a forged link
    # gov.br sign-in is off without settings (tests/test_govbr.py covers it switched on).
    ("auth.govbr_login", "GET", "/entrar/govbr", dict.fromkeys(ROLES, 404)),
    ("auth.govbr_callback", "GET", "/entrar/govbr/retorno", dict.fromkeys(ROLES, 404)),
    ("auth.govbr_finish", "GET", "/entrar/govbr/concluir", dict.fromkeys(ROLES, 404)),
    ("auth.govbr_create_account", "POST", "/entrar/govbr/nova-conta", dict.fromkeys(ROLES, 404)),
    ("auth.govbr_link_existing", "POST", "/entrar/govbr/vincular", dict.fromkeys(ROLES, 404)),
    ("auth.govbr_link_start", "POST", "/conta/govbr", {**LOGGED(404), "anonymous": 302}),
    ("auth.consent", "GET", "/privacidade/consentimento", LOGGED_IN_POST),  # consent up to date: straight on
    ("auth.second_factor", "GET", "/entrar/segundo-fator", dict.fromkeys(ROLES, 303)),  # nothing pending
    ("auth.totp_setup", "GET", "/conta/dois-fatores", LOGGED_IN),
    ("admin.dashboard", "GET", "/admin/", ADMIN_ONLY),
    ("admin.new_consultation", "GET", "/admin/consultas/nova", ADMIN_ONLY),
    ("admin.edit_consultation", "GET", "/admin/consultas/{draft}", ADMIN_ONLY),
    ("admin.import_text", "GET", "/admin/consultas/{draft}/importar", ADMIN_ONLY),
    ("admin.confirm_import", "POST", "/admin/consultas/{draft}/importar/confirmar", ADMIN_ONLY_POST),
    ("admin.import_upload", "GET", "/admin/consultas/{draft}/importar/desconhecido", {**ADMIN_ONLY, "admin": 404}),
    ("admin.change_status", "POST", "/admin/consultas/{draft}/abrir", ADMIN_ONLY_POST),
    ("admin.change_status", "GET", "/admin/consultas/{open}/encerrar", ADMIN_ONLY),  # the confirmation page
    ("admin.extend", "POST", "/admin/consultas/{open}/prorrogar", {**ADMIN_ONLY, "admin": 422}),
    ("admin.add_attachment", "POST", "/admin/consultas/{open}/anexos", {**ADMIN_ONLY, "admin": 422}),
    ("admin.remove_attachment", "POST", "/admin/consultas/{open}/anexos/999999/remover",
     {**ADMIN_ONLY, "admin": 404}),
    ("consultations.attachment", "GET", "/consultas/{open}/documentos/999999", dict.fromkeys(ROLES, 404)),
    ("results.opendata_votes_by_level", "GET", "/consultas/{open}/dados/votos-por-verificacao.csv", PUBLIC),
    ("results.opendata_votes_by_level", "GET", "/consultas/{draft}/dados/votos-por-verificacao.json",
     DRAFT_VISIBLE),
    ("notifications.follow", "POST", "/seguir/article/{open_article}", LOGGED_IN_POST),
    ("notifications.follow", "POST", "/seguir/article/{draft_article}",
     {**LOGGED(404), "anonymous": 302, "analyst": 303, "admin": 303}),
    ("notifications.preferences", "GET", "/notificacoes/preferencias", LOGGED_IN),
    ("notifications.unsubscribe", "GET", "/notificacoes/cancelar/forjado", dict.fromkeys(ROLES, 404)),
    ("admin.change_status", "POST", "/admin/consultas/{open}/encerrar", ADMIN_ONLY_POST),
    ("admin.reopen", "POST", "/admin/consultas/{open}/reabrir", {**ADMIN_ONLY, "admin": 422}),  # no reason
    ("admin.users", "GET", "/admin/usuarios", ADMIN_ONLY),
    ("admin.jobs", "GET", "/admin/tarefas", ADMIN_ONLY),
    ("auth.my_data", "GET", "/conta/meus-dados.json", LOGGED_IN),
    ("auth.delete_my_account", "POST", "/conta/excluir", {**LOGGED_IN_FORM, "anonymous": 302}),
    ("participation.contribution_page", "GET", "/consultas/{open}/artigos/{open_article}/contribuicoes",
     dict.fromkeys(ROLES, 302)),
    ("participation.contribute", "POST", "/consultas/{open}/artigos/{open_article}/contribuicoes", LOGGED_IN_FORM),
    ("participation.contribute", "POST", "/consultas/{draft}/artigos/{draft_article}/contribuicoes",
     {**dict.fromkeys(ROLES, 404), "anonymous": 302, "analyst": 422, "admin": 422}),
    ("participation.reply", "POST", "/contribuicoes/{contribution}/respostas", LOGGED_IN_FORM),
    ("participation.support", "POST", "/contribuicoes/{contribution}/apoio", {**LOGGED_IN_FORM, **LOGGED(400)}),
    ("participation.vote", "POST", "/consultas/{open}/artigos/{open_recommendation}/voto", LOGGED_IN_POST),
    ("participation.report", "POST", "/contribuicoes/{contribution}/denuncia", LOGGED_IN_POST),
    ("participation.edit", "GET", "/contribuicoes/{contribution}/editar", {**LOGGED(403), "anonymous": 302}),
    ("participation.withdraw", "POST", "/contribuicoes/{contribution}/retirar", {**LOGGED(403), "anonymous": 302}),
    ("participation.permalink", "GET", "/contribuicoes/{contribution}", dict.fromkeys(ROLES, 302)),
    ("workshops.consultation_workshops", "GET", "/consultas/{open}/oficinas", PUBLIC),
    ("workshops.consultation_workshops", "GET", "/consultas/{draft}/oficinas", DRAFT_VISIBLE),
    ("results.consultation_results", "GET", "/consultas/{open}/resultados", PUBLIC),
    ("results.consultation_results", "GET", "/consultas/{draft}/resultados", DRAFT_VISIBLE),
    ("results.opendata_text", "GET", "/consultas/{open}/dados/texto.csv", PUBLIC),
    ("results.opendata_text", "GET", "/consultas/{draft}/dados/texto.json", DRAFT_VISIBLE),
    ("results.opendata_contributions", "GET", "/consultas/{open}/dados/contribuicoes.csv", PUBLIC),
    ("results.opendata_contributions", "GET", "/consultas/{draft}/dados/contribuicoes.json", DRAFT_VISIBLE),
    ("results.opendata_votes", "GET", "/consultas/{open}/dados/votos.csv", PUBLIC),
    ("results.opendata_votes", "GET", "/consultas/{draft}/dados/votos.json", DRAFT_VISIBLE),
    ("results.opendata_workshops", "GET", "/consultas/{open}/dados/oficinas.csv", PUBLIC),
    ("results.opendata_workshops", "GET", "/consultas/{draft}/dados/oficinas.json", DRAFT_VISIBLE),
    ("results.opendata_states", "GET", "/consultas/{open}/dados/estados.csv", PUBLIC),
    ("results.opendata_states", "GET", "/consultas/{draft}/dados/estados.json", DRAFT_VISIBLE),
    ("results.opendata_sectors", "GET", "/consultas/{open}/dados/setores.json", PUBLIC),
    ("results.opendata_sectors", "GET", "/consultas/{draft}/dados/setores.csv", DRAFT_VISIBLE),
    ("workshops.workshop", "GET", "/oficinas/{workshop}", PUBLIC),
    ("workshops.workshop", "GET", "/oficinas/{draft_workshop}", DRAFT_VISIBLE),
    ("workshops.municipality_options", "GET", "/municipios/AM", PUBLIC),
    ("workshops.municipality_options", "GET", "/municipios?uf=AM", PUBLIC),
    ("workshops.mine", "GET", "/oficinas/minhas", FACILITATOR_ONLY),
    ("workshops.new", "GET", "/consultas/{open}/oficinas/nova", FACILITATOR_ONLY),
    ("workshops.new", "POST", "/consultas/{open}/oficinas/nova", FACILITATOR_ONLY_FORM),
    ("workshops.new", "GET", "/consultas/{draft}/oficinas/nova", {**FACILITATOR_ONLY, "facilitator": 404}),
    # The workshops below belong to another facilitator: the logged-in facilitator gets 403.
    ("workshops.edit", "GET", "/oficinas/{workshop}/editar", ADMIN_ONLY),
    ("workshops.edit", "POST", "/oficinas/{workshop}/editar", {**ADMIN_ONLY, "admin": 422}),
    ("workshops.edit", "GET", "/oficinas/{draft_workshop}/editar", {**ADMIN_ONLY, "facilitator": 404}),
    ("workshops.set_status", "POST", "/oficinas/{workshop}/situacao", ADMIN_ONLY_POST),
    ("workshops.attendance", "GET", "/oficinas/{workshop}/presenca", ADMIN_ONLY),
    ("workshops.attendance", "POST", "/oficinas/{workshop}/presenca", {**ADMIN_ONLY, "admin": 422}),
    ("workshops.attendee_list", "POST", "/oficinas/{workshop}/presenca/lista", {**ADMIN_ONLY, "admin": 422}),
    ("workshops.attendee_template", "GET", "/oficinas/{workshop}/presenca/modelo.csv", ADMIN_ONLY),
    ("workshops.report", "GET", "/oficinas/{workshop}/relato", ADMIN_ONLY),
    ("workshops.report", "POST", "/oficinas/{workshop}/relato", {**ADMIN_ONLY, "admin": 422}),
    ("workshops.report_row", "GET", "/oficinas/{workshop}/relato/linha?n=3", {**ADMIN_ONLY, "admin": 302}),
    ("workshops.input_template", "GET", "/oficinas/{workshop}/relato/modelo.csv", ADMIN_ONLY),
    ("workshops.input_template", "GET", "/oficinas/{workshop}/relato/modelo.xlsx", ADMIN_ONLY),
    ("workshops.import_inputs", "GET", "/oficinas/{workshop}/importar", ADMIN_ONLY),
    ("workshops.import_inputs", "POST", "/oficinas/{workshop}/importar", {**ADMIN_ONLY, "admin": 422}),
    # an upload is seen only by whoever sent it: anyone else's token (or none) is 404, a confirmation goes back
    ("workshops.import_inputs_upload", "GET", "/oficinas/{workshop}/importar/desconhecido", {**ADMIN_ONLY, "admin": 404}),
    ("workshops.import_inputs_upload", "POST", "/oficinas/{workshop}/importar/desconhecido", ADMIN_ONLY_POST),
    ("workshops.attendee_list_upload", "GET", "/oficinas/{workshop}/presenca/lista/desconhecido",
     {**ADMIN_ONLY, "admin": 404}),
    ("workshops.attendee_list_upload", "POST", "/oficinas/{workshop}/presenca/lista/desconhecido", ADMIN_ONLY_POST),
    ("insights.index", "GET", "/analise/", ANALYST_ONLY),
    ("insights.start_run", "POST", "/analise/execucoes", ANALYST_ONLY_FORM),
    ("insights.run", "GET", "/analise/execucoes/{run}", ANALYST_ONLY),
    # without HX-Request the progress fragment redirects to the run page
    ("insights.progress", "GET", "/analise/execucoes/{run}/progresso", {**ANALYST_ONLY, "analyst": 302, "admin": 302}),
    ("insights.edit", "POST", "/analise/execucoes/{run}/edicoes", ANALYST_ONLY_FORM),
    # the world's run is queued, not failed: nothing to retry, back to its page
    ("insights.retry_run", "POST", "/analise/execucoes/{run}/tentar-novamente", {**ANALYST_ONLY, "analyst": 303, "admin": 303}),
    # downloads of a run that is not done (the world's run is queued) answer 409
    ("insights.download_xlsx", "GET", "/analise/execucoes/{run}/download.xlsx", {**ANALYST_ONLY, **RUN_NOT_DONE}),
    ("insights.download_clusters_csv", "GET", "/analise/execucoes/{run}/clusters.csv",
     {**ANALYST_ONLY, **RUN_NOT_DONE}),
    ("insights.download_contributions_csv", "GET", "/analise/execucoes/{run}/contribuicoes.csv",
     {**ANALYST_ONLY, **RUN_NOT_DONE}),
    ("insights.download_campaigns_csv", "GET", "/analise/execucoes/{run}/campanhas.csv",
     {**ANALYST_ONLY, **RUN_NOT_DONE}),
    ("insights.download_json", "GET", "/analise/execucoes/{run}/resultado.json", {**ANALYST_ONLY, **RUN_NOT_DONE}),
    ("insights.report", "GET", "/analise/execucoes/{run}/relatorio", {**ANALYST_ONLY, **RUN_NOT_DONE}),
    ("insights.response_desk", "GET", "/analise/consultas/{open}/devolutiva", ANALYST_ONLY),
    ("insights.response_report", "GET", "/analise/consultas/{open}/devolutiva/relatorio", ANALYST_ONLY),
    ("insights.respond_contribution", "POST", "/analise/contribuicoes/{contribution}/resposta", ANALYST_ONLY_FORM),
    ("insights.respond_bulk", "POST", "/analise/consultas/{open}/devolutiva/lote", ANALYST_ONLY_FORM),
    ("moderation.queue", "GET", "/moderacao/", MODERATOR_ONLY),
    ("moderation.log", "GET", "/moderacao/registro", MODERATOR_ONLY),
    ("moderation.hide", "POST", "/moderacao/contribuicoes/{contribution}/ocultar", MODERATOR_ONLY_FORM),
    ("moderation.restore", "POST", "/moderacao/contribuicoes/{contribution}/restaurar", MODERATOR_ONLY_POST),
    # the fixture contribution has no open report: refused with a message, 303 back to the queue
    ("moderation.dismiss", "POST", "/moderacao/contribuicoes/{contribution}/descartar-denuncias",
     MODERATOR_ONLY_POST),
    ("moderation.block", "POST", "/moderacao/contas/{user}/bloquear", MODERATOR_ONLY_FORM),
    ("moderation.unblock", "POST", "/moderacao/contas/{user}/desbloquear", MODERATOR_ONLY_POST),
    ("admin.set_role", "POST", "/admin/usuarios/{user}/papel", ADMIN_ONLY_POST),
    # Text versions: the drafting team edits ({version} is a version in preparation); the public pages exist
    # only once a version is published (none is here), drafts never.
    ("versions.versions", "GET", "/analise/consultas/{open}/versoes", ANALYST_ONLY),
    ("versions.versions", "POST", "/analise/consultas/{open}/versoes", ANALYST_ONLY_FORM),
    ("versions.edit_version", "GET", "/analise/versoes/{version}", ANALYST_ONLY),
    ("versions.edit_article", "GET", "/analise/versoes/{version}/dispositivos/{version_entry}", ANALYST_ONLY),
    # an empty POST keeps the text as it is (the form falls back to the stored text): saved unchanged
    ("versions.edit_article", "POST", "/analise/versoes/{version}/dispositivos/{version_entry}",
     {**ANALYST_ONLY, "analyst": 303, "admin": 303}),
    ("versions.add_article", "GET", "/analise/versoes/{version}/incluir", ANALYST_ONLY),
    ("versions.add_article", "POST", "/analise/versoes/{version}/incluir", ANALYST_ONLY_FORM),
    ("versions.import_version_text", "GET", "/analise/versoes/{version}/importar", ANALYST_ONLY),
    ("versions.import_version_text", "POST", "/analise/versoes/{version}/importar", ANALYST_ONLY_FORM),
    ("versions.publish", "GET", "/analise/versoes/{version}/publicar", ANALYST_ONLY),
    ("versions.publish", "POST", "/analise/versoes/{version}/publicar", ANALYST_ONLY_FORM),
    ("versions.comparison", "GET", "/consultas/{open}/comparativo", dict.fromkeys(ROLES, 404)),
    ("versions.comparison", "GET", "/consultas/{draft}/comparativo", dict.fromkeys(ROLES, 404)),
    ("versions.comparison_xlsx", "GET", "/consultas/{open}/comparativo.xlsx", dict.fromkeys(ROLES, 404)),
    ("versions.comparison_json", "GET", "/consultas/{open}/dados/comparativo.json", dict.fromkeys(ROLES, 404)),
    ("versions.article_changes", "GET", "/consultas/{open}/artigos/{open_article}/alteracoes",
     dict.fromkeys(ROLES, 404)),
    ("versions.devolutiva", "GET", "/consultas/{open}/devolutiva", dict.fromkeys(ROLES, 404)),
    ("versions.devolutiva_xlsx", "GET", "/consultas/{open}/devolutiva.xlsx", dict.fromkeys(ROLES, 404)),
    # The JSON API ignores the session: every role gets what an anonymous visitor gets (drafts are 404).
    ("api.index", "GET", "/api/v1/", PUBLIC),
    ("api.openapi_document", "GET", "/api/v1/openapi.json", PUBLIC),
    ("api_docs.documentation", "GET", "/api/v1/documentacao", PUBLIC),
    ("results.catalogue_json", "GET", "/dados/catalogo.json", PUBLIC),
    ("results.consultation_catalogue", "GET", "/consultas/{open}/dados/catalogo.json", PUBLIC),
    ("results.consultation_catalogue", "GET", "/consultas/{draft}/dados/catalogo.json", DRAFT_VISIBLE),
    ("share.consultation_image", "GET", "/consultas/{open}/imagem.png", PUBLIC),
    ("share.consultation_image", "GET", "/consultas/{draft}/imagem.png", DRAFT_VISIBLE),
    ("share.article_image", "GET", "/consultas/{open}/artigos/{open_article}/imagem.png", PUBLIC),
    ("share.article_image", "GET", "/consultas/{draft}/artigos/{draft_article}/imagem.png", DRAFT_VISIBLE),
    ("share.results_image", "GET", "/consultas/{open}/resultados/imagem.png", PUBLIC),
    ("share.results_image", "GET", "/consultas/{draft}/resultados/imagem.png", DRAFT_VISIBLE),
    ("api.consultations", "GET", "/api/v1/consultations", PUBLIC),
    ("api.consultation", "GET", "/api/v1/consultations/{open}", PUBLIC),
    ("api.consultation", "GET", "/api/v1/consultations/{draft}", dict.fromkeys(ROLES, 404)),
    ("api.sections", "GET", "/api/v1/consultations/{open}/sections", PUBLIC),
    ("api.sections", "GET", "/api/v1/consultations/{draft}/sections", dict.fromkeys(ROLES, 404)),
    ("api.articles", "GET", "/api/v1/consultations/{open}/articles", PUBLIC),
    ("api.articles", "GET", "/api/v1/consultations/{draft}/articles", dict.fromkeys(ROLES, 404)),
    ("api.article", "GET", "/api/v1/consultations/{open}/articles/{open_article}", PUBLIC),
    ("api.article", "GET", "/api/v1/consultations/{draft}/articles/{draft_article}", dict.fromkeys(ROLES, 404)),
    ("api.contributions", "GET", "/api/v1/consultations/{open}/contributions", PUBLIC),
    ("api.contributions", "GET", "/api/v1/consultations/{draft}/contributions", dict.fromkeys(ROLES, 404)),
    ("api.tallies", "GET", "/api/v1/consultations/{open}/tallies", PUBLIC),
    ("api.tallies", "GET", "/api/v1/consultations/{draft}/tallies", dict.fromkeys(ROLES, 404)),
]


@pytest.fixture
def world(app, create_consultation, create_user):
    """An open and a draft consultation, another account, and the ids the URLs need."""
    from consulta.extensions import db
    from consulta.models import Article, ArticleKind, ContributionKind, Stance, User
    from consulta.participation import services

    open_c = create_consultation("open")
    draft_c = create_consultation("draft")
    other = create_user(email="outra@exemplo.com.br")
    with app.app_context():
        first = {
            c.id: db.session.scalar(
                db.select(Article.id).where(Article.consultation_id == c.id).order_by(Article.position).limit(1)
            )
            for c in (open_c, draft_c)
        }
        from consulta.models import Section

        sections = {
            c.id: db.session.scalar(db.select(Section.id).where(Section.consultation_id == c.id).limit(1))
            for c in (open_c, draft_c)
        }
        recommendation = db.session.scalar(db.select(Article.id).where(
            Article.consultation_id == open_c.id, Article.kind == ArticleKind.RECOMMENDATION).limit(1))
        contribution, _ = services.contribute(
            db.session.get(User, other.id), article=db.session.get(Article, first[open_c.id]),
            kind=ContributionKind.COMMENT, stance=Stance.AGREE, body="Texto de outra pessoa.",
        )
        db.session.commit()
        contribution_id = contribution.id
    workshop_owner = create_user("facilitator", email="facilitadora@exemplo.com.br")
    with app.app_context():
        from datetime import UTC, datetime

        from consulta.models import Workshop, WorkshopFormat

        workshops = [Workshop(consultation_id=c.id, facilitator_id=workshop_owner.id, title="Oficina de Manaus",
                              format=WorkshopFormat.IN_PERSON, starts_at=datetime(2024, 5, 10, 13, tzinfo=UTC),
                              uf="AM", municipality_code="1302603", municipality_name="Manaus")
                     for c in (open_c, draft_c)]
        db.session.add_all(workshops)
        db.session.commit()
        workshop_ids = [w.id for w in workshops]
        from consulta.insights import runs as insight_runs
        from consulta.models import Consultation

        run = insight_runs.create_run(None, db.session.get(Consultation, open_c.id), scope="consultation")
        db.session.commit()
        run_id = run.id
        from consulta.versions import services as versions

        version = versions.create_version(db.session.get(User, workshop_owner.id),
                                          db.session.get(Consultation, open_c.id), "Texto final")
        db.session.commit()
        version_id, version_entry = version.id, version.articles[0].id
    return {
        "run": run_id, "version": version_id, "version_entry": version_entry,
        "workshop": workshop_ids[0], "draft_workshop": workshop_ids[1],
        "open": open_c.slug, "draft": draft_c.slug, "open_article": first[open_c.id],
        "draft_article": first[draft_c.id], "user": other.id, "open_recommendation": recommendation,
        "contribution": contribution_id, "open_section": sections[open_c.id], "draft_section": sections[draft_c.id],
    }


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("endpoint", "method", "url", "expected"), MATRIX,
                         ids=[f"{m} {u}" for _, m, u, _ in MATRIX])
def test_permission_matrix(client, auth, create_user, world, role, endpoint, method, url, expected):
    if role != "anonymous":
        auth.login(create_user(role, email=f"{role}@exemplo.com.br"))
    response = client.open(url.format(**world), method=method)
    assert response.status_code == expected[role], response.get_data(as_text=True)[:300]
    if expected[role] == 302 and role == "anonymous" and endpoint.startswith(("admin.", "auth.profile", "moderation.", "insights.")):
        assert response.headers["Location"].startswith("/entrar?next=")


def test_every_route_is_in_the_matrix(app):
    routed = {rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint != "static"}
    assert routed == {endpoint for endpoint, *_ in MATRIX}


def database_fingerprint(app) -> dict[str, str]:
    """A digest of every table's rows, to tell whether a request changed anything at all."""
    import hashlib

    from sqlalchemy import select

    from consulta.extensions import db

    with app.app_context():
        digest = {}
        for table in db.metadata.sorted_tables:
            rows = db.session.execute(select(table).order_by(*table.primary_key.columns)).all()
            digest[table.name] = hashlib.sha256(repr(rows).encode()).hexdigest()
        db.session.remove()
    return digest


@pytest.mark.parametrize("role", ROLES)
def test_get_never_changes_state(app, client, auth, create_user, world, role):
    """Every URL of the matrix, fetched with GET (and as htmx) by each role, leaves every table as it was."""
    if role != "anonymous":
        auth.login(create_user(role, email=f"{role}@exemplo.com.br"))
    before = database_fingerprint(app)
    urls = sorted({url.format(**world) for _, _, url, _ in MATRIX})
    for url in urls:
        for headers in ({}, {"HX-Request": "true"}):
            status = client.get(url, headers=headers).status_code
            assert status < 500, (url, headers, status)
        after = database_fingerprint(app)
        changed = sorted(name for name in before if before[name] != after[name])
        assert changed == [], f"GET {url} as {role} changed {changed}"
