"""Workshop services: places, status, attendance, input counted like online input, imports, summaries."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import event, func, select

from consulta.authz import can_edit_workshop
from consulta.extensions import db
from consulta.geo import Region
from consulta.models import (
    Article,
    Audience,
    AuditLog,
    Channel,
    Consultation,
    Contribution,
    ContributionKind,
    Sector,
    Stance,
    User,
    Visibility,
    Workshop,
    WorkshopFormat,
    WorkshopStatus,
    utcnow,
)
from consulta.participation.services import STANCE_COLUMNS, contribute, recount
from consulta.workshops import services
from consulta.workshops.services import WorkshopError
from consulta.workshops.spreadsheets import AttendeeRow, InputRow


def created(model, factory, *args, **kwargs):
    """Call a conftest factory and load its object here; commits first, as the factory writes in its own session
    (SQLite's write lock is held by this session's transaction)."""
    db.session.commit()
    return db.session.get(model, factory(*args, **kwargs).id)


@pytest.fixture
def env(app_ctx, create_user, create_consultation):
    """An open consultation, its articles, a facilitator, another facilitator, an admin and a participant."""
    consultation = created(Consultation, create_consultation, "open")
    users = {role: created(User, create_user, role)
             for role in ("facilitator", "admin", "participant", "moderator", "analyst")}
    other = created(User, create_user, "facilitator")
    articles = db.session.scalars(
        select(Article).where(Article.consultation_id == consultation.id).order_by(Article.position)
    ).all()
    return SimpleNamespace(consultation=consultation, articles=articles, facilitator=users["facilitator"],
                           other=other, users=users)


START = (utcnow() - timedelta(days=2)).replace(microsecond=0)


def details(**overrides):
    values = {"title": "Oficina de São Paulo", "format": WorkshopFormat.IN_PERSON, "starts_at": START, "uf": "SP", "municipality": "São Paulo",
              "venue": "Auditório", "audience": Audience.GENERAL, "summary": ""}
    values.update(overrides)
    return values


def new_workshop(env, actor=None, consultation=None, **overrides) -> Workshop:
    workshop = services.create_workshop(actor or env.facilitator, consultation or env.consultation,
                                        **details(**overrides))
    db.session.commit()
    return workshop


def reported(env, workshop, total=10):
    services.set_status(env.facilitator, workshop, WorkshopStatus.HELD)
    services.set_attendance(env.facilitator, workshop, total, {})
    services.set_status(env.facilitator, workshop, WorkshopStatus.REPORTED)
    db.session.commit()


def audit(action: str, workshop: Workshop) -> list[AuditLog]:
    return db.session.scalars(
        select(AuditLog).where(AuditLog.action == action, AuditLog.object_type == "Workshop",
                               AuditLog.object_id == workshop.id).order_by(AuditLog.id)
    ).all()


class QueryCounter:
    """Count the queries run inside a `with` block (not SQLite's BEGIN)."""

    def __enter__(self):
        self.count = 0
        event.listen(db.engine, "before_cursor_execute", self._count)
        return self

    def _count(self, connection, cursor, statement, *args):
        if not statement.lstrip().upper().startswith("BEGIN"):
            self.count += 1

    def __exit__(self, *exc):
        event.remove(db.engine, "before_cursor_execute", self._count)


# -- places -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("uf", "typed", "code", "name"), [
    ("SP", "sao paulo", "3550308", "São Paulo"),
    ("SP", "  SÃO PAULO ", "3550308", "São Paulo"),
    ("CE", "2304400", "2304400", "Fortaleza"),
    ("am", "Manaus", "1302603", "Manaus"),
    ("RS", "431490", "4314902", "Porto Alegre"),  # IBGE code without its check digit
])
def test_in_person_municipality_is_found_by_name_ignoring_accents_or_by_ibge_code(env, uf, typed, code, name):
    workshop = new_workshop(env, uf=uf, municipality=typed)
    assert (workshop.uf, workshop.municipality_code, workshop.municipality_name) == (uf.upper(), code, name)
    assert workshop.facilitator_id == env.facilitator.id
    assert workshop.status is WorkshopStatus.PLANNED
    assert workshop.place_label == f"Oficina de {name}/{uf.upper()}"


