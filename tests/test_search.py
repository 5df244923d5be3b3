"""Search of contributions (/consultas/<slug>/busca), on the suite's database: SQLite FTS5 or PostgreSQL tsvector."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text

from consulta.extensions import db
from consulta.models import (
    AccountKind,
    Article,
    Channel,
    Consultation,
    Contribution,
    ContributionKind,
    ResponseStatus,
    Role,
    Stance,
    User,
    Visibility,
    Workshop,
    WorkshopFormat,
)
from consulta.search import backends, snippets
from consulta.search.filters import query_from_args
from tests.conftest import POSTGRES_URL
from tests.test_migrations import empty_database_url  # noqa: F401  (fixture)

RESULT_ID = re.compile(r'id="resultado-(\d+)"')


@pytest.fixture
def world(app, create_consultation, create_user):
    """An open consultation with two articles, a person, an organization, workshops in PA and RS, a facilitator."""
    consultation = create_consultation()
    person = create_user(name="Maria Leitora")
    org = create_user(name="Instituto Conecta", kind=AccountKind.ORGANIZATION, cnpj="11222333000181")
    facilitator = create_user(Role.FACILITATOR, name="Facilitadora")
    with app.app_context():
        articles = db.session.scalars(select(Article).where(Article.consultation_id == consultation.id)
                                      .order_by(Article.position)).all()
        workshops = {}
        for uf, city in (("PA", "Belém"), ("RS", "Porto Alegre")):
            w = Workshop(consultation_id=consultation.id, facilitator_id=facilitator.id, title=f"Oficina {city}",
                         format=WorkshopFormat.IN_PERSON, starts_at=datetime(2024, 5, 2, 13, tzinfo=UTC), uf=uf,
                         municipality_name=city)
            db.session.add(w)
            db.session.flush()
            workshops[uf] = w.id
        db.session.commit()
        return {"slug": consultation.slug, "id": consultation.id, "articles": [a.id for a in articles],
                "person": person.id, "org": org.id, "facilitator": facilitator.id, "workshops": workshops}


@pytest.fixture
def add(app, world):
    """Factory: a committed contribution in the world's consultation; returns its id."""
    clock = iter(range(1, 100_000))

    def make(body: str, *, author: str = "person", article: int = 0, workshop: str | None = None, **fields) -> int:
        with app.app_context():
            c = Contribution(
                consultation_id=world["id"], article_id=world["articles"][article], body=body,
                author_id=world["facilitator" if workshop else author],
                workshop_id=world["workshops"][workshop] if workshop else None,
                channel=Channel.WORKSHOP if workshop else Channel.ONLINE,
                created_at=datetime(2026, 11, 1, tzinfo=UTC) + timedelta(minutes=next(clock)), **fields,
            )
            db.session.add(c)
            db.session.commit()
            return c.id

    return make


def found(client, slug: str, **args) -> list[int]:
    """The ids of the results, in order, of a search with these query-string arguments (followed to the
    canonical URL when they are not written canonically)."""
    response = client.get(f"/consultas/{slug}/busca", query_string=args, follow_redirects=True)
    assert response.status_code == 200, response.status_code
    return [int(i) for i in RESULT_ID.findall(response.get_data(as_text=True))]


def test_words_are_found_whatever_the_accents_and_case(client, world, add):
    accented = add("A informação pública precisa ser clara.")
    plain = add("Falta informacao sobre prazos.")
    add("Nada a ver com o tema.")
    assert sorted(found(client, world["slug"], q="informacao")) == sorted([accented, plain])
    assert sorted(found(client, world["slug"], q="INFORMAÇÃO")) == sorted([accented, plain])


@pytest.mark.postgres
def test_postgresql_stems_portuguese_words(client, world, add):
    singular = add("A informação do cidadão deve ser protegida.")
    add("Um texto sobre outra coisa.")
    assert found(client, world["slug"], q="informações") == [singular]
    assert found(client, world["slug"], q="cidadãos") == [singular]


def test_every_word_must_appear(client, world, add):
    both = add("O CPF e a conta gov.br juntos.")
    add("Só o CPF aqui.")
    assert found(client, world["slug"], q="cpf gov.br") == [both]


