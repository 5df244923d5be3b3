"""Workshop spreadsheets: templates, CSV/XLSX parsing with row-level errors, broken files, a 10,000-row import."""

import codecs
import csv
import io
import random
import zipfile
from datetime import timedelta

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import event, func, select

from consulta.extensions import db
from consulta.models import (
    Article,
    Audience,
    Consultation,
    Contribution,
    ContributionKind,
    Sector,
    Stance,
    User,
    WorkshopFormat,
    utcnow,
)
from consulta.participation.services import STANCE_COLUMNS
from consulta.workshops import services, spreadsheets
from consulta.workshops.spreadsheets import INPUT_COLUMNS, RowError

BULLET_DRAFT = """# Capítulo I

Art. 1º Primeiro artigo.

Art. 2º Segundo artigo.

# Anexo

- Primeira recomendação em lista.
- Segunda recomendação em lista.
"""


@pytest.fixture
def env(app_ctx, create_user, create_consultation):
    """An open consultation with the small draft, its articles by label, and a facilitator's workshop."""
    made, facilitator_id = create_consultation("open"), create_user("facilitator").id
    consultation = db.session.get(Consultation, made.id)
    facilitator = db.session.get(User, facilitator_id)
    workshop = services.create_workshop(
        facilitator, consultation, title="Oficina de Fortaleza", format=WorkshopFormat.IN_PERSON,
        starts_at=utcnow() - timedelta(days=1), uf="CE", municipality="Fortaleza", venue=None,
        audience=Audience.GENERAL)
    db.session.commit()
    ids = {a.label: a.id for a in consultation.articles}
    return type("Env", (), {"consultation": consultation, "facilitator": facilitator, "workshop": workshop,
                            "ids": ids})


def csv_file(rows, sep=";", encoding="utf-8", bom=False, newline="\r\n") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=sep, lineterminator=newline).writerows(rows)
    data = buffer.getvalue().encode(encoding)
    return (codecs.BOM_UTF8 + data) if bom else data


def xlsx_file(rows, title="Relato") -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


HEADER = ["dispositivo", "tipo", "posicao", "texto", "texto_proposto", "pessoas_apoiando", "grupo"]


def row(article="Art. 1º", kind="", stance="", body="Texto da sala.", proposed="", count="", group=""):
    return [article, kind, stance, body, proposed, count, group]


def parse(env, data, filename="relato.csv"):
    return spreadsheets.parse_inputs(data, filename, env.consultation)


def only_error(result) -> RowError:
    assert not result.ok and len(result.errors) == 1, result.errors
    return result.errors[0]


# -- templates ----------------------------------------------------------------------------------------------

def test_csv_template_has_a_bom_semicolons_and_one_row_per_article(env):
    data = spreadsheets.input_template_csv(env.consultation)
    assert data.startswith(codecs.BOM_UTF8)
    lines = data[3:].decode("utf-8").split("\r\n")
    assert lines[0] == ";".join(INPUT_COLUMNS)
    assert lines[1:5] == ["Art. 1º;;;;;;", "Art. 2º;;;;;;", "Recomendação 1.1;;;;;;", "Recomendação 1.2;;;;;;"]
    assert lines[5:] == [""]
    assert spreadsheets.attendee_template_csv() == codecs.BOM_UTF8 + b"nome;organizacao;setor;uf\r\n"


def test_the_blank_template_is_refused_and_a_filled_row_of_it_is_read(env):
    data = spreadsheets.input_template_csv(env.consultation)
    blank = parse(env, data)
    assert blank.skipped == 4
    assert "Nenhuma linha preenchida" in only_error(blank).message
    filled = data.replace("Recomendação 1.1;;;;;;".encode(), "Recomendação 1.1;;Concordo;Boa ideia.;;7;".encode())
    result = parse(env, filled)
    assert result.ok and result.skipped == 3
    assert [(r.line, r.article_id, r.stance, r.head_count) for r in result.rows] == [
        (4, env.ids["Recomendação 1.1"], Stance.AGREE, 7)]