@pytest.mark.parametrize(("uf", "typed", "message"), [
    ("RJ", "Campinas", 'O município "Campinas" não pertence a RJ. Ele fica em SP.'),
    ("RJ", "3550308", 'O município "São Paulo" não pertence a RJ. Ele fica em SP.'),
    ("SP", "goiania", 'O município "Goiânia" não pertence a SP. Ele fica em GO.'),
    ("SP", "Cidade Inexistente",
     "Município não encontrado em SP: confira o nome ou use o código IBGE de 7 dígitos."),
    ("SP", "9999999", "Município não encontrado em SP: confira o nome ou use o código IBGE de 7 dígitos."),
])
def test_municipality_outside_the_uf_is_refused_naming_both(env, uf, typed, message):
    with pytest.raises(WorkshopError) as error:
        services.create_workshop(env.facilitator, env.consultation, **details(uf=uf, municipality=typed))
    assert str(error.value) == message
    assert error.value.field == "municipality"


def test_municipality_name_shared_by_several_states_lists_them(env):
    with pytest.raises(WorkshopError, match="Há municípios com esse nome em .*PI.*RS"):
        services.create_workshop(env.facilitator, env.consultation, **details(uf="SP", municipality="Bom Jesus"))


@pytest.mark.parametrize(("overrides", "field"), [
    ({"uf": None}, "uf"),
    ({"uf": "XX"}, "uf"),
    ({"municipality": ""}, "municipality"),
    ({"municipality": None}, "municipality"),
    ({"title": "   "}, "title"),
    ({"title": "x" * 201}, "title"),
    ({"starts_at": None}, "starts_at"),
    ({"starts_at": (utcnow() - timedelta(days=1)).replace(tzinfo=None)}, "starts_at"),
    ({"format": "hibrida"}, "format"),
])
def test_in_person_workshop_needs_uf_municipality_title_and_an_aware_date(env, overrides, field):
    with pytest.raises(WorkshopError) as error:
        services.create_workshop(env.facilitator, env.consultation, **details(**overrides))
    assert error.value.field == field
    assert db.session.scalar(select(func.count()).select_from(Workshop)) == 0


def test_remote_workshop_has_no_municipality_and_an_optional_uf(env):
    remote = new_workshop(env, format=WorkshopFormat.REMOTE, uf=None, municipality=None, title="Sociedade civil")
    assert (remote.uf, remote.municipality_code, remote.municipality_name, remote.region) == (None, None, None, None)
    assert remote.place_label == "Sociedade civil"
    state = new_workshop(env, format=WorkshopFormat.REMOTE, uf="df", municipality="")
    assert (state.uf, state.municipality_code, state.region) == ("DF", None, Region.CENTRO_OESTE)
    with pytest.raises(WorkshopError) as error:
        services.create_workshop(env.facilitator, env.consultation,
                                 **details(format=WorkshopFormat.REMOTE, municipality="Manaus", uf="AM"))
    assert error.value.field == "municipality"


def test_changing_to_remote_clears_nothing_silently(env):
    workshop = new_workshop(env)
    with pytest.raises(WorkshopError):
        services.update_workshop(env.facilitator, workshop, **details(format=WorkshopFormat.REMOTE))
    services.update_workshop(env.facilitator, workshop, **details(format=WorkshopFormat.REMOTE, municipality=None))
    assert (workshop.municipality_code, workshop.municipality_name, workshop.uf) == (None, None, "SP")


def test_creation_is_audited_and_reserved_to_facilitators_and_admins(env):
    workshop = new_workshop(env)
    assert len(audit("workshop.create", workshop)) == 1
    assert new_workshop(env, actor=env.users["admin"]).facilitator_id == env.users["admin"].id
    for role in ("participant", "moderator", "analyst"):
        with pytest.raises(WorkshopError):
            services.create_workshop(env.users[role], env.consultation, **details())


# -- status -------------------------------------------------------------------------------------------------