def test_the_most_relevant_comes_first(client, world, add):
    passing = add("Um texto longo sobre muitas coisas diferentes, governança, prazos, orçamento, metas e, "
                  "de passagem, interoperabilidade entre sistemas, entre outras questões de gestão pública.")
    focused = add("Interoperabilidade! Interoperabilidade entre órgãos é a base da interoperabilidade.")
    assert found(client, world["slug"], q="interoperabilidade") == [focused, passing]


def test_sorts_by_support_replies_and_date(client, world, add):
    a = add("acessibilidade um", support_count=5, reply_count=0)
    b = add("acessibilidade dois", support_count=1, reply_count=7)
    c = add("acessibilidade três", support_count=3, reply_count=2)
    slug = world["slug"]
    assert found(client, slug, q="acessibilidade", ordem="apoiadas") == [a, c, b]
    assert found(client, slug, q="acessibilidade", ordem="respostas") == [b, c, a]
    assert found(client, slug, q="acessibilidade", ordem="recentes") == [c, b, a]
    assert found(client, slug, ordem="relevancia") == [c, b, a]  # no words: relevance means newest


def test_filters_narrow_the_results(app, client, world, add):
    slug = world["slug"]
    online = add("dados abertos agora", stance=Stance.AGREE, kind=ContributionKind.COMMENT)
    org = add("dados abertos sempre", author="org", stance=Stance.DISAGREE, kind=ContributionKind.REMOVAL,
              response_status=ResponseStatus.ACCEPTED, response_text="Acolhida.")
    in_para = add("dados abertos na oficina", workshop="PA", article=1, response_status=ResponseStatus.UNDER_REVIEW)
    in_rs = add("dados abertos no sul", workshop="RS", article=1)
    q = "dados abertos"
    assert sorted(found(client, slug, q=q)) == sorted([online, org, in_para, in_rs])
    assert found(client, slug, q=q, posicao="disagree") == [org]
    assert found(client, slug, q=q, tipo="removal") == [org]
    assert sorted(found(client, slug, q=q, canal="workshop")) == sorted([in_para, in_rs])
    assert found(client, slug, q=q, canal="online", autor="pessoa") == [online]
    assert found(client, slug, q=q, autor="organizacao") == [org]
    assert found(client, slug, q=q, uf="PA") == [in_para]
    assert found(client, slug, q=q, uf="pa") == [in_para]
    assert found(client, slug, q=q, regiao="sul") == [in_rs]
    assert found(client, slug, q=q, regiao="sul", uf="PA") == []  # Pará is not in the South
    assert found(client, slug, q=q, resposta="com") == [org]
    assert sorted(found(client, slug, q=q, resposta="sem")) == sorted([online, in_para, in_rs])
    assert sorted(found(client, slug, q=q, artigo=world["articles"][1])) == sorted([in_para, in_rs])
    # unknown values are ignored, not errors
    assert len(found(client, slug, q=q, posicao="talvez", uf="XX", regiao="lua", autor="robô", artigo="-1")) == 4


def test_the_state_links_keep_the_words_and_filters(client, world, add):
    add("CPF na oficina", workshop="PA")
    html = client.get(f"/consultas/{world['slug']}/busca?q=CPF&posicao=agree").get_data(as_text=True)
    link = re.search(r'<a href="([^"]+)">Pará</a>', html)
    assert link is not None
    assert "q=CPF" in link.group(1) and "uf=PA" in link.group(1) and "posicao=agree" in link.group(1)


def test_results_are_paginated_with_the_filters_in_the_links(client, world, add):
    ids = [add(f"conectividade escolar número {n}") for n in range(25)]
    slug = world["slug"]
    first = found(client, slug, q="conectividade", ordem="recentes")
    second = found(client, slug, q="conectividade", ordem="recentes", pagina="2")
    assert first == ids[::-1][:20] and second == ids[::-1][20:]
    html = client.get(f"/consultas/{slug}/busca?q=conectividade&ordem=recentes").get_data(as_text=True)
    assert "25 contribuições encontradas" in html and "Página 1 de 2" in html
    assert re.search(r'href="/consultas/[^"]+/busca\?q=conectividade&amp;ordem=recentes&amp;pagina=2"', html)
    beyond = client.get(f"/consultas/{slug}/busca?q=conectividade&pagina=99")
    assert beyond.status_code == 200 and "Esta página não existe" in beyond.get_data(as_text=True)
    assert found(client, slug, q="conectividade", pagina="²") == found(client, slug, q="conectividade")


