"""`flask consulta ...` commands: draft import, accounts, demo data."""

from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import func, select

from consulta.auth.passwords import password_problem
from consulta.auth.services import find_by_email, register
from consulta.consultations import services
from consulta.drafts import DraftDocument, parse_upload
from consulta.extensions import db
from consulta.models import AccountKind, Consultation, Role, TransitionError, utcnow
from consulta.models.consultations import DEFAULT_TIME_ZONE

consulta_cli = AppGroup("consulta", help="Comandos do Consulta.")

DEMO_SLUG = "governo-digital-2024-2027"
DEMO_TITLE = "Estratégia Nacional de Governo Digital 2024–2027"
DEMO_SUMMARY = (
    "Esta consulta pública apresenta a minuta de decreto que institui a Estratégia Nacional de Governo Digital "
    "2024–2027, com princípios, objetivos e um modelo de governança que inclui a Rede Nacional de Governo "
    "Digital, aberta aos 26 Estados, ao Distrito Federal e aos Municípios. O Anexo traz recomendações em seis "
    "objetivos — da identificação única pelo CPF e pela conta gov.br à interoperabilidade com salvaguardas da "
    "LGPD, transparência, infraestrutura segura e serviços proativos centrados no usuário —, que podem ser "
    "comentadas e votadas pela sociedade."
)
# Development only: `make run` creates these when DEMO_ACCOUNTS is on, and prints them.
DEMO_ACCOUNTS = [
    ("admin@consulta.example", "Administração da Consulta", Role.ADMIN, "demo-admin-consulta"),
    ("facilitador@consulta.example", "Facilitadora Demo", Role.FACILITATOR, "demo-facilitador-consulta"),
    ("analista@consulta.example", "Analista Demo", Role.ANALYST, "demo-analista-consulta"),
    ("moderador@consulta.example", "Moderador Demo", Role.MODERATOR, "demo-moderador-consulta"),
    ("participante@consulta.example", "Participante Demo", Role.PARTICIPANT, "demo-participante-consulta"),
]


def _echo_problems(draft: DraftDocument) -> None:
    for problem in draft.errors:
        click.secho(f"erro: {problem.message}", fg="red", err=True)
    for problem in draft.warnings:
        click.secho(f"aviso: {problem.message}", fg="yellow", err=True)


@consulta_cli.command("import-draft")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--consultation", "slug", required=True, help="Slug da consulta (criada em preparação se não existir).")
@click.option("--title", default=None, help="Título, se a consulta for criada agora (padrão: o primeiro título).")
def import_draft(file: Path, slug: str, title: str | None) -> None:
    """Import a draft (DOCX, ODT, Markdown or text) into a consultation still in preparation."""
    data = file.read_bytes()
    draft = parse_upload(data)
    _echo_problems(draft)
    if not draft.ok:
        raise click.ClickException("nada foi salvo: corrija os erros acima.")
    consultation = services.get_by_slug(slug)
    if consultation is None:
        first = next(draft.iter_sections(), None)
        consultation = services.create_consultation(
            None, slug=slug, title=title or (first.title if first else slug)
        )
    try:
        services.replace_text(None, consultation, draft)
    except TransitionError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"{consultation.slug}: {draft.article_count} dispositivos importados.")


@consulta_cli.command("create-user")
@click.argument("email")
@click.option("--role", type=click.Choice([r.value for r in Role]), default=Role.PARTICIPANT.value)
@click.option("--name", default=None, help="Nome exibido (padrão: a parte do e-mail antes do @).")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True,
              help="Senha (perguntada se omitida).")
def create_user(email: str, role: str, name: str | None, password: str) -> None:
    """Create an account with the given role, or change the role of an existing one."""
    existing = find_by_email(email)
    if existing is not None:
        existing.role = Role(role)
        db.session.commit()
        click.echo(f"{existing.email}: papel alterado para {role}.")
        return
    problem = password_problem(password, email=email)
    if problem:
        raise click.ClickException(problem)
    user = register(
        email=email, password=password, display_name=name or email.split("@")[0], role=Role(role)
    )
    db.session.commit()
    click.echo(f"{user.email if user else email}: conta criada com o papel {role}.")


def demo_schedule(now: datetime) -> dict[str, Any]:
    """Dates for the demo: opened a month ago, closing at 23:59 (Brasília) two months from now."""
    zone = ZoneInfo(DEFAULT_TIME_ZONE)
    last_day = (now + timedelta(days=60)).astimezone(zone).replace(hour=23, minute=59, second=0, microsecond=0)
    return {"opens_at": now - timedelta(days=30), "closes_at": last_day.astimezone(UTC),
            "organ": "Secretaria de Governo Digital — Ministério da Gestão e da Inovação em Serviços Públicos",
            "contact": "consulta.governodigital@example.gov.br"}