def test_status_moves_forward_one_step_and_reopens_from_reported(env):
    workshop = new_workshop(env)
    with pytest.raises(WorkshopError):
        services.set_status(env.facilitator, workshop, WorkshopStatus.REPORTED)  # skips "held"
    services.set_status(env.facilitator, workshop, WorkshopStatus.HELD)
    with pytest.raises(WorkshopError):
        services.set_status(env.facilitator, workshop, WorkshopStatus.PLANNED)  # no way back
    with pytest.raises(WorkshopError, match="total de participantes"):
        services.set_status(env.facilitator, workshop, WorkshopStatus.REPORTED)
    services.set_attendance(env.facilitator, workshop, 25, {})
    services.set_status(env.facilitator, workshop, WorkshopStatus.REPORTED)
    assert workshop.status is WorkshopStatus.REPORTED and workshop.reported_at is not None
    with pytest.raises(WorkshopError):
        services.set_status(env.facilitator, workshop, WorkshopStatus.PLANNED)
    services.set_status(env.facilitator, workshop, WorkshopStatus.HELD)
    assert workshop.status is WorkshopStatus.HELD and workshop.reported_at is None
    services.set_status(env.facilitator, workshop, WorkshopStatus.HELD)  # a repeated click changes nothing
    db.session.commit()
    changes = [(a.details["from"], a.details["to"]) for a in audit("workshop.status", workshop)]
    assert changes == [("planned", "held"), ("held", "reported"), ("reported", "held")]
    assert len(audit("workshop.reopen_report", workshop)) == 1


def test_a_future_workshop_cannot_be_marked_held(env):
    workshop = new_workshop(env, starts_at=utcnow() + timedelta(days=3))
    with pytest.raises(WorkshopError, match="só pode ser marcada como realizada"):
        services.set_status(env.facilitator, workshop, WorkshopStatus.HELD)
    assert workshop.status is WorkshopStatus.PLANNED


@pytest.mark.parametrize("role", ["other", "participant", "moderator"])
def test_only_the_facilitator_or_an_admin_changes_a_workshop(env, role):
    workshop = new_workshop(env)
    actor = env.other if role == "other" else env.users[role]
    with pytest.raises(WorkshopError):
        services.set_status(actor, workshop, WorkshopStatus.HELD)
    with pytest.raises(WorkshopError):
        services.update_workshop(actor, workshop, **details(title="Outro título"))
    with pytest.raises(WorkshopError):
        services.set_attendance(actor, workshop, 3, {})
    services.set_status(env.users["admin"], workshop, WorkshopStatus.HELD)
    assert workshop.status is WorkshopStatus.HELD


@pytest.mark.parametrize(("role", "owner", "allowed"), [
    ("facilitator", True, True),
    ("facilitator", False, False),
    ("admin", False, True),
    ("participant", True, False),  # an account demoted to participant loses its workshops
    ("participant", False, False),
    ("moderator", False, False),
    ("analyst", False, False),
])
def test_can_edit_workshop_permission(env, create_user, role, owner, allowed):
    user = created(User, create_user, role)
    workshop = new_workshop(env)
    if owner:
        workshop.facilitator_id = user.id
    assert can_edit_workshop(user, workshop) is allowed


def test_blocked_facilitator_cannot_edit_their_workshop(env, create_user):
    workshop = new_workshop(env)
    env.facilitator.blocked_at = utcnow()
    assert can_edit_workshop(env.facilitator, workshop) is False


# -- attendance ---------------------------------------------------------------------------------------------

def test_attendance_total_defaults_to_the_sum_of_sectors_and_is_never_below_it(env):
    workshop = new_workshop(env)
    services.set_attendance(env.facilitator, workshop, None, {Sector.ACADEMIA: 4, Sector.PRIVATE: 6})
    assert workshop.attendance_total == 10
    assert {a.sector: a.count for a in workshop.attendance} == {Sector.ACADEMIA: 4, Sector.PRIVATE: 6}
    with pytest.raises(WorkshopError, match=r"O total \(9\) é menor que a soma por setor \(10\)") as error:
        services.set_attendance(env.facilitator, workshop, 9, {Sector.ACADEMIA: 4, Sector.PRIVATE: 6})
    assert error.value.field == "total"
    services.set_attendance(env.facilitator, workshop, 30, {Sector.ACADEMIA: 5})
    db.session.commit()
    assert workshop.attendance_total == 30
    assert {a.sector: a.count for a in workshop.attendance} == {Sector.ACADEMIA: 5}