def test_hidden_pending_withdrawn_and_other_consultations_are_never_found(client, world, add, create_consultation,
                                                                           app):
    visible = add("segredo público")
    for state in (Visibility.HIDDEN, Visibility.PENDING, Visibility.WITHDRAWN):
        add("segredo público escondido", visibility=state)
    other = create_consultation()
    with app.app_context():
        db.session.add(Contribution(consultation_id=other.id, article_id=db.session.scalar(
            select(Article.id).where(Article.consultation_id == other.id).limit(1)), body="segredo público",
            author_id=world["person"]))
        db.session.commit()
    assert found(client, world["slug"], q="segredo") == [visible]
    draft = create_consultation("draft")
    assert client.get(f"/consultas/{draft.slug}/busca?q=segredo").status_code == 404


def test_a_contribution_hidden_later_disappears_and_an_edit_is_reindexed(app, client, world, add):
    cid = add("biometria obrigatória")
    assert found(client, world["slug"], q="biometria") == [cid]
    with app.app_context():
        c = db.session.get(Contribution, cid)
        c.body = "reconhecimento facial opcional"
        db.session.commit()
    assert found(client, world["slug"], q="biometria") == []
    assert found(client, world["slug"], q="facial") == [cid]
    with app.app_context():
        db.session.get(Contribution, cid).visibility = Visibility.HIDDEN
        db.session.commit()
    assert found(client, world["slug"], q="facial") == []
    with app.app_context():
        db.session.delete(db.session.get(Contribution, cid))
        db.session.commit()
    assert found(client, world["slug"], q="facial") == []


def test_personal_data_is_neither_searchable_nor_shown(client, world, add):
    cid = add("Meu CPF é 529.982.247-25 e meu e-mail é maria.secreta@exemplo.com.br, telefone (91) 98765-4321.")
    slug = world["slug"]
    assert found(client, slug, q="CPF") == [cid]
    for probe in ("529.982.247-25", "529982247", "982", "maria.secreta", "exemplo.com.br", "98765"):
        assert found(client, slug, q=probe) == [], probe
    html = client.get(f"/consultas/{slug}/busca?q=CPF").get_data(as_text=True)
    assert "529.982" not in html and "maria.secreta" not in html and "98765" not in html


def test_a_deleted_author_is_shown_as_removed_and_is_no_longer_a_person(app, client, world, add):
    from consulta.auth.services import delete_account

    cid = add("governança federativa compartilhada")
    with app.app_context():
        delete_account(db.session.get(User, world["person"]))
        db.session.commit()
    html = client.get(f"/consultas/{world['slug']}/busca?q=governança").get_data(as_text=True)
    assert f'id="resultado-{cid}"' in html and "Participante removido" in html and "Maria Leitora" not in html
    assert found(client, world["slug"], q="governança", autor="pessoa") == []


def test_snippets_mark_the_words_and_escape_user_text(client, world, add):
    add('<script>alert("x")</script> <b>negrito</b> e a palavra transparência no meio.')
    html = client.get(f"/consultas/{world['slug']}/busca?q=transparencia").get_data(as_text=True)
    assert "<script>alert" not in html and "<b>negrito" not in html
    assert "&lt;script&gt;" in html and "<mark>transparência</mark>" in html


def test_snippet_segments_keep_positions_and_cut_long_texts():
    text = "Início. " + "palavra " * 60 + "A Informação chega aqui. " + "fim " * 80
    parts, hit = snippets.segments(text, ["informacao"])
    assert hit and ("Informação", True) in parts
    assert parts[0] == ("… ", False) and parts[-1] == (" …", False)
    assert sum(len(t) for t, _ in parts) < 300
    assert snippets.segments("nada aqui", ["cpf"]) == ([("nada aqui", False)], False)
    assert snippets.fold("İstanbul Ação") .__len__() == len("İstanbul Ação")