def test_xlsx_template_has_dropdowns_the_articles_and_instructions(env):
    workbook = load_workbook(io.BytesIO(spreadsheets.input_template_xlsx(env.consultation)))
    assert workbook.sheetnames == ["Relato", "Dispositivos", "Instruções"]
    sheet = workbook["Relato"]
    assert [c.value for c in sheet[1]] == INPUT_COLUMNS
    assert [sheet.cell(row=r, column=1).value for r in range(2, 6)] == list(env.ids)
    formulas = {str(v.sqref).split(":")[0]: v.formula1 for v in sheet.data_validations.dataValidation}
    assert formulas["B2"] == '"Comentário,Nova redação,Supressão"'
    assert formulas["C2"] == '"Concordo,Concordo em parte,Discordo,Sem posição"'
    assert formulas["A2"] == "=Dispositivos!$A$2:$A$5"
    reference = workbook["Dispositivos"]
    assert [reference.cell(row=2, column=c).value for c in (1, 2)] == ["Art. 1º", "Fica instituída a Estratégia de teste."]
    instructions = " ".join(str(c.value) for r in workbook["Instruções"].iter_rows() for c in r if c.value)
    assert "pessoas_apoiando" in instructions and "não duplica" in instructions


def test_xlsx_template_keeps_text_that_looks_like_a_formula(app_ctx, create_consultation):
    consultation = db.session.get(Consultation, create_consultation(
        "open", text="Art. 1º =SOMA(A1:A9) não é fórmula.\n").id)
    reference = load_workbook(io.BytesIO(spreadsheets.input_template_xlsx(consultation)))["Dispositivos"]
    assert reference["B2"].data_type == "s" and reference["B2"].value == "'=SOMA(A1:A9) não é fórmula."


def test_a_filled_xlsx_template_is_read_back(env):
    workbook = load_workbook(io.BytesIO(spreadsheets.input_template_xlsx(env.consultation)))
    sheet = workbook["Relato"]
    sheet["B3"], sheet["C3"], sheet["D3"], sheet["F3"] = "Supressão", "Discordo", "Retirar o inciso II.", 12
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = parse(env, buffer.getvalue(), "relato.xlsx")
    assert result.ok, result.errors
    assert [(r.line, r.article_id, r.kind, r.stance, r.head_count) for r in result.rows] == [
        (3, env.ids["Art. 2º"], ContributionKind.REMOVAL, Stance.DISAGREE, 12)]


# -- encodings, separators, line endings --------------------------------------------------------------------

@pytest.mark.parametrize("sep", [";", ",", "\t"])
@pytest.mark.parametrize("bom", [False, True])
@pytest.mark.parametrize("newline", ["\r\n", "\n"])
def test_separators_bom_and_line_endings(env, sep, bom, newline):
    data = csv_file([HEADER, row(body="Um, dois; três."), row("Art. 2º", body="Quatro")], sep=sep, bom=bom,
                    newline=newline)
    result = parse(env, data)
    assert result.ok and not result.warnings, (result.errors, result.warnings)
    assert [(r.line, r.body) for r in result.rows] == [(2, "Um, dois; três."), (3, "Quatro")]


def test_excel_sep_hint_line_is_understood(env):
    data = b"sep=,\r\n" + csv_file([HEADER, row(body="Texto")], sep=",")
    result = parse(env, data)
    assert result.ok and result.rows[0].line == 3


def test_latin1_file_is_accepted_with_a_warning(env):
    data = csv_file([HEADER, row(body="Participação e opinião"), row(stance="Sem posição", kind="Supressão")],
                    encoding="cp1252")
    result = parse(env, data)
    assert result.ok, result.errors
    assert result.rows[0].body == "Participação e opinião"
    assert (result.rows[1].kind, result.rows[1].stance) == (ContributionKind.REMOVAL, Stance.NONE)
    assert len(result.warnings) == 1 and "Latin-1" in result.warnings[0]