@consulta_cli.command("load-demo")
@click.option("--accounts/--no-accounts", default=None,
              help="Criar as contas de demonstração (padrão: a configuração DEMO_ACCOUNTS).")
def load_demo(accounts: bool | None) -> None:
    """Load the demo consultation (once, when there is none) and, in development, demo accounts."""
    if db.session.scalar(select(func.count()).select_from(Consultation)) == 0:
        data = resources.files("consulta.demo").joinpath("engd.md").read_bytes()
        draft = parse_upload(data)
        _echo_problems(draft)
        if not draft.ok:
            raise click.ClickException("o texto de demonstração tem erros.")
        consultation = services.create_consultation(
            None, slug=DEMO_SLUG, title=DEMO_TITLE, summary=DEMO_SUMMARY, **demo_schedule(utcnow())
        )
        services.replace_text(None, consultation, draft)
        services.open_consultation(None, consultation)
        db.session.commit()
        click.echo(f"Consulta de demonstração carregada: /consultas/{DEMO_SLUG} ({draft.article_count} dispositivos).")
    if accounts is None:
        accounts = bool(current_app.config["DEMO_ACCOUNTS"])
    if not accounts:
        return
    if current_app.config["SECURE_COOKIES"]:
        raise click.ClickException("contas de demonstração não são criadas em produção (SECURE_COOKIES ligado).")
    click.echo("Contas de demonstração (somente desenvolvimento):")
    for email, name, role, password in DEMO_ACCOUNTS:
        if find_by_email(email) is None:
            register(email=email, password=password, display_name=name, role=role, kind=AccountKind.PERSON)
        click.echo(f"  {role.value:<12} {email:<32} senha: {password}")
    db.session.commit()
    consultation = services.get_by_slug(DEMO_SLUG)
    facilitator = find_by_email(DEMO_ACCOUNTS[1][0])
    if consultation is not None and facilitator is not None and facilitator.role is Role.FACILITATOR:
        from consulta.demo.workshops import load_demo_workshops

        if created := load_demo_workshops(consultation, facilitator):
            db.session.commit()
            click.echo(f"Oficinas de demonstração: {created} (/consultas/{DEMO_SLUG}/oficinas).")
    if consultation is not None:
        from consulta.demo.participation import load_demo_participation

        contributions, votes = load_demo_participation(consultation)
        if contributions:
            db.session.commit()
            click.echo(f"Participação online de demonstração: {contributions} contribuições e {votes} votos.")
        analyst = find_by_email(DEMO_ACCOUNTS[2][0])
        if analyst is not None and analyst.role is Role.ANALYST:
            from consulta.demo.runs import load_demo_run

            if run := load_demo_run(consultation, analyst):
                click.echo(f"Análise de demonstração: execução {run.id} ({run.status.value}) em /analise/.")
            from consulta.demo.devolutiva import load_demo_devolutiva

            if version := load_demo_devolutiva(consultation, analyst):
                db.session.commit()
                click.echo(f"Devolutiva de demonstração: versão {version.number} publicada "
                           f"(/consultas/{DEMO_SLUG}/comparativo).")


@consulta_cli.command("recount-votes")
@click.option("--consultation", "slug", default=None, help="Só esta consulta (padrão: todas).")
def recount_votes(slug: str | None) -> None:
    """Rebuild vote tallies and contribution counters from the rows they count."""
    from consulta.participation.services import recount

    consultation = None
    if slug:
        consultation = services.get_by_slug(slug)
        if consultation is None:
            raise click.ClickException(f"consulta não encontrada: {slug}")
    articles = recount(consultation)
    db.session.commit()
    click.echo(f"Contagens refeitas em {articles} dispositivos.")


@consulta_cli.command("refresh-results")
@click.argument("slug", required=False)
def refresh_results(slug: str | None) -> None:
    """Compute the results pages' snapshots now (all public consultations, or SLUG).

    Worth running after a deploy or a cache flush when the cache is shared (Redis): the first reader of
    each results page then does not wait for the figures to be computed.
    """
    from consulta.results.services import store_snapshot

    if slug:
        consultation = services.get_by_slug(slug)
        if consultation is None or not consultation.is_public:
            raise click.ClickException(f"consulta pública não encontrada: {slug}")
        consultations = [consultation]
    else:
        consultations = services.public_consultations()
    for consultation in consultations:
        store_snapshot(consultation)
    db.session.commit()
    click.echo(f"Resultados recalculados: {len(consultations)} consulta(s).")


@consulta_cli.command("analyze")
@click.argument("slug")
@click.option("--article", "article_id", type=int, default=None, help="Só este dispositivo (id).")
@click.option("--k", type=click.IntRange(1, 40), default=None, help="Número de grupos (padrão: automático).")
@click.option("--seed", type=int, default=0, show_default=True, help="Semente do agrupamento.")
@click.option("--wait/--no-wait", default=True, show_default=True,
              help="Esperar um worker concluir a análise e mostrar o resumo.")