def test_the_fts5_query_quotes_every_word():
    assert backends.words('"NEAR(a* b) -c:^d OR e "" *') == ["NEAR(a*", "b)", "-c:^d", "OR", "e"]
    assert backends.fts5_query(["NEAR(a*", "b)"]) == 'search_text : "NEAR(a*" AND search_text : "b)"'
    assert backends.fts5_query(["x"], [["t0ayes"], ["t0w1", "t0w2"]]) == (
        'search_text : "x" AND (search_tags : "t0ayes") AND (search_tags : "t0w1" OR search_tags : "t0w2")')
    assert backends.plain_words(["NEAR(a*", "gov.br"]) == ["NEAR", "a", "gov", "br"]
    assert len(backends.words("palavra " * 100)) == 1
    assert len(backends.words(" ".join(f"p{n}" for n in range(50)))) == backends.MAX_WORDS


def test_the_query_string_is_read_defensively():
    query = query_from_args({"q": "x" * 5000, "ordem": "aleatória", "pagina": "0", "artigo": "99999999999"})
    assert len(query.q) == 200 and query.sort == "" and query.page == 1 and query.article_id is None


def test_the_page_is_public_cacheable_and_htmx_gets_the_fragment(client, world, add):
    add("plano de dados")
    response = client.get(f"/consultas/{world['slug']}/busca?q=dados")
    assert "public" in response.headers["Cache-Control"]
    assert "HX-Request" in response.headers.get("Vary", "")
    html = response.get_data(as_text=True)
    assert 'hx-push-url="true"' in html and 'method="get"' in html and "<html" in html
    fragment = client.get(f"/consultas/{world['slug']}/busca?q=dados", headers={"HX-Request": "true"})
    body = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and "<html" not in body and "1 contribuição encontrada" in body


def test_the_consultation_and_article_pages_lead_to_the_search(client, world):
    slug, article = world["slug"], world["articles"][0]
    page = client.get(f"/consultas/{slug}").get_data(as_text=True)
    assert f'action="/consultas/{slug}/busca"' in page
    article_page = client.get(f"/consultas/{slug}/artigos/{article}").get_data(as_text=True)
    assert f'action="/consultas/{slug}/busca"' in article_page
    assert f'name="artigo" value="{article}"' in article_page


def test_workshop_spreadsheet_rows_are_searchable(app, client, world):
    from consulta.workshops import services as workshop_services
    from consulta.workshops.spreadsheets import InputRow

    with app.app_context():
        facilitator = db.session.get(User, world["facilitator"])
        workshop = db.session.get(Workshop, world["workshops"]["PA"])
        row = InputRow(line=2, article_id=world["articles"][0], kind=ContributionKind.COMMENT, stance=Stance.AGREE,
                       body="Quilombolas pedem atendimento presencial; contato: fulano@exemplo.com.br",
                       proposed_text=None, head_count=12, group_label="Mesa 1")
        workshop_services.import_inputs(facilitator, workshop, [row])
        db.session.commit()
    ids = found(client, world["slug"], q="quilombolas", uf="PA")
    assert len(ids) == 1
    assert found(client, world["slug"], q="fulano") == []


@pytest.fixture
def seeded(add) -> int:
    return add("informação sobre o CPF")