@pytest.mark.parametrize(("total", "by_sector", "field"), [
    (None, {}, "total"),
    (-1, {}, "total"),
    (None, {Sector.ACADEMIA: -2}, "by_sector"),
    (10, {Sector.ACADEMIA: -2}, "by_sector"),
    (2_000_000, {}, "total"),
])
def test_attendance_refuses_missing_or_negative_counts(env, total, by_sector, field):
    workshop = new_workshop(env)
    with pytest.raises(WorkshopError) as error:
        services.set_attendance(env.facilitator, workshop, total, by_sector)
    assert error.value.field == field
    assert workshop.attendance_total is None


def people(*sectors):
    return [AttendeeRow(line=i + 2, name=f"Pessoa {i}", organization=None, sector=s, uf="SP")
            for i, s in enumerate(sectors)]


def test_attendance_list_raises_the_counts_and_counts_cannot_go_below_it(env):
    workshop = new_workshop(env)
    services.set_attendance(env.facilitator, workshop, 2, {Sector.CITIZEN: 1, Sector.ACADEMIA: 1})
    services.replace_attendees(env.facilitator, workshop, people(Sector.ACADEMIA, Sector.ACADEMIA, None))
    db.session.commit()
    assert workshop.attendance_total == 3
    assert {a.sector: a.count for a in workshop.attendance} == {Sector.CITIZEN: 1, Sector.ACADEMIA: 2}
    assert len(workshop.attendees) == 3

    with pytest.raises(WorkshopError, match="lista de presença tem 3 pessoas"):
        services.set_attendance(env.facilitator, workshop, 2, {})
    with pytest.raises(WorkshopError, match="2 pessoa\\(s\\) do setor Academia e pesquisa") as error:
        services.set_attendance(env.facilitator, workshop, 40, {Sector.ACADEMIA: 1})
    assert error.value.field == "by_sector"
    services.set_attendance(env.facilitator, workshop, 40, {Sector.ACADEMIA: 2, Sector.FEDERAL: 7})
    db.session.commit()
    assert workshop.attendance_total == 40

    # A higher count typed before stays; replacing the list again does not lower anything.
    services.replace_attendees(env.facilitator, workshop, people(Sector.FEDERAL))
    db.session.commit()
    assert workshop.attendance_total == 40
    assert {a.sector: a.count for a in workshop.attendance} == {Sector.ACADEMIA: 2, Sector.FEDERAL: 7}
    assert [a.name for a in workshop.attendees] == ["Pessoa 0"]


def test_an_empty_list_leaves_an_unknown_total_unknown(env):
    workshop = new_workshop(env)
    services.replace_attendees(env.facilitator, workshop, [])
    assert workshop.attendance_total is None


def test_attendance_list_rows_are_checked(env):
    workshop = new_workshop(env)
    with pytest.raises(WorkshopError, match="Linha 3"):
        services.replace_attendees(env.facilitator, workshop, [
            AttendeeRow(line=2, name="Ana", organization=None, sector=None, uf=None),
            AttendeeRow(line=3, name="Bia", organization=None, sector=None, uf="ZZ"),
        ])


# -- edits after the report ---------------------------------------------------------------------------------

def test_edits_after_the_report_are_audited_with_old_and_new_values(env):
    workshop = new_workshop(env)
    services.update_workshop(env.facilitator, workshop, **details(title="Antes do relato"))
    reported(env, workshop)
    assert audit("workshop.edit_after_report", workshop) == []

    services.update_workshop(env.facilitator, workshop, **details(title="Depois do relato", municipality="Campinas"))
    services.update_workshop(env.facilitator, workshop, **details(title="Depois do relato", municipality="Campinas"))
    services.set_attendance(env.facilitator, workshop, 12, {})
    services.replace_attendees(env.facilitator, workshop, people(Sector.CITIZEN))
    services.add_input(env.facilitator, workshop, article=env.articles[0], kind=ContributionKind.COMMENT,
                       stance=Stance.AGREE, body="Dito depois.", head_count=None, group_label=None)
    db.session.commit()
    entries = audit("workshop.edit_after_report", workshop)
    assert len(entries) == 4  # the repeated identical edit changed nothing and logged nothing
    assert entries[0].details["changes"]["title"] == ["Antes do relato", "Depois do relato"]
    assert entries[0].details["changes"]["municipality_code"] == ["3550308", "3509502"]
    assert entries[1].details["changes"]["attendance"][0]["total"] == 10
    assert entries[1].details["changes"]["attendance"][1]["total"] == 12
    assert "attendees" in entries[2].details["changes"]
    assert "input_added" in entries[3].details["changes"]
    assert all(entry.actor_id == env.facilitator.id for entry in entries)