def test_utf16_with_bom_is_accepted_and_without_bom_refused(env):
    text = "\t".join(HEADER) + "\r\n" + "\t".join(row(body="Coração")) + "\r\n"
    assert parse(env, text.encode("utf-16")).rows[0].body == "Coração"  # Excel's "Texto Unicode"
    error = only_error(parse(env, text.encode("utf-16-le")))
    assert error.line == 0 and "UTF-16" in error.message


def test_binary_junk_is_refused(env):
    junk = random.Random(7).randbytes(4000)
    error = only_error(parse(env, junk))
    assert error.line == 0 and "CSV" in error.message
    no_nulls = bytes(b for b in junk if b)  # still binary, without the telltale NUL bytes
    assert "caracteres de controle" in only_error(parse(env, no_nulls)).message


def test_multiline_cells_keep_later_line_numbers_exact(env):
    data = csv_file([HEADER, row(body="Primeira linha\nsegunda linha\nterceira"), row(article="Art. 99")])
    result = parse(env, data)
    error = only_error(result)
    assert (error.line, error.column) == (5, "dispositivo")


# -- header -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("data", [b"", b"   \r\n\r\n", codecs.BOM_UTF8])
def test_empty_file_is_refused(env, data):
    error = only_error(parse(env, data))
    assert error.line == 0 and "vazio" in error.message


@pytest.mark.parametrize("data", [csv_file([HEADER]), csv_file([HEADER, [""] * 7, []])])
def test_header_only_is_refused(env, data):
    assert "Nenhuma linha preenchida" in only_error(parse(env, data)).message


def test_missing_required_columns_are_named_in_one_error(env):
    error = only_error(parse(env, csv_file([["tipo", "posicao"], ["comentário", "concordo"]])))
    assert error.line == 1
    assert 'Faltam colunas obrigatórias: "dispositivo", "texto"' in error.message


def test_extra_columns_are_named(env):
    error = only_error(parse(env, csv_file([[*HEADER, "CPF", "e-mail"], row()])))
    assert '"CPF" (coluna H), "e-mail" (coluna I)' in error.message
    assert error.line == 1


def test_a_repeated_column_is_an_error(env):
    error = only_error(parse(env, csv_file([["dispositivo", "texto", "Texto"], ["Art. 1º", "a", "b"]])))
    assert error.column == "texto" and "duas vezes" in error.message


def test_header_names_ignore_case_accents_and_accept_aliases(env):
    header = ["Artigo", "Tipo", "Posição", "TEXTO", "Texto proposto", "Pessoas apoiando", "Mesa"]
    result = parse(env, csv_file([header, row(kind="nova redação", proposed="Nova", count="3", group="Mesa 1")]))
    assert result.ok, result.errors
    assert (result.rows[0].proposed_text, result.rows[0].group_label) == ("Nova", "Mesa 1")


def test_a_title_row_above_the_header_is_skipped_with_a_warning(env):
    data = xlsx_file([["Relato da oficina de Fortaleza"], [], HEADER, row(body="Texto")])
    result = parse(env, data, "relato.xlsx")
    assert result.ok, result.errors
    assert result.rows[0].line == 4
    assert result.warnings == ["A linha 1, acima dos títulos das colunas, não foi lida."]


def test_optional_columns_may_be_left_out(env):
    result = parse(env, csv_file([["texto", "dispositivo"], ["Só o texto.", "Art. 2º"]]))
    assert result.ok
    first = result.rows[0]
    assert (first.article_id, first.kind, first.stance, first.head_count) == (
        env.ids["Art. 2º"], ContributionKind.COMMENT, Stance.NONE, None)