BAD = st.one_of(
    st.text(max_size=300),
    st.lists(st.sampled_from(['"', "*", "NEAR(", "-", ":", "^", "(", ")", "AND", "OR", "NOT", "\x00", "'",
                              "\\", "%", "_", "{", "}", "+", "informação", "CPF", " "]), max_size=40).map("".join),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(q=BAD, filter_value=st.text(max_size=20))
def test_bad_input_never_fails(client, world, seeded, q, filter_value):
    args = {"q": q, "posicao": filter_value, "canal": filter_value, "uf": filter_value, "regiao": filter_value,
            "autor": filter_value, "resposta": filter_value, "artigo": filter_value, "ordem": filter_value,
            "pagina": filter_value, "tipo": filter_value}
    response = client.get(f"/consultas/{world['slug']}/busca", query_string=args, follow_redirects=True)
    assert response.status_code == 200
    assert len(response.history) <= 1, "one redirect at most, to the canonical URL, which is served as it is"


def test_the_index_has_the_expected_engine(app):
    with app.app_context():
        if POSTGRES_URL:
            column = db.session.scalar(text(
                "SELECT data_type FROM information_schema.columns WHERE table_name = 'contributions' "
                "AND column_name = 'search_vector'"))
            assert column == "tsvector"
            index = db.session.scalar(text(
                "SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_contributions_search_vector'"))
            assert "USING gin" in index and "fastupdate=off" in index
        else:
            sql = db.session.scalar(text("SELECT sql FROM sqlite_master WHERE name = 'contributions_fts'"))
            assert "fts5" in sql and "remove_diacritics 2" in sql


def _old_consultation(connection, now: datetime) -> tuple[int, int]:
    """An open consultation with one article, written with SQL as an older schema holds them: (its id, the
    article's id)."""
    consultation_id = connection.execute(text(
        "INSERT INTO consultations (slug, title, summary, intro, status, created_at, updated_at) "
        "VALUES ('antiga', 'Antiga', '', '', 'open', :now, :now) RETURNING id"), {"now": now}).scalar()
    article_id = connection.execute(text(
        "INSERT INTO articles (consultation_id, position, kind, number, label, body, body_html, "
        "accepts_votes, accepts_contributions) VALUES (:c, 1, 'article', '1', 'Art. 1º', 'Texto', "
        "'<p>Texto</p>', false, true) RETURNING id"), {"c": consultation_id}).scalar()
    return consultation_id, article_id


def test_the_migration_indexes_the_contributions_already_there(empty_database_url):  # noqa: F811 (the fixture)
    """search0001 on a database with contributions: they are found (masked), the index follows new writes."""
    from flask_migrate import downgrade, upgrade

    from consulta import create_app
    from consulta.search import services as search_services
    from consulta.search.filters import SearchQuery

    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database_url, "SECRET_KEY": "x", "TESTING": True,
                      "RATELIMIT_STORAGE_URI": "memory://"})
    now = datetime(2026, 11, 1, tzinfo=UTC)
    with app.app_context():
        upgrade(revision="mail0001")
        with db.engine.begin() as connection:
            consultation_id, article_id = _old_consultation(connection, now)
            for body in ("Contribuição antiga sobre interoperabilidade, CPF 529.982.247-25.", "Outra sobre prazos."):
                connection.execute(text(
                    "INSERT INTO contributions (consultation_id, article_id, kind, stance, channel, body, visibility, "
                    "support_count, reply_count, report_count, created_at) VALUES (:c, :a, 'comment', 'none', "
                    "'online', :body, 'visible', 0, 0, 0, :now)"), {"c": consultation_id, "a": article_id,
                                                                    "body": body, "now": now})
        upgrade()
        consultation = db.session.get(Consultation, consultation_id)
        hits = search_services.search(consultation, SearchQuery(q="interoperabilidade")).results
        assert [r.contribution.body[:22] for r in hits] == ["Contribuição antiga so"]
        assert search_services.search(consultation, SearchQuery(q="529")).results == []
        db.session.add(Contribution(consultation_id=consultation_id, article_id=article_id, body="nova sobre prazos"))
        db.session.commit()
        assert len(search_services.search(consultation, SearchQuery(q="prazos")).results) == 2
        db.session.remove()
        downgrade(revision="mail0001")
        db.engine.dispose()


# -- one clean URL per search ---------------------------------------------------------------------------------

def test_the_plain_form_is_redirected_to_the_clean_url(client, world):
    """The form without JavaScript sends every field, empty ones included, and the sort shown: the server
    answers with 302 to the same search written canonically (no empty argument, no default sort)."""
    slug = world["slug"]
    sent = ("q=cpf&artigo=&posicao=&tipo=&canal=workshop&regiao=&uf=pa&autor=&resposta=&ordem=relevancia")
    response = client.get(f"/consultas/{slug}/busca?{sent}")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/consultas/{slug}/busca?q=cpf&canal=workshop&uf=PA"
    # a sort that is not the default one stays; so does an argument that is not the search's (not empty)
    response = client.get(f"/consultas/{slug}/busca?q=&ordem=apoiadas&lang=en&x=")
    assert response.headers["Location"] == f"/consultas/{slug}/busca?ordem=apoiadas&lang=en"
    assert client.get(f"/consultas/{slug}/busca?q=").headers["Location"] == f"/consultas/{slug}/busca"
    # never as url_for's own arguments: the route's slug (a 500 before), _scheme, _external
    response = client.get(f"/consultas/{slug}/busca?q=cpf&slug=outra&_scheme=javascript&_external=1")
    assert response.status_code == 302 and response.headers["Location"] == f"/consultas/{slug}/busca?q=cpf"