def test_a_held_workshop_cannot_move_to_a_future_date(env):
    workshop = new_workshop(env)
    services.set_status(env.facilitator, workshop, WorkshopStatus.HELD)
    with pytest.raises(WorkshopError) as error:
        services.update_workshop(env.facilitator, workshop, **details(starts_at=utcnow() + timedelta(days=5)))
    assert error.value.field == "starts_at"


# -- input --------------------------------------------------------------------------------------------------

def tallies_match_rows(article_ids) -> None:
    """Each article's stance counters equal its visible top-level contributions of that stance."""
    db.session.expire_all()
    for article_id in article_ids:
        article = db.session.get(Article, article_id)
        for stance, column in STANCE_COLUMNS.items():
            rows = db.session.scalar(select(func.count()).select_from(Contribution).where(
                Contribution.article_id == article_id, Contribution.stance == stance,
                Contribution.parent_id.is_(None), Contribution.visibility == Visibility.VISIBLE))
            assert getattr(article, column.key) == rows, (article.label, stance)


def test_workshop_input_counts_in_the_stance_tallies_like_online_input(env):
    workshop = new_workshop(env)
    first, second = env.articles[0], env.articles[2]
    online, _ = contribute(env.users["participant"], article=first, kind=ContributionKind.COMMENT,
                           stance=Stance.AGREE, body="Pela internet.")
    contribution, created = services.add_input(
        env.facilitator, workshop, article=first, kind=ContributionKind.COMMENT, stance=Stance.AGREE,
        body="  A sala concordou.  ", head_count=18, group_label="Mesa 2")
    services.add_input(env.facilitator, workshop, article=first, kind=ContributionKind.REMOVAL,
                       stance=Stance.DISAGREE, body="Suprimir.", head_count=None, group_label=None)
    services.import_inputs(env.facilitator, workshop, [
        InputRow(line=2, article_id=second.id, kind=ContributionKind.NEW_WORDING, stance=Stance.PARTLY,
                 body="Ajustar a redação.", proposed_text="Nova redação.", head_count=4, group_label="Mesa 1"),
        InputRow(line=3, article_id=second.id, kind=ContributionKind.COMMENT, stance=Stance.NONE,
                 body="Sem consenso.", proposed_text=None, head_count=None, group_label=None),
        InputRow(line=4, article_id=first.id, kind=ContributionKind.COMMENT, stance=Stance.AGREE,
                 body="Mais um.", proposed_text=None, head_count=None, group_label=None),
    ])
    db.session.commit()
    assert created
    assert (contribution.channel, contribution.workshop_id, contribution.author_id) == (
        Channel.WORKSHOP, workshop.id, env.facilitator.id)
    assert (contribution.body, contribution.head_count, contribution.group_label) == ("A sala concordou.", 18, "Mesa 2")
    assert contribution.section_id == first.section_id
    assert contribution.author_name == "Oficina de São Paulo/SP"
    assert online.channel is Channel.ONLINE
    db.session.expire_all()
    first = db.session.get(Article, first.id)
    assert (first.contributions_agree, first.contributions_disagree, first.contribution_total) == (3, 1, 4)
    tallies_match_rows([a.id for a in env.articles])
    recount(env.consultation)  # rebuilding the counters from the rows changes nothing
    db.session.commit()
    tallies_match_rows([a.id for a in env.articles])
    assert db.session.get(Article, first.id).contributions_agree == 3