def test_data_under_a_column_without_title_is_an_error(env):
    data = csv_file([[*HEADER, ""], [*row(), "perdido"]])
    error = only_error(parse(env, data))
    assert (error.line, error.column) == (2, None) and "sem título (H)" in error.message
    assert parse(env, csv_file([[*HEADER, ""], [*row(), ""]])).ok  # empty trailing columns are fine


# -- values -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("typed", "label"), [
    ("Art. 1º", "Art. 1º"), ("Art. 1", "Art. 1º"), ("art 1", "Art. 1º"), ("ART.1º", "Art. 1º"),
    ("Artigo 2", "Art. 2º"), ("2", "Art. 2º"), ("art. 1o", "Art. 1º"),
    ("Recomendação 1.2", "Recomendação 1.2"), ("recomendacao 1.2", "Recomendação 1.2"), ("1.2", "Recomendação 1.2"),
    ("Rec. 1.1", "Recomendação 1.1"),
])
def test_article_references(env, typed, label):
    result = parse(env, csv_file([HEADER, row(article=typed)]))
    assert result.ok, result.errors
    assert result.rows[0].article_id == env.ids[label]


@pytest.mark.parametrize("typed", ["Art. 9º", "Recomendação 7.1", "Capítulo I", "§ 1º"])
def test_unknown_article_is_an_error_with_the_value(env, typed):
    error = only_error(parse(env, csv_file([HEADER, row(), row(article=typed)])))
    assert (error.line, error.column) == (3, "dispositivo")
    assert f'"{typed}" não encontrado' in error.message


def test_a_bare_number_shared_by_an_article_and_a_recommendation_is_ambiguous(app_ctx, create_consultation):
    consultation = db.session.get(Consultation, create_consultation("open", text=BULLET_DRAFT).id)
    result = spreadsheets.parse_inputs(csv_file([HEADER, row(article="1"), row(article="Recomendação 1")]),
                                       "r.csv", consultation)
    error = only_error(result)
    assert error.line == 2 and "ambíguo: pode ser Art. 1º ou Recomendação 1" in error.message


def test_a_missing_article_is_an_error(env):
    error = only_error(parse(env, csv_file([HEADER, row(article="")])))
    assert error.column == "dispositivo"


@pytest.mark.parametrize(("typed", "kind"), [
    ("Comentário", ContributionKind.COMMENT), ("comentario", ContributionKind.COMMENT),
    ("comment", ContributionKind.COMMENT), ("Nova redação", ContributionKind.NEW_WORDING),
    ("new_wording", ContributionKind.NEW_WORDING), ("SUPRESSÃO", ContributionKind.REMOVAL),
    ("removal", ContributionKind.REMOVAL), ("", ContributionKind.COMMENT),
])
def test_kind_labels_and_codes(env, typed, kind):
    assert parse(env, csv_file([HEADER, row(kind=typed)])).rows[0].kind is kind


@pytest.mark.parametrize(("typed", "stance"), [
    ("Concordo", Stance.AGREE), ("agree", Stance.AGREE), ("Concordo em parte", Stance.PARTLY),
    ("concordo em parte", Stance.PARTLY), ("partly", Stance.PARTLY), ("Discordo", Stance.DISAGREE),
    ("disagree", Stance.DISAGREE), ("Sem posição", Stance.NONE), ("sem posicao", Stance.NONE),
    ("none", Stance.NONE), ("", Stance.NONE),
])
def test_stance_labels_and_codes(env, typed, stance):
    assert parse(env, csv_file([HEADER, row(stance=typed)])).rows[0].stance is stance