@click.option("--timeout", type=float, default=3600, show_default=True, help="Segundos de espera, no máximo.")
def analyze(slug: str, article_id: int | None, k: int | None, seed: int, wait: bool, timeout: float) -> None:
    """Create an analysis run and queue it for a worker (`flask consulta worker`); print its summary when done."""
    import time

    from consulta.insights import runs
    from consulta.models import AnalysisRun, Article, RunScope, RunStatus

    consultation = services.get_by_slug(slug)
    if consultation is None:
        raise click.ClickException(f"consulta não encontrada: {slug}")
    article = None
    if article_id is not None:
        article = db.session.get(Article, article_id)
        if article is None or article.consultation_id != consultation.id:
            raise click.ClickException(f"dispositivo {article_id} não pertence a {slug}")
    run = runs.create_run(None, consultation, scope=RunScope.ARTICLE if article else RunScope.CONSULTATION,
                          article=article, k=k, seed=seed)
    runs.enqueue_run(run)
    run_id = run.id  # read before the commit, which would otherwise open a new (SQLite: locking) transaction
    db.session.commit()
    if not wait:
        click.echo(f"Análise nº {run_id} na fila.")
        return
    click.echo(f"Análise nº {run_id} na fila; aguardando um worker (flask consulta worker)…", err=True)
    deadline = time.monotonic() + timeout
    while True:
        db.session.expire_all()
        run = db.session.get(AnalysisRun, run_id)
        if run is None or run.is_finished or time.monotonic() > deadline:
            break
        db.session.rollback()
        time.sleep(0.5)
    if run is None or run.status is not RunStatus.DONE:
        state = run.status.label if run else "não encontrada"
        raise click.ClickException(f"análise nº {run_id}: {state}. {run.error or '' if run else ''}".strip())
    result = run.result or {}
    clusters = [c for g in result.get("groups", []) for c in g["clusters"]]
    click.echo(f"Análise nº {run_id}: {result.get('size', 0)} contribuições, {len(clusters)} grupos, "
               f"{len(result.get('campaigns', []))} campanhas, {run.timings.get('total', 0) if run.timings else 0} s.")
    for cluster in clusters:
        where = f"[{cluster['group']}] " if cluster.get("group") else ""
        click.echo(f"  {where}{cluster['label']}: {cluster['size']}")


@consulta_cli.command("check-deploy")
@click.option("--workers", type=int, default=None,
              help="Processos por servidor (padrão: WEB_CONCURRENCY, ou 2 × núcleos como no README).")
@click.option("--servers", type=int, default=1, show_default=True, help="Servidores de aplicação atrás do balanceador.")
def check_deploy(workers: int | None, servers: int) -> None:
    """Report settings that break a deployment of several workers or servers; exit 1 on an error."""
    import os

    from consulta.deploy_check import check

    if workers is None:
        workers = int(os.environ.get("WEB_CONCURRENCY") or 2 * (os.cpu_count() or 1))
    problems = check(current_app, workers=workers, servers=servers)
    for problem in problems:
        label = "ERRO" if problem.level == "error" else "aviso"
        click.echo(f"{label}: {problem.setting}: {problem.message}")
    if any(problem.level == "error" for problem in problems):
        raise SystemExit(1)
    click.echo(f"ok: nada impede {servers} servidor(es) × {workers} processo(s).")


@consulta_cli.command("send-notifications")
def send_notifications() -> None:
    """Record the clock's notices (opening, 3 days before the close, closed) and send every pending e-mail once."""
    from consulta.notifications.sending import send_pending

    with current_app.test_request_context("/", base_url=current_app.config["PUBLIC_URL"]):
        counts = send_pending()
    click.echo(f"Avisos: {counts['recorded']} registrados, {counts['sent']} e-mails enviados, "
               f"{counts['digests']} resumos, {counts['skipped']} desativados pelas preferências.")


@consulta_cli.command("backup")
@click.argument("destination", type=click.Path(file_okay=False, path_type=Path))
def backup_command(destination: Path) -> None:
    """Back up the database and the secret key into a new private folder."""
    from consulta import backup, security

    try:
        backup.backup(current_app, destination)
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from error
    security.log_event(security.BACKUP, destination=str(destination))
    click.echo(f"Cópia de segurança gravada em {destination} (guarde-a cifrada: contém dados pessoais e a chave).")


@consulta_cli.command("restore")
@click.argument("source", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Não pedir confirmação.")
def restore_command(source: Path, yes: bool) -> None:
    """Replace the database's content and the secret key with those of a backup."""
    from consulta import backup, security

    if not yes:
        click.confirm("Isto substitui todos os dados do banco configurado pelos da cópia. Continuar?", abort=True)
    try:
        notes = backup.restore(current_app, source)
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from error
    security.log_event(security.RESTORE, source=str(source))
    for note in notes:
        click.echo(note)
    click.echo(f"Banco restaurado de {source}.")