def test_new_wording_keeps_the_room_text_and_an_optional_proposed_wording(env):
    workshop = new_workshop(env)
    with_text, _ = services.add_input(
        env.facilitator, workshop, article=env.articles[1], kind=ContributionKind.NEW_WORDING, stance=Stance.PARTLY,
        body="Trocar 'transparência' por 'transparência ativa'.", head_count=5, group_label=None,
        proposed_text="II – transparência ativa;")
    without_text, _ = services.add_input(
        env.facilitator, workshop, article=env.articles[1], kind=ContributionKind.NEW_WORDING, stance=Stance.PARTLY,
        body="Reescrever de forma mais simples.", head_count=None, group_label=None)
    assert with_text.proposed_text == "II – transparência ativa;"
    assert without_text.proposed_text is None
    with pytest.raises(WorkshopError) as error:
        services.add_input(env.facilitator, workshop, article=env.articles[1], kind=ContributionKind.COMMENT,
                           stance=Stance.NONE, body="Comentário.", head_count=None, group_label=None,
                           proposed_text="Texto perdido?")
    assert error.value.field == "proposed_text"


@pytest.mark.parametrize(("overrides", "field"), [
    ({"body": "   "}, "body"),
    ({"body": "x" * 5001}, "body"),
    ({"head_count": -3}, "head_count"),
    ({"kind": ContributionKind.NEW_ARTICLE}, "kind"),
    ({"group_label": "g" * 121}, "group_label"),
])
def test_add_input_refuses_invalid_values(env, overrides, field):
    workshop = new_workshop(env)
    values = {"article": env.articles[0], "kind": ContributionKind.COMMENT, "stance": Stance.NONE,
              "body": "Texto.", "head_count": None, "group_label": None}
    values.update(overrides)
    with pytest.raises(WorkshopError) as error:
        services.add_input(env.facilitator, workshop, **values)
    assert error.value.field == field
    assert db.session.scalar(select(func.count()).select_from(Contribution)) == 0


def test_input_must_be_on_an_article_of_the_workshops_consultation(env, create_consultation):
    workshop = new_workshop(env)
    other = created(Consultation, create_consultation, "open")
    with pytest.raises(WorkshopError) as error:
        services.add_input(env.facilitator, workshop, article=other.articles[0], kind=ContributionKind.COMMENT,
                           stance=Stance.NONE, body="Texto.", head_count=None, group_label=None)
    assert error.value.field == "article"


def test_input_is_accepted_after_closing_but_not_in_draft(env, create_consultation):
    closed = created(Consultation, create_consultation, "closed")
    workshop = new_workshop(env, consultation=closed)
    _, was_created = services.add_input(env.facilitator, workshop, article=closed.articles[0],
                                        kind=ContributionKind.COMMENT, stance=Stance.AGREE, body="Depois do prazo.",
                                        head_count=None, group_label=None)
    assert was_created
    draft = created(Consultation, create_consultation, "draft")
    with pytest.raises(WorkshopError):
        services.create_workshop(env.facilitator, draft, **details())  # facilitators do not see drafts
    planned = new_workshop(env, actor=env.users["admin"], consultation=draft)
    with pytest.raises(WorkshopError, match="em preparação"):
        services.add_input(env.users["admin"], planned, article=draft.articles[0], kind=ContributionKind.COMMENT,
                           stance=Stance.AGREE, body="Cedo demais.", head_count=None, group_label=None)


def test_the_same_import_key_adds_nothing(env):
    workshop = new_workshop(env)
    values = {"article": env.articles[0], "kind": ContributionKind.COMMENT, "stance": Stance.AGREE,
              "body": "Uma vez só.", "head_count": 3, "group_label": None, "import_key": "k" * 64}
    first, created = services.add_input(env.facilitator, workshop, **values)
    again, created_again = services.add_input(env.facilitator, workshop, **values)
    db.session.commit()
    assert (created, created_again, again.id) == (True, False, first.id)
    assert db.session.get(Article, env.articles[0].id).contributions_agree == 1