@pytest.mark.parametrize(("column", "values", "expected"), [
    ("tipo", {"kind": "elogio"}, 'Tipo "elogio" não reconhecido'),
    ("tipo", {"kind": "Proposta de novo artigo"}, "novo artigo não são aceitas"),
    ("posicao", {"stance": "talvez"}, 'Posição "talvez" não reconhecida'),
    ("texto", {"body": "", "stance": "Concordo"}, "Escreva o texto"),
    ("texto", {"body": "x" * 5001}, "5.001 caracteres; o limite é 5.000"),
    ("texto_proposto", {"kind": "Comentário", "proposed": "Nova redação"}, 'o tipo é "Comentário"'),
    ("grupo", {"group": "g" * 121}, "limite é 120"),
])
def test_bad_values_are_reported_on_their_line_and_column(env, column, values, expected):
    error = only_error(parse(env, csv_file([HEADER, row(), row(), row(**values)])))
    assert (error.line, error.column) == (4, column)
    assert expected in error.message


def test_proposed_wording_without_a_type_means_new_wording(env):
    result = parse(env, csv_file([HEADER, row(proposed="Art. 1º Fica instituída a Estratégia.")]))
    assert result.rows[0].kind is ContributionKind.NEW_WORDING
    assert result.rows[0].proposed_text == "Art. 1º Fica instituída a Estratégia."


@pytest.mark.parametrize(("typed", "message"), [
    ("-3", "não pode ser negativo"),
    ("abc", '"abc" não é um número'),
    ("2.5", "sem casas decimais"),
    ("2,5", "sem casas decimais"),
    ("12.0", "sem casas decimais"),
    ("1.000", 'sem ponto de milhar: "1000"'),
    ("10 pessoas", "não é um número"),
    ("200000", "limite de 100.000"),
])
def test_bad_head_counts_are_refused(env, typed, message):
    error = only_error(parse(env, csv_file([HEADER, row(count=typed)])))
    assert (error.line, error.column) == (2, "pessoas_apoiando")
    assert message in error.message


@pytest.mark.parametrize(("typed", "count"), [("12", 12), (" 12 ", 12), ("12,0", 12), ("0", 0), ("", None)])
def test_good_head_counts(env, typed, count):
    assert parse(env, csv_file([HEADER, row(count=typed)])).rows[0].head_count == count


def test_every_error_of_every_row_is_reported(env):
    data = csv_file([HEADER, row(), row(article="Art. 42", stance="talvez", count="-1"), row(kind="x", body=""),
                     row(article="", body="")])  # the last row: blank as in the template, skipped
    result = parse(env, data)
    assert [(e.line, e.column) for e in result.errors] == [
        (3, "dispositivo"), (3, "posicao"), (3, "pessoas_apoiando"), (4, "tipo"), (4, "texto")]


def test_error_list_is_capped_with_a_count_of_the_rest(env, monkeypatch):
    monkeypatch.setattr(spreadsheets, "MAX_ERRORS", 3)
    result = parse(env, csv_file([HEADER, *[row(count="x") for _ in range(10)]]))
    assert len(result.errors) == 4
    assert (result.errors[-1].line, result.errors[-1].message[:14]) == (5, "Há mais 7 erro")


def test_row_limit(env, monkeypatch):
    monkeypatch.setattr(spreadsheets, "MAX_ROWS", 5)
    result = parse(env, csv_file([HEADER, *[row(body=f"t{i}") for i in range(6)]]))
    assert "passa de 5 linhas" in result.errors[-1].message and result.errors[-1].line == 7


def test_files_over_5_mb_are_refused(env):
    data = csv_file([HEADER]) + b"x" * (5 * 1024 * 1024)
    assert "o limite é 5 MB" in only_error(parse(env, data)).message


def test_identical_rows_are_both_kept_with_distinct_keys_and_a_warning(env):
    result = parse(env, csv_file([HEADER, row(body="Concordo."), row(body="Outra."), row(body="Concordo.")]))
    assert result.ok and len(result.rows) == 3
    assert result.warnings == ["A linha 4 repete a linha 2; as duas serão importadas (apague uma delas se for "
                               "cópia por engano)."]
    keys = [r.import_key(1) for r in result.rows]
    assert len(set(keys)) == 3
    assert [r.import_key(1) for r in parse(env, csv_file([HEADER, row(body="Concordo.")])).rows] == keys[:1]
    assert result.rows[0].import_key(2) != keys[0]  # another workshop