@pytest.mark.parametrize("clean", ["", "?q=cpf", "?q=cpf&uf=PA&ordem=recentes&pagina=2", "?uf=PA&q=cpf",
                                   "?ordem=apoiadas&lang=en"])
def test_a_clean_url_is_served_as_it_is(client, world, clean):
    response = client.get(f"/consultas/{world['slug']}/busca{clean}")
    assert response.status_code == 200 and "Location" not in response.headers


def test_htmx_gets_the_results_at_once_and_the_clean_url_to_push(client, world, add):
    add("CPF na oficina", workshop="PA")
    slug = world["slug"]
    response = client.get(f"/consultas/{slug}/busca?q=cpf&posicao=&canal=&uf=PA&ordem=relevancia&pagina=",
                          headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.headers["HX-Push-Url"] == f"/consultas/{slug}/busca?q=cpf&uf=PA"
    clean = client.get(f"/consultas/{slug}/busca?q=cpf&uf=PA", headers={"HX-Request": "true"})
    assert clean.headers["HX-Push-Url"] == f"/consultas/{slug}/busca?q=cpf&uf=PA"


def test_the_pushed_url_survives_the_page_cache(make_app, create_consultation):
    app = make_app(PAGE_CACHE_SECONDS=60)
    slug = create_consultation("open").slug
    reader = app.test_client()
    for _ in range(2):  # the second answer comes from the cache
        response = reader.get(f"/consultas/{slug}/busca?q=&uf=PA", headers={"HX-Request": "true"})
        assert "public" in response.headers["Cache-Control"]
        assert response.headers["HX-Push-Url"] == f"/consultas/{slug}/busca?uf=PA"


def test_the_count_is_in_a_live_region_that_htmx_updates_out_of_band(client, world, add):
    add("plano de dados")
    add("dados abertos")
    slug = world["slug"]
    page = client.get(f"/consultas/{slug}/busca?q=dados").get_data(as_text=True)
    region = re.search(r'<div id="resultados-resumo" role="status" aria-live="polite"[^>]*>(.*?)</div>', page, re.S)
    assert region is not None and "2 contribuições encontradas" in region.group(1)
    assert page.count('id="resultados-resumo"') == 1
    fragment = client.get(f"/consultas/{slug}/busca?q=plano", headers={"HX-Request": "true"}).get_data(as_text=True)
    oob = re.search(r'<div id="resultados-resumo" hx-swap-oob="innerHTML">(.*?)</div>', fragment, re.S)
    assert oob is not None and "1 contribuição encontrada" in oob.group(1)


def test_the_sort_menu_shows_a_chosen_sort_and_otherwise_the_default(client, world):
    slug = world["slug"]
    chosen = client.get(f"/consultas/{slug}/busca?q=cpf&ordem=apoiadas").get_data(as_text=True)
    assert re.search(r'<option value="apoiadas" selected>', chosen)
    default = client.get(f"/consultas/{slug}/busca?q=cpf").get_data(as_text=True)
    menu = default[default.index('<select id="ordem"'):]
    menu = menu[:menu.index("</select>")]
    assert '<option value="">' in menu and "selected" not in menu  # the first option: the default sort


def _index_is_consistent() -> bool:
    """Whether every contribution's filter tokens are the ones its row gives (and, on SQLite, FTS5 agrees)."""
    from consulta.search import schema

    stale = db.session.scalar(text(
        f"SELECT count(*) FROM contributions WHERE search_tags IS NULL "  # noqa: S608
        f"OR search_tags <> {schema.tags_expression('contributions')}"))
    if not POSTGRES_URL:
        db.session.execute(text("INSERT INTO contributions_fts(contributions_fts, rank) VALUES ('integrity-check', 1)"))
    return stale == 0


def test_filter_tokens_follow_answers_edits_moves_and_the_authors_kind(app, client, world, add):
    from sqlalchemy import update

    slug, q = world["slug"], "telemedicina"
    cid = add("telemedicina nas áreas rurais", stance=Stance.AGREE)
    workshop = add("telemedicina na oficina", workshop="PA")
    assert found(client, slug, q=q, resposta="sem") == [workshop, cid]
    assert found(client, slug, q=q, resposta="com") == []
    with app.app_context():
        c = db.session.get(Contribution, cid)
        c.response_status, c.response_text = ResponseStatus.PARTLY_ACCEPTED, "Em parte."
        c.stance, c.article_id, c.body = Stance.DISAGREE, world["articles"][1], "telemedicina nas comunidades rurais"
        db.session.commit()
        assert _index_is_consistent()
    assert found(client, slug, q=q, resposta="com") == [cid] and found(client, slug, q=q, resposta="sem") == [workshop]
    assert found(client, slug, q=q, posicao="disagree") == [cid] and found(client, slug, q=q, posicao="agree") == []
    assert found(client, slug, q=q, artigo=world["articles"][1]) == [cid]
    assert found(client, slug, q="comunidades", artigo=world["articles"][1], resposta="com") == [cid]
    with app.app_context():  # bulk statements bypass the ORM: the database keeps the tokens itself
        db.session.execute(update(Contribution).where(Contribution.id == cid).values(response_status=None))
        db.session.execute(update(User).where(User.id == world["person"]).values(kind=AccountKind.ORGANIZATION))
        db.session.commit()
        assert _index_is_consistent()
    assert found(client, slug, q=q, resposta="sem") == [workshop, cid]
    assert found(client, slug, q=q, autor="organizacao") == [cid] and found(client, slug, q=q, autor="pessoa") == []
    assert found(client, slug, q=q, uf="PA") == [workshop] and found(client, slug, q=q, regiao="sul") == []
    with app.app_context():
        db.session.get(Contribution, cid).visibility = Visibility.HIDDEN
        db.session.commit()
        db.session.delete(db.session.get(Contribution, workshop))
        db.session.commit()
        assert _index_is_consistent()
    assert found(client, slug, q=q) == [] and found(client, slug, q=q, resposta="sem") == []


def test_the_filter_tokens_migration_fills_them_and_its_downgrade_keeps_the_search(empty_database_url):  # noqa: F811
    """search20001 on a database with contributions: the filters find them through the index; downgraded, the
    text-only index of search0001 is back and follows new rows."""
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import inspect

    from consulta import create_app
    from consulta.search import services as search_services
    from consulta.search.filters import SearchQuery

    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database_url, "SECRET_KEY": "x", "TESTING": True,
                      "RATELIMIT_STORAGE_URI": "memory://"})
    now = datetime(2026, 11, 1, tzinfo=UTC)

    def hits(consultation_id: int, **filters) -> list[str]:
        consultation = db.session.get(Consultation, consultation_id)
        return [r.contribution.body for r in search_services.search(consultation, SearchQuery(**filters)).results]

    with app.app_context():
        upgrade(revision="uploads0002")
        with db.engine.begin() as connection:
            consultation_id, article_id = _old_consultation(connection, now)
            for body, status in (("Prazos respondidos.", "accepted"), ("Prazos esquecidos.", None)):
                connection.execute(text(
                    "INSERT INTO contributions (consultation_id, article_id, kind, stance, channel, body, search_text, "
                    "visibility, support_count, reply_count, report_count, response_status, created_at) VALUES "
                    "(:c, :a, 'comment', 'none', 'online', :body, :body, 'visible', 0, 0, 0, :status, :now)"),
                    {"c": consultation_id, "a": article_id, "body": body, "status": status, "now": now})
        upgrade()
        assert hits(consultation_id, q="prazos", answered="com") == ["Prazos respondidos."]
        assert hits(consultation_id, q="prazos", answered="sem") == ["Prazos esquecidos."]
        assert _index_is_consistent()
        db.session.remove()
        downgrade(revision="uploads0002")
        db.session.add(Contribution(consultation_id=consultation_id, article_id=article_id, body="prazos novos",
                                    search_text="prazos novos"))
        db.session.commit()
        columns = {c["name"] for c in inspect(db.engine).get_columns("contributions")}
        assert "search_tags" not in columns
        if POSTGRES_URL:
            matched = ("SELECT count(*) FROM contributions "
                       "WHERE search_vector @@ plainto_tsquery('portuguese', 'prazos')")
        else:
            matched = "SELECT count(*) FROM contributions_fts WHERE contributions_fts MATCH 'prazos'"
        assert db.session.scalar(text(matched)) == 3  # the text-only index of search0001, kept up to date
        db.session.remove()
        downgrade(revision="base")
        db.engine.dispose()