def test_importing_the_same_rows_twice_adds_nothing_the_second_time(env):
    workshop = new_workshop(env)
    rows = [InputRow(line=i + 2, article_id=env.articles[i % 4].id, kind=ContributionKind.COMMENT,
                     stance=Stance.AGREE, body=f"Contribuição {i}", proposed_text=None, head_count=i,
                     group_label=None) for i in range(12)]
    assert services.import_inputs(env.facilitator, workshop, rows) == services.ImportResult(created=12, duplicates=0)
    db.session.commit()
    assert services.import_inputs(env.facilitator, workshop, rows) == services.ImportResult(created=0, duplicates=12)
    # The same content typed with other spacing is the same row.
    respaced = [InputRow(**{**vars(rows[0]), "body": "  Contribuição   0 "})]
    assert services.import_inputs(env.facilitator, workshop, respaced).created == 0
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Contribution)) == 12
    tallies_match_rows([a.id for a in env.articles])
    assert [a.details for a in audit("workshop.import_inputs", workshop)] == [
        {"created": 12, "duplicates": 0}, {"created": 0, "duplicates": 12}, {"created": 0, "duplicates": 1}]


def test_an_import_with_a_foreign_article_saves_nothing(env, create_consultation):
    workshop = new_workshop(env)
    other = created(Consultation, create_consultation, "open")
    rows = [InputRow(line=2, article_id=env.articles[0].id, kind=ContributionKind.COMMENT, stance=Stance.AGREE,
                     body="Boa.", proposed_text=None, head_count=None, group_label=None),
            InputRow(line=3, article_id=other.articles[0].id, kind=ContributionKind.COMMENT, stance=Stance.AGREE,
                     body="De outra consulta.", proposed_text=None, head_count=None, group_label=None)]
    with pytest.raises(WorkshopError, match="Linha 3"):
        services.import_inputs(env.facilitator, workshop, rows)
    assert db.session.scalar(select(func.count()).select_from(Contribution)) == 0


# -- reading ------------------------------------------------------------------------------------------------

def test_region_summary_counts_per_uf_region_and_country_with_zeros(env, create_consultation):
    sp1 = new_workshop(env)
    sp2 = new_workshop(env, municipality="Campinas")
    new_workshop(env, uf="CE", municipality="Fortaleza")  # planned, no attendance yet
    remote = new_workshop(env, format=WorkshopFormat.REMOTE, uf=None, municipality=None)
    new_workshop(env, format=WorkshopFormat.REMOTE, uf="DF", municipality=None)
    for workshop, total in ((sp1, 30), (sp2, 20), (remote, 12)):
        services.set_status(env.facilitator, workshop, WorkshopStatus.HELD)
        services.set_attendance(env.facilitator, workshop, total, {})
    inputs = [(sp1, Stance.AGREE), (sp1, Stance.DISAGREE), (sp2, Stance.PARTLY), (remote, Stance.NONE)]
    logged = [services.add_input(env.facilitator, w, article=env.articles[0], kind=ContributionKind.COMMENT,
                                 stance=s, body="Texto.", head_count=None, group_label=None)[0] for w, s in inputs]
    logged[1].visibility = Visibility.HIDDEN  # hidden by a moderator: not counted
    other = created(Consultation, create_consultation, "open")
    elsewhere = new_workshop(env, consultation=other, uf="AM", municipality="Manaus")
    services.set_attendance(env.facilitator, elsewhere, 99, {})
    db.session.commit()
    db.session.refresh(env.consultation)

    with QueryCounter() as queries:
        summary = services.region_summary(env.consultation)
    assert queries.count == 2

    assert [r.region for r in summary.regions] == list(Region)
    assert len(summary.states) == 27
    sudeste = summary.region(Region.SUDESTE)
    assert (sudeste.workshops, sudeste.held, sudeste.attendees, sudeste.contributions) == (2, 2, 50, 2)
    sp = summary.state("sp")
    assert (sp.workshops, sp.attendees, sp.contributions, sp.name) == (2, 50, 2, "São Paulo")
    assert (summary.state("CE").workshops, summary.state("CE").held, summary.state("CE").attendees) == (1, 0, 0)
    norte = summary.region(Region.NORTE)
    assert (norte.workshops, norte.attendees, norte.contributions) == (0, 0, 0)
    assert summary.state("AM").workshops == 0
    assert summary.state("DF").workshops == 1
    assert (summary.without_uf.workshops, summary.without_uf.attendees, summary.without_uf.contributions) == (1, 12, 1)
    national = summary.national
    assert (national.workshops, national.held, national.attendees, national.contributions) == (5, 3, 62, 3)
    assert summary.total is national
    assert sum(r.workshops for r in summary.regions) + summary.without_uf.workshops == national.workshops