# -- XLSX and other formats ---------------------------------------------------------------------------------

def test_xlsx_built_with_openpyxl_is_read_with_numbers_as_integers(env):
    data = xlsx_file([
        HEADER,
        ["Art. 1º", "Comentário", "Concordo", "Texto um", None, 12.0, "Mesa 1"],
        [None] * 7,
        [1.2, None, "Discordo", "Texto dois", None, 3, None],
        ["Art. 2º", None, None, "Texto três", None, 2.5, None],
    ])
    result = parse(env, data, "relato.xlsx")
    error = only_error(result)
    assert (error.line, error.column) == (5, "pessoas_apoiando") and "sem casas decimais" in error.message
    good = parse(env, xlsx_file([HEADER, ["Art. 1º", "Comentário", "Concordo", "Texto um", None, 12.0, "Mesa 1"],
                                 [None] * 7, [1.2, None, "Discordo", "Texto dois", None, 3, None]]), "x.xlsx")
    assert good.ok, good.errors
    assert [(r.line, r.article_id, r.head_count) for r in good.rows] == [
        (2, env.ids["Art. 1º"], 12), (4, env.ids["Recomendação 1.2"], 3)]


def test_xlsx_without_a_relato_sheet_reads_the_first_one_with_a_warning(env):
    workbook = Workbook()
    workbook.active.title = "Planilha1"
    workbook.active.append(HEADER)
    workbook.active.append(row())
    workbook.create_sheet("Outra")
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = parse(env, buffer.getvalue(), "a.xlsx")
    assert result.ok and '"Planilha1"' in result.warnings[0]


def test_the_same_rows_as_csv_or_xlsx_give_the_same_keys(env):
    rows = [HEADER, row(body="Igual", count="4", stance="Concordo")]
    from_csv = parse(env, csv_file(rows)).rows
    from_xlsx = parse(env, xlsx_file([HEADER, ["Art. 1º", None, "Concordo", "Igual", None, 4, None]]), "a.xlsx").rows
    assert [r.import_key(1) for r in from_csv] == [r.import_key(1) for r in from_xlsx]


def zipped(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


@pytest.mark.parametrize(("data", "filename", "message"), [
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "relato.xls", ".xls (Excel 97–2003) não são aceitos"),
    (zipped({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b"<x/>"}),
     "relato.ods", ".ods (LibreOffice/OpenOffice) não são aceitos"),
    (zipped({"word/document.xml": b"<x/>"}), "relato.docx", "não uma planilha XLSX"),
    (zipped({"xl/workbook.xml": b"not xml"}), "relato.xlsx", "parece corrompido"),
    (b"PK\x03\x04 truncated", "relato.xlsx", "corrompido"),
    (b"%PDF-1.7 ...", "relato.pdf", "PDF"),
    (b"dispositivo;texto\r\nArt. 1;a\r\n", "relato.xlsx", "extensão .xlsx, mas não é"),
])
def test_other_formats_are_refused_with_a_clear_message(env, data, filename, message):
    error = only_error(parse(env, data, filename))
    assert error.line == 0 and message in error.message
    assert "Salve a planilha como .xlsx ou como CSV UTF-8" in error.message


def test_a_csv_named_xls_is_read_by_its_content(env):
    assert parse(env, csv_file([HEADER, row()]), "relato.xls").ok


# -- attendance lists ---------------------------------------------------------------------------------------

def test_attendee_list_is_parsed_with_sectors_and_ufs_by_label_code_or_name():
    data = csv_file([["Nome", "Organização", "Setor", "UF"],
                     ["Ana Souza", "Prefeitura de Fortaleza", "Estados e municípios", "ce"],
                     ["Bruno Lima", "", "academia", "São Paulo"],
                     ["Carla Dias", "ONG", "sociedade_civil", ""],
                     ["", "", "", ""],
                     ["Davi", "", "Cidadão ou cidadã", "DF"]])
    result = spreadsheets.parse_attendees(data, "lista.csv")
    assert result.ok, result.errors
    assert [(r.line, r.name, r.organization, r.sector, r.uf) for r in result.rows] == [
        (2, "Ana Souza", "Prefeitura de Fortaleza", Sector.STATE_MUNICIPAL, "CE"),
        (3, "Bruno Lima", None, Sector.ACADEMIA, "SP"),
        (4, "Carla Dias", "ONG", Sector.CIVIL_SOCIETY, None),
        (6, "Davi", None, Sector.CITIZEN, "DF"),
    ]


def test_attendee_errors_and_personal_data_columns():
    data = csv_file([["nome", "setor", "uf"], ["", "academia", "SP"], ["Eva", "marciano", "XX"],
                     ["Ana", "", ""], ["ana", "", ""]])
    result = spreadsheets.parse_attendees(data, "lista.csv")
    assert [(e.line, e.column) for e in result.errors] == [(2, "nome"), (3, "setor"), (3, "uf")]
    assert result.warnings == ['A linha 5 repete o nome "ana" da linha 4.']
    error = only_error(spreadsheets.parse_attendees(csv_file([["nome", "cpf"], ["Ana", "123"]]), "l.csv"))
    assert '"cpf" (coluna B)' in error.message
    assert "vazio" in only_error(spreadsheets.parse_attendees(b"", "l.csv")).message


def test_attendee_xlsx_is_read():
    result = spreadsheets.parse_attendees(xlsx_file([["nome", "uf"], ["Ana", "RS"]], title="Presença"), "l.xlsx")
    assert result.ok and result.rows[0].uf == "RS"


# -- end to end, at scale -----------------------------------------------------------------------------------

def big_csv(labels: list[str], n: int) -> bytes:
    stances = ["Concordo", "Concordo em parte", "Discordo", "Sem posição", ""]
    kinds = ["Comentário", "Supressão", "", "nova redação"]
    rows = [HEADER]
    for i in range(n):
        kind = kinds[i % 4]
        rows.append([labels[i % len(labels)], kind, stances[i % 5], f"Contribuição número {i} da oficina.",
                     "Redação proposta." if kind == "nova redação" else "", str(i % 40) if i % 3 else "",
                     f"Mesa {i % 12}"])
    return csv_file(rows)


def test_ten_thousand_rows_validate_and_import_once_without_per_row_queries(env):
    data = big_csv(list(env.ids), 10_000)
    result = parse(env, data)
    assert result.ok, result.errors[:5]
    assert len(result.rows) == 10_000
    statements: list[str] = []

    def count(connection, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        first = services.import_inputs(env.facilitator, env.workshop, result.rows)
        db.session.commit()
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    again = services.import_inputs(env.facilitator, env.workshop, parse(env, data).rows)
    db.session.commit()
    assert (first.created, first.duplicates) == (10_000, 0)
    assert (again.created, again.duplicates) == (0, 10_000)
    # A handful of statements (the bulk INSERT goes in pages of many rows), never one per row.
    assert len(statements) < 20, statements
    assert db.session.scalar(select(func.count()).select_from(Contribution)
                             .where(Contribution.workshop_id == env.workshop.id)) == 10_000
    db.session.expire_all()
    totals = dict.fromkeys(STANCE_COLUMNS, 0)
    for article in db.session.scalars(select(Article).where(Article.consultation_id == env.consultation.id)):
        for stance, column in STANCE_COLUMNS.items():
            totals[stance] += getattr(article, column.key)
    assert totals == {Stance.AGREE: 2000, Stance.PARTLY: 2000, Stance.DISAGREE: 2000, Stance.NONE: 4000}