def test_region_summary_of_a_consultation_without_workshops_is_all_zeros(env):
    summary = services.region_summary(env.consultation)
    assert len(summary.regions) == 5 and len(summary.states) == 27
    assert all((s.workshops, s.attendees, s.contributions) == (0, 0, 0) for s in summary.states)
    assert (summary.national.workshops, summary.national.attendees) == (0, 0)


def test_workshop_inputs_are_grouped_per_article_in_document_order(env):
    workshop = new_workshop(env)
    for article, body in ((env.articles[3], "Quarto"), (env.articles[0], "Primeiro"), (env.articles[3], "Quarto bis")):
        services.add_input(env.facilitator, workshop, article=article, kind=ContributionKind.COMMENT,
                           stance=Stance.AGREE, body=body, head_count=None, group_label=None)
    hidden, _ = services.add_input(env.facilitator, workshop, article=env.articles[1], kind=ContributionKind.COMMENT,
                                   stance=Stance.AGREE, body="Oculto", head_count=None, group_label=None)
    hidden.visibility = Visibility.HIDDEN
    db.session.commit()
    db.session.expire_all()
    workshop = db.session.get(Workshop, workshop.id)
    with QueryCounter() as queries:
        grouped = services.workshop_inputs(workshop)
        assert [c.author_name for _, cs in grouped for c in cs][0] == "Oficina de São Paulo/SP"
    assert queries.count == 1
    assert [(a.label, [c.body for c in cs]) for a, cs in grouped] == [
        ("Art. 1º", ["Primeiro"]), ("Recomendação 1.2", ["Quarto", "Quarto bis"])]
    everything = services.workshop_inputs(workshop, include_hidden=True)
    assert [a.label for a, _ in everything] == ["Art. 1º", "Art. 2º", "Recomendação 1.2"]



def test_workshop_input_is_dated_on_the_workshops_day_whenever_it_is_logged(env):
    held_on = (utcnow() - timedelta(days=20)).replace(microsecond=0)
    workshop = new_workshop(env, starts_at=held_on)
    typed, _ = services.add_input(env.facilitator, workshop, article=env.articles[0], kind=ContributionKind.COMMENT,
                                  stance=Stance.AGREE, body="Registrada semanas depois.", head_count=5,
                                  group_label=None)
    services.import_inputs(env.facilitator, workshop, [
        InputRow(line=2, article_id=env.articles[1].id, kind=ContributionKind.COMMENT, stance=Stance.NONE,
                 body="Importada da planilha.", proposed_text=None, head_count=None, group_label=None)])
    db.session.commit()
    dates = set(db.session.scalars(select(Contribution.created_at).where(Contribution.workshop_id == workshop.id)))
    assert dates == {held_on}
    moved = held_on - timedelta(days=3)
    services.update_workshop(env.facilitator, workshop, **details(starts_at=moved))
    db.session.commit()
    db.session.expire_all()
    dates = set(db.session.scalars(select(Contribution.created_at).where(Contribution.workshop_id == workshop.id)))
    assert dates == {moved}  # a corrected workshop date moves its input too


def test_the_migration_dates_earlier_workshop_input_on_the_workshops_day(env):
    import importlib

    migration = importlib.import_module(
        "consulta.migrations.versions.fixes_0001_workshop_input_dated_on_the_workshop")
    workshop = new_workshop(env, starts_at=START - timedelta(days=10))
    typed, _ = services.add_input(env.facilitator, workshop, article=env.articles[0], kind=ContributionKind.COMMENT,
                                  stance=Stance.AGREE, body="Registrada antes da correção.", head_count=None,
                                  group_label=None)
    online, _ = contribute(env.users["participant"], article=env.articles[0], kind=ContributionKind.COMMENT,
                           stance=Stance.AGREE, body="Pela internet.")
    typed.created_at = online.created_at = utcnow()  # as the first version stored them
    db.session.commit()
    online_at = online.created_at
    migration.backfill(db.session.connection())
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Contribution, typed.id).created_at == workshop.starts_at
    assert db.session.get(Contribution, online.id).created_at == online_at  # online input keeps its time
