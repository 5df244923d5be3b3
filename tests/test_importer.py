"""Tests for the Markdown draft importer (pure module: no app, no database)."""

from __future__ import annotations

import ast
import unicodedata
from pathlib import Path

import pytest

from consulta.drafts import (
    MAX_BYTES,
    DraftArticle,
    DraftDocument,
    DraftSection,
    Problem,
    decode,
    parse_draft,
    parse_upload,
    render_article_body,
)
from consulta.drafts import parser as importer

NO_ARTICLES = (
    'Nenhum artigo encontrado: o texto precisa de ao menos um artigo ("Art. 1º"), '
    "uma recomendação numerada ou um parágrafo sob um título."
)


def labels(doc: DraftDocument) -> list[str]:
    """Article labels in document order."""
    return [article.label for _, article in doc.iter_articles()]


def only_article(doc: DraftDocument) -> DraftArticle:
    """The single article of a document (fails when there is not exactly one)."""
    articles = [article for _, article in doc.iter_articles()]
    assert len(articles) == 1, articles
    return articles[0]


def messages(problems: list[Problem]) -> list[str]:
    """The messages of a list of problems."""
    return [problem.message for problem in problems]


# --------------------------------------------------------------------------------------------------
# Module purity
# --------------------------------------------------------------------------------------------------


def _imports(module) -> set[str]:
    """Fully qualified modules a source file imports."""
    tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
    imported: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0
            imported.add(node.module or "")
    return imported


def test_parser_knows_no_file_format_and_readers_know_no_legal_numbering() -> None:
    from consulta.drafts import readers

    assert _imports(importer) <= {
        "__future__", "dataclasses", "re", "consulta.drafts", "consulta.drafts.model", "consulta.drafts.sequence",
    }
    assert "consulta.drafts.grammar" not in _imports(readers)
    assert not {"flask", "sqlalchemy"} & {name.split(".")[0] for name in _imports(importer) | _imports(readers)}


# --------------------------------------------------------------------------------------------------
# Decoding
# --------------------------------------------------------------------------------------------------


def test_decode_plain_utf8_has_no_problems() -> None:
    assert decode("# Título\n\nArt. 1º Olá.".encode()) == ("# Título\n\nArt. 1º Olá.", [])


def test_utf8_bom_is_stripped() -> None:
    text, problems = decode(b"\xef\xbb\xbfArt. 1\xc2\xba Ol\xc3\xa1.")
    assert text == "Art. 1º Olá."
    assert problems == []
    doc = parse_upload(b"\xef\xbb\xbfArt. 1\xc2\xba Ol\xc3\xa1.")
    assert labels(doc) == ["Art. 1º"]
    assert doc.warnings == []


def test_latin1_file_is_read_with_a_warning() -> None:
    data = "# Recomendações\n\n1. Recomendação de ação.".encode("latin-1")
    text, problems = decode(data)
    assert text == "# Recomendações\n\n1. Recomendação de ação."
    assert len(problems) == 1
    assert problems[0].line is None
    assert "Latin-1" in problems[0].message
    doc = parse_upload(data)
    assert doc.ok
    assert doc.sections[0].title == "Recomendações"
    assert only_article(doc).body == "Recomendação de ação."
    assert messages(doc.warnings) == [problems[0].message]


def test_cp1252_punctuation_is_decoded() -> None:
    # Word's en dash (0x96) only exists in cp1252, not in ISO-8859-1.
    text, problems = decode(b"Art. 1\xba \x96 Texto.")
    assert text == "Art. 1º – Texto."
    assert len(problems) == 1


@pytest.mark.parametrize("newline", ["\r\n", "\r"], ids=["crlf", "cr"])
def test_windows_and_old_mac_newlines_are_normalized(newline: str) -> None:
    source = newline.join(["# Capítulo", "", "Art. 1º Um", "continua.", "Art. 3º Três."])
    text, _ = decode(source.encode())
    assert text is not None
    assert "\r" not in text
    doc = parse_upload(source.encode())
    assert [(a.label, a.body, a.line) for _, a in doc.iter_articles()] == [
        ("Art. 1º", "Um continua.", 3),
        ("Art. 3º", "Três.", 5),
    ]
    assert messages(doc.warnings) == ["Linha 5: o Art. 3º veio depois do Art. 1º (esperado Art. 2º)."]


def test_unicode_is_normalized_to_nfc() -> None:
    decomposed = unicodedata.normalize("NFD", "# Participação\n\nArt. 1º Ação.")
    text, _ = decode(decomposed.encode())
    assert text == "# Participação\n\nArt. 1º Ação."
    assert parse_draft(decomposed).sections[0].title == "Participação"


def test_utf16_with_bom_is_accepted() -> None:
    doc = parse_upload("# Título\n\nArt. 1º Olá.".encode("utf-16"))
    assert doc.ok
    assert labels(doc) == ["Art. 1º"]


@pytest.mark.parametrize(
    ("data", "detail"),
    [
        (b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00word/document.xml", "arquivo compactado"),
        (b"%PDF-1.4\x00\x01\x02\x03%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "imagem"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00", "Word .doc"),
        (b"# T\xc3\xadtulo\n\x00\x00Art. 1", ""),
        (b"\x01\x02\x03\x04\x05\x06abcdefgh" * 20, ""),
    ],
    ids=["docx", "pdf", "png", "doc", "nul-bytes", "control-chars"],
)
def test_binary_files_are_rejected(data: bytes, detail: str) -> None:
    text, problems = decode(data)
    assert text is None
    assert len(problems) == 1
    message = problems[0].message
    assert message.startswith("O arquivo não é um arquivo de texto")
    assert "Markdown (.md)" in message
    assert "texto simples (.txt)" in message
    assert "UTF-8" in message
    assert detail in message
    doc = parse_upload(data)
    assert not doc.ok
    assert doc.errors == problems
    assert doc.sections == []
    assert doc.article_count == 0


def test_a_few_control_characters_are_tolerated_and_removed() -> None:
    text, problems = decode(b"Art. 1\xc2\xba Texto\x0b com\x0c controle." + b" palavra" * 50)
    assert problems == []
    assert text is not None
    assert text.startswith("Art. 1º Texto com controle.")


@pytest.mark.parametrize("data", [b"", b"   \n\t\n  ", b"\xef\xbb\xbf", b"\xef\xbb\xbf\r\n\r\n"])
def test_empty_file_is_rejected(data: bytes) -> None:
    assert decode(data) == (None, [Problem(None, "O arquivo está vazio.")])
    assert messages(parse_upload(data).errors) == ["O arquivo está vazio."]


@pytest.mark.parametrize(
    ("size", "expected"),
    [
        (MAX_BYTES + 1, "O arquivo tem 2,1 MB; o limite é 2 MB."),
        (int(2.5 * 1024 * 1024), "O arquivo tem 2,5 MB; o limite é 2 MB."),
        (5 * 1024 * 1024, "O arquivo tem 5 MB; o limite é 2 MB."),
    ],
)
def test_file_over_size_limit_is_rejected(size: int, expected: str) -> None:
    data = b"a" * size
    assert decode(data) == (None, [Problem(None, expected)])
    assert messages(parse_upload(data).errors) == [expected]


def test_file_exactly_at_size_limit_is_accepted() -> None:
    head = "# Título\n\nArt. 1º Texto.\n".encode()
    data = head + b"x" * (MAX_BYTES - len(head))
    assert len(data) == MAX_BYTES
    text, problems = decode(data)
    assert text is not None
    assert problems == []


def test_non_breaking_and_zero_width_spaces_do_not_hide_an_article() -> None:
    doc = parse_draft("Art.\u00a01º Texto.\n\u200bArt. 2º Outro.")
    assert labels(doc) == ["Art. 1º", "Art. 2º"]
    assert doc.warnings == []


# --------------------------------------------------------------------------------------------------
# Headings and sections
# --------------------------------------------------------------------------------------------------


def test_headings_nest_under_the_closest_shallower_heading() -> None:
    doc = parse_draft(
        "# Capítulo I\n## Eixo 1\n### Objetivo 1.1\nArt. 1º A.\n### Objetivo 1.2\nArt. 2º B.\n"
        "## Eixo 2\nArt. 3º C.\n# Capítulo II\nArt. 4º D.\n"
    )
    assert doc.ok
    assert [(s.title, s.depth, s.line) for s in doc.sections] == [("Capítulo I", 1, 1), ("Capítulo II", 1, 9)]
    chapter = doc.sections[0]
    assert [s.title for s in chapter.children] == ["Eixo 1", "Eixo 2"]
    assert [s.title for s in chapter.children[0].children] == ["Objetivo 1.1", "Objetivo 1.2"]
    assert [a.label for a in chapter.children[0].children[1].articles] == ["Art. 2º"]
    assert [a.label for a in chapter.children[1].articles] == ["Art. 3º"]
    assert doc.warnings == []


def test_document_may_start_at_level_two_without_warning() -> None:
    doc = parse_draft("## Eixo 1\nArt. 1º A.\n### Objetivo\nArt. 2º B.\n## Eixo 2\nArt. 3º C.")
    assert [(s.title, s.depth) for s in doc.sections] == [("Eixo 1", 2), ("Eixo 2", 2)]
    assert [s.title for s in doc.sections[0].children] == ["Objetivo"]
    assert doc.warnings == []


def test_skipped_heading_level_warns_and_nests_under_parent() -> None:
    doc = parse_draft("# Capítulo\n\n### Seção\nArt. 1º Texto.")
    assert doc.ok
    assert [(s.title, s.depth) for s in doc.sections] == [("Capítulo", 1)]
    assert [(s.title, s.depth, s.line) for s in doc.sections[0].children] == [("Seção", 3, 3)]
    assert len(doc.warnings) == 1
    assert doc.warnings[0].line == 3
    assert doc.warnings[0].message.startswith('Linha 3: nível de título pulado: "Seção" (###)')


def test_heading_deeper_than_three_is_depth_three_with_warning() -> None:
    doc = parse_draft("# A\n## B\n### C\n#### D\nArt. 1º Texto.\n###### E\nArt. 2º Outro.")
    c = doc.sections[0].children[0].children[0]
    assert c.title == "C"
    # "####" and "######" become siblings of "### C" under "## B".
    assert [(s.title, s.depth) for s in doc.sections[0].children[0].children] == [
        ("C", 3),
        ("D", 3),
        ("E", 3),
    ]
    assert [w.line for w in doc.warnings] == [4, 6]
    assert doc.warnings[0].message == (
        'Linha 4: títulos com mais de três níveis (####) não são aceitos; "D" foi tratado como ###.'
    )


@pytest.mark.parametrize(
    ("heading", "title"),
    [
        ("#   Capítulo I   ", "Capítulo I"),
        ("## Eixo 2 ##", "Eixo 2"),
        ("# **Eixo 1** – Governo digital", "Eixo 1 – Governo digital"),
        ("## __Objetivo__", "Objetivo"),
        ("# Linguagem C#", "Linguagem C#"),
        ("   # Recuado", "Recuado"),
    ],
)
def test_heading_title_is_cleaned(heading: str, title: str) -> None:
    doc = parse_draft(f"{heading}\n\nArt. 1º Texto.")
    assert [s.title for s in doc.sections] == [title]


def test_hash_without_space_is_not_a_heading() -> None:
    doc = parse_draft("#ParticipaBrasil é a campanha.")
    assert doc.sections == []
    assert only_article(doc).body == "#ParticipaBrasil é a campanha."


@pytest.mark.parametrize("heading", ["#", "##   ", "### ###", "# ** **"])
def test_empty_heading_is_an_error_with_line_number(heading: str) -> None:
    doc = parse_draft(f"Art. 1º Texto.\n\n{heading}\nArt. 2º Outro.")
    assert not doc.ok
    assert len(doc.errors) == 1
    assert doc.errors[0].line == 3
    assert doc.errors[0].message.startswith("Linha 3: título vazio")


def test_title_longer_than_300_chars_is_an_error_with_line_number() -> None:
    doc = parse_draft(f"Art. 1º Texto.\n# {'a' * 301}\nArt. 2º Outro.")
    assert [e.line for e in doc.errors] == [2]
    assert doc.errors[0].message.startswith("Linha 2: o título tem 301 caracteres; o limite é 300.")


def test_title_of_exactly_300_chars_is_accepted() -> None:
    doc = parse_draft(f"# {'a' * 300}\nArt. 1º Texto.")
    assert doc.ok
    assert len(doc.sections[0].title) == 300


def test_heading_ends_the_current_article() -> None:
    doc = parse_draft("# A\nArt. 1º Um.\nI – inciso;\n# B\nTexto depois do título.")
    assert doc.sections[0].articles[0].body == "Um.\nI – inciso;"
    assert [(a.label, a.body) for a in doc.sections[1].articles] == [("Trecho 1", "Texto depois do título.")]
    assert doc.sections[1].intro == ""


# --------------------------------------------------------------------------------------------------
# Articles
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "number", "label"),
    [
        ("Art. 1º Texto.", "1º", "Art. 1º"),
        ("Art. 1o Texto.", "1º", "Art. 1º"),
        ("Art. 1° Texto.", "1º", "Art. 1º"),
        ("Art. 1.º Texto.", "1º", "Art. 1º"),
        ("Art. 1 Texto.", "1º", "Art. 1º"),
        ("Art 1º Texto.", "1º", "Art. 1º"),
        ("Art.1º Texto.", "1º", "Art. 1º"),
        ("Artigo 1º Texto.", "1º", "Art. 1º"),
        ("ART. 1º Texto.", "1º", "Art. 1º"),
        ("**Art. 1º** Texto.", "1º", "Art. 1º"),
        ("__Art. 1º__ Texto.", "1º", "Art. 1º"),
        ("Art. 9º Texto.", "9º", "Art. 9º"),
        ("Art. 10. Texto.", "10", "Art. 10"),
        ("Art. 10 Texto.", "10", "Art. 10"),
        ("Art. 10º Texto.", "10", "Art. 10"),
        ("Art. 11 Texto.", "11", "Art. 11"),
        ("Art. 123. Texto.", "123", "Art. 123"),
        ("Art. 5º-A Texto.", "5º-A", "Art. 5º-A"),
        ("Art. 12-B. Texto.", "12-B", "Art. 12-B"),
    ],
)
def test_article_number_variants(line: str, number: str, label: str) -> None:
    article = only_article(parse_draft(line))
    assert (article.kind, article.number, article.label, article.body, article.line) == (
        "article",
        number,
        label,
        "Texto.",
        1,
    )


@pytest.mark.parametrize(
    "line",
    ["Art. 1º – Texto.", "Art. 1º - Texto.", "Art. 1º — Texto.", "Art. 1º. Texto.", "Art. 1º: Texto."],
)
def test_separator_after_article_number_is_stripped(line: str) -> None:
    assert only_article(parse_draft(line)).body == "Texto."


def test_dash_then_capital_a_is_caput_not_suffix() -> None:
    article = only_article(parse_draft("Art. 1º - A Estratégia tem por finalidade…"))
    assert (article.number, article.body) == ("1º", "A Estratégia tem por finalidade…")


def test_suffixed_article_is_not_a_sequence_warning() -> None:
    doc = parse_draft("Art. 1º Um.\nArt. 2º Dois.\nArt. 2º-A Inserido.\nArt. 2º-B Outro.\nArt. 3º Três.")
    assert [a.number for _, a in doc.iter_articles()] == ["1º", "2º", "2º-A", "2º-B", "3º"]
    assert doc.warnings == []


def test_caput_on_the_next_line_fills_the_empty_caput() -> None:
    assert only_article(parse_draft("Art. 1º\nEsta Estratégia rege-se:\nI – pela ética.")).body == (
        "Esta Estratégia rege-se:\nI – pela ética."
    )


def test_article_without_caput_starts_with_its_first_unit() -> None:
    assert only_article(parse_draft("Art. 1º\nI – primeiro;\nII – segundo.")).body == (
        "I – primeiro;\nII – segundo."
    )


def test_soft_wrapped_lines_are_joined_with_a_space() -> None:
    doc = parse_draft("Art. 1º Esta Estratégia\norienta as ações\ndo governo.\nI – um inciso\nquebrado.")
    assert only_article(doc).body == "Esta Estratégia orienta as ações do governo.\nI – um inciso quebrado."


def test_plain_text_after_blank_line_is_a_new_unit_of_the_article() -> None:
    doc = parse_draft("Art. 1º Caput.\nI – inciso;\n\nTexto final do artigo.\n\nArt. 2º Outro.")
    assert [a.body for _, a in doc.iter_articles()] == [
        "Caput.\nI – inciso;\nTexto final do artigo.",
        "Outro.",
    ]


def test_paragraphs_stay_inside_their_article() -> None:
    doc = parse_draft(
        "Art. 1º Caput.\n§ 1º Primeiro.\n§2º Segundo.\n§ 3o Terceiro.\n§ 10. Décimo.\n§ 11 Onze.\n"
        "Art. 2º Outro."
    )
    assert labels(doc) == ["Art. 1º", "Art. 2º"]
    assert doc.articles[0].body == (
        "Caput.\n§ 1º Primeiro.\n§ 2º Segundo.\n§ 3º Terceiro.\n§ 10. Décimo.\n§ 11. Onze."
    )


@pytest.mark.parametrize(
    "line",
    [
        "Parágrafo único. O disposto aplica-se à União.",
        "Parágrafo único – O disposto aplica-se à União.",
        "PARÁGRAFO ÚNICO. O disposto aplica-se à União.",
        "**Parágrafo único.** O disposto aplica-se à União.",
    ],
)
def test_paragrafo_unico_stays_inside_its_article(line: str) -> None:
    doc = parse_draft(f"Art. 1º Caput.\n{line}\nArt. 2º Outro.")
    assert doc.article_count == 2
    assert doc.articles[0].body == "Caput.\nParágrafo único. O disposto aplica-se à União."


def test_incisos_alineas_and_items_stay_inside_their_article() -> None:
    doc = parse_draft(
        "Art. 2º São princípios da Estratégia:\n"
        "I – governo centrado no cidadão;\n"
        "II - transparência:\n"
        "a) dados abertos por padrão;\n"
        "b) linguagem simples:\n"
        "1. sem jargão;\n"
        "2) com exemplos;\n"
        "- com glossário;\n"
        "III — eficiência;\n"
        "IV– inovação; e\n"
        "XII – participação.\n"
        "§ 1º O disposto neste artigo\n"
        "aplica-se a todos.\n"
        "Art. 3º Fim."
    )
    assert doc.articles[0].body == (
        "São princípios da Estratégia:\n"
        "I – governo centrado no cidadão;\n"
        "II – transparência:\n"
        "a) dados abertos por padrão;\n"
        "b) linguagem simples:\n"
        "1. sem jargão;\n"
        "2. com exemplos;\n"
        "- com glossário;\n"
        "III – eficiência;\n"
        "IV – inovação; e\n"
        "XII – participação.\n"
        "§ 1º O disposto neste artigo aplica-se a todos."
    )
    assert [a.kind for _, a in doc.iter_articles()] == ["article", "article"]


def test_invalid_roman_numeral_is_not_an_inciso() -> None:
    assert (
        only_article(parse_draft("Art. 1º Caput\nIIII – não é inciso.")).body == "Caput IIII – não é inciso."
    )


def test_numbered_lines_inside_article_are_items_not_recommendations() -> None:
    doc = parse_draft("# Eixo\nArt. 1º Caput:\n1. primeiro;\n2. segundo.\n3.2 terceiro.")
    assert [(a.kind, a.label) for _, a in doc.iter_articles()] == [("article", "Art. 1º")]
    assert doc.sections[0].articles[0].body == "Caput:\n1. primeiro;\n2. segundo.\n3.2. terceiro."


def test_lowercase_art_at_start_of_wrapped_line_continues_the_text() -> None:
    doc = parse_draft("Art. 1º Aplica-se o disposto no\nart. 5º da Lei nº 13.460.")
    assert only_article(doc).body == "Aplica-se o disposto no art. 5º da Lei nº 13.460."


def test_bold_text_in_bodies_is_kept_as_written() -> None:
    assert only_article(parse_draft("Art. 1º Esta **Estratégia** é _nacional_.")).body == (
        "Esta **Estratégia** é _nacional_."
    )


def test_preamble_before_first_article_is_section_intro() -> None:
    doc = parse_draft(
        "# Decreto nº 12.345\n\n"
        "O PRESIDENTE DA REPÚBLICA, no uso da atribuição que lhe confere o art. 84,\n"
        "caput, inciso IV, da Constituição,\n\n"
        "DECRETA:\n\n"
        "Art. 1º Fica instituída a Estratégia."
    )
    section = doc.sections[0]
    assert section.intro == (
        "O PRESIDENTE DA REPÚBLICA, no uso da atribuição que lhe confere o art. 84, "
        "caput, inciso IV, da Constituição,\n\nDECRETA:"
    )
    assert [(a.label, a.body) for a in section.articles] == [("Art. 1º", "Fica instituída a Estratégia.")]


def test_articles_before_any_heading_are_top_level() -> None:
    doc = parse_draft("Preâmbulo.\n\nArt. 1º Um.\nArt. 2º Dois.\n# Anexo\nArt. 3º Três.")
    assert doc.intro == "Preâmbulo."
    assert [a.label for a in doc.articles] == ["Art. 1º", "Art. 2º"]
    assert [a.label for a in doc.sections[0].articles] == ["Art. 3º"]
    assert doc.warnings == []


def test_plain_text_before_first_heading_is_document_intro() -> None:
    doc = parse_draft(
        "Apresentação da estratégia\nem duas linhas.\n\nSegundo parágrafo.\n\n# Eixo\nArt. 1º Um."
    )
    assert doc.intro == "Apresentação da estratégia em duas linhas.\n\nSegundo parágrafo."
    assert doc.articles == []
    assert labels(doc) == ["Art. 1º"]


def test_list_before_first_heading_is_document_intro_too() -> None:
    doc = parse_draft("Este documento traz:\n- diagnóstico;\n- metas.\n\n# Eixo\n1. Recomendação.")
    assert doc.intro == "Este documento traz:\n- diagnóstico;\n- metas."
    assert labels(doc) == ["Recomendação 1"]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("Art. 1º Um.\nArt. 3º Três.", ["Linha 2: o Art. 3º veio depois do Art. 1º (esperado Art. 2º)."]),
        (
            "Art. 1º Um.\nArt. 2º Dois.\nArt. 2º Dois de novo.",
            ["Linha 3: o Art. 2º está repetido (esperado Art. 3º)."],
        ),
        (
            "Art. 1º Um.\nArt. 2º Dois.\nArt. 3º Três.\nArt. 2º Volta.",
            ["Linha 4: o Art. 2º veio depois do Art. 3º (esperado Art. 4º)."],
        ),
        ("\n\nArt. 2º Dois.", ["Linha 3: o primeiro artigo é o Art. 2º (esperado Art. 1º)."]),
        (
            "Art. 9º Nove.\nArt. 11 Onze.",
            [
                "Linha 1: o primeiro artigo é o Art. 9º (esperado Art. 1º).",
                "Linha 2: o Art. 11 veio depois do Art. 9º (esperado Art. 10).",
            ],
        ),
    ],
    ids=["skipped", "repeated", "backwards", "first-not-one", "ordinal-and-cardinal"],
)
def test_out_of_sequence_article_is_a_warning_with_line_number(source: str, expected: list[str]) -> None:
    doc = parse_draft(source)
    assert doc.ok
    assert messages(doc.warnings) == expected
    assert [w.line for w in doc.warnings] == [int(m.split(":")[0].removeprefix("Linha ")) for m in expected]


def test_article_numbering_runs_across_sections() -> None:
    assert parse_draft("# A\nArt. 1º Um.\n# B\nArt. 2º Dois.").warnings == []
    doc = parse_draft("# A\nArt. 1º Um.\n# B\nArt. 1º De novo.")
    assert messages(doc.warnings) == ["Linha 4: o Art. 1º está repetido (esperado Art. 2º)."]


@pytest.mark.parametrize("line", ["Art. Esta Estratégia é instituída.", "Art.", "**Art.** Texto."])
def test_article_without_number_is_an_error_with_line_number(line: str) -> None:
    doc = parse_draft(f"# Decreto\nArt. 1º Um.\n\n{line}\nArt. 2º Dois.")
    assert not doc.ok
    assert doc.errors == [Problem(4, 'Linha 4: artigo sem número: escreva, por exemplo, "Art. 1º".')]
    # The text is kept apart instead of being glued to Art. 1º.
    assert doc.sections[0].articles[0].body == "Um."
    assert doc.warnings == []


def test_article_body_longer_than_20000_chars_is_an_error_with_line_number() -> None:
    doc = parse_draft("Art. 1º Curto.\n\nArt. 2º " + "palavra " * 3000)
    assert not doc.ok
    assert [e.line for e in doc.errors] == [3]
    assert doc.errors[0].message.startswith(
        "Linha 3: o texto de Art. 2º tem 23.999 caracteres; o limite é 20.000."
    )


def test_article_body_of_20000_chars_is_accepted() -> None:
    doc = parse_draft("Art. 1º " + "a" * 20_000)
    assert doc.ok
    assert len(only_article(doc).body) == 20_000


# --------------------------------------------------------------------------------------------------
# Recommendations
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "number"),
    [
        ("1. Ampliar o acesso.", "1"),
        ("1) Ampliar o acesso.", "1"),
        ("1 - Ampliar o acesso.", "1"),
        ("1 – Ampliar o acesso.", "1"),
        ("1.1 Ampliar o acesso.", "1.1"),
        ("1.1. Ampliar o acesso.", "1.1"),
        ("3.2 Ampliar o acesso.", "3.2"),
        ("3.2. Ampliar o acesso.", "3.2"),
        ("3.2 - Ampliar o acesso.", "3.2"),
        ("2.3.1 Ampliar o acesso.", "2.3.1"),
        ("12. Ampliar o acesso.", "12"),
        ("**3.2.** Ampliar o acesso.", "3.2"),
    ],
)
def test_numbered_line_is_a_recommendation_labelled_as_written(line: str, number: str) -> None:
    doc = parse_draft(f"# Eixo 3\n\n{line}")
    article = only_article(doc)
    assert (article.kind, article.number, article.label, article.body, article.line) == (
        "recommendation",
        number,
        f"Recomendação {number}",
        "Ampliar o acesso.",
        3,
    )


def test_bulleted_recommendations_are_numbered_across_the_document_and_labels_stay_unique() -> None:
    doc = parse_draft(
        "# Eixo 1\n- Primeira.\n* Segunda.\n# Eixo 2\n1. Numerada.\n# Eixo 3\n+ Terceira.\n- Quarta."
    )
    assert [(a.label, a.number, a.body) for _, a in doc.iter_articles()] == [
        ("Recomendação 1", "1", "Primeira."),
        ("Recomendação 2", "2", "Segunda."),
        ("Recomendação 1 (2)", "1", "Numerada."),
        ("Recomendação 3", "3", "Terceira."),
        ("Recomendação 4", "4", "Quarta."),
    ]
    assert messages(doc.warnings) == ['Linha 5: a Recomendação 1 está repetida; foi chamada de "Recomendação 1 (2)".']


def test_nested_indented_items_stay_inside_the_recommendation() -> None:
    doc = parse_draft(
        "# Eixo\n"
        "1. Criar um portal:\n"
        "   - com busca;\n"
        "   - com dados\n"
        "     abertos;\n"
        "  1. versão móvel.\n"
        "2. Capacitar servidores.\n"
    )
    assert [(a.label, a.body) for _, a in doc.iter_articles()] == [
        ("Recomendação 1", "Criar um portal:\n- com busca;\n- com dados abertos;\n1. versão móvel."),
        ("Recomendação 2", "Capacitar servidores."),
    ]
    assert doc.warnings == []


def test_nested_bullets_under_bulleted_recommendation_do_not_consume_numbers() -> None:
    doc = parse_draft("# Eixo\n- Primeira:\n  - detalhe.\n- Segunda.")
    assert [(a.label, a.body) for _, a in doc.iter_articles()] == [
        ("Recomendação 1", "Primeira:\n- detalhe."),
        ("Recomendação 2", "Segunda."),
    ]


def test_paragraphs_before_first_recommendation_are_section_intro() -> None:
    doc = parse_draft(
        "# Eixo 1\nO eixo trata\nde governo digital.\n\nObjetivos:\n\n1. Primeira.\n2. Segunda."
    )
    section = doc.sections[0]
    assert section.intro == "O eixo trata de governo digital.\n\nObjetivos:"
    assert [a.label for a in section.articles] == ["Recomendação 1", "Recomendação 2"]


def test_paragraph_after_a_list_is_a_trecho_of_its_own_and_indented_one_continues_the_item() -> None:
    doc = parse_draft(
        "# Eixo\n1. Primeira recomendação\nquebrada em duas linhas.\n\n   Justificativa da primeira.\n\n"
        "2. Segunda.\n\nParágrafo depois da lista\ncom duas linhas."
    )
    assert [(a.label, a.body) for _, a in doc.iter_articles()] == [
        ("Recomendação 1", "Primeira recomendação quebrada em duas linhas.\nJustificativa da primeira."),
        ("Recomendação 2", "Segunda."),
        ("Trecho 1", "Parágrafo depois da lista com duas linhas."),
    ]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("1. Um.\n2. Dois.\n2. Dois de novo.", ['Linha 4: a Recomendação 2 está repetida; foi chamada de "Recomendação 2 (2)".']),
        (
            "1. Um.\n3. Três.\n2. Dois.",
            ["Linha 4: a Recomendação 2 veio depois da Recomendação 3 (a numeração voltou)."],
        ),
        (
            "3.1 A.\n3.2 B.\n3.1 C.",
            [
                "Linha 4: a Recomendação 3.1 veio depois da Recomendação 3.2 (a numeração voltou).",
                'Linha 4: a Recomendação 3.1 está repetida; foi chamada de "Recomendação 3.1 (2)".',
            ],
        ),
        ("1. Um.\n3. Três.\n3.1 Sub.\n10. Dez.", []),
    ],
    ids=["repeated", "backwards", "backwards-dotted", "skips-are-fine"],
)
def test_recommendation_numbers_going_back_or_repeated_warn(source: str, expected: list[str]) -> None:
    doc = parse_draft(f"# Eixo\n{source}")
    assert doc.ok
    assert messages(doc.warnings) == expected


def test_recommendations_without_any_heading() -> None:
    doc = parse_draft("Recomendações do grupo:\n\n1. Primeira.\n2. Segunda.")
    assert doc.intro == "Recomendações do grupo:"
    assert [a.label for a in doc.articles] == ["Recomendação 1", "Recomendação 2"]


@pytest.mark.parametrize(
    "paragraph",
    ["1.500 pessoas participaram da consulta.", "2024 foi o ano da consulta.", "3,5 milhões de acessos."],
)
def test_number_at_paragraph_start_is_not_a_recommendation(paragraph: str) -> None:
    article = only_article(parse_draft(f"# Contexto\n\n{paragraph}"))
    assert (article.kind, article.label, article.body) == ("paragraph", "Trecho 1", paragraph)


# --------------------------------------------------------------------------------------------------
# Decidim-style paragraphs
# --------------------------------------------------------------------------------------------------


def test_plain_paragraphs_under_headings_become_trechos_numbered_across_document() -> None:
    doc = parse_draft(
        "# Introdução\n\nPrimeiro parágrafo\nquebrado em duas linhas.\n\nSegundo parágrafo.\n\n"
        "# Diagnóstico\n\nTerceiro parágrafo."
    )
    assert [
        (s.title if s else None, a.kind, a.number, a.label, a.body, a.line) for s, a in doc.iter_articles()
    ] == [
        ("Introdução", "paragraph", "1", "Trecho 1", "Primeiro parágrafo quebrado em duas linhas.", 3),
        ("Introdução", "paragraph", "2", "Trecho 2", "Segundo parágrafo.", 6),
        ("Diagnóstico", "paragraph", "3", "Trecho 3", "Terceiro parágrafo.", 10),
    ]
    assert doc.sections[0].intro == ""


def test_document_without_headings_or_articles_becomes_trechos() -> None:
    doc = parse_draft("Primeiro.\n\nSegundo\ncontinua.")
    assert doc.intro == ""
    assert [(a.label, a.body) for a in doc.articles] == [
        ("Trecho 1", "Primeiro."),
        ("Trecho 2", "Segundo continua."),
    ]


# --------------------------------------------------------------------------------------------------
# Ignored Markdown
# --------------------------------------------------------------------------------------------------


def test_front_matter_comments_and_rules_are_ignored_and_lines_kept() -> None:
    doc = parse_draft(
        "---\ntitle: Estratégia\nversion: 2\n---\n"  # lines 1-4
        "<!-- nota interna\nem duas linhas -->\n"  # lines 5-6
        "# Capítulo <!-- comentário -->\n"  # line 7
        "Art. 1º Um.\n"  # line 8
        "***\n"  # line 9
        "Art. 3º Três.\n"  # line 10
        "- - -\n"
    )
    assert doc.intro == ""
    assert [(s.title, s.line) for s in doc.sections] == [("Capítulo", 7)]
    assert [(a.label, a.body, a.line) for _, a in doc.iter_articles()] == [
        ("Art. 1º", "Um.", 8),
        ("Art. 3º", "Três.", 10),
    ]
    assert messages(doc.warnings) == ["Linha 10: o Art. 3º veio depois do Art. 1º (esperado Art. 2º)."]


def test_rule_between_paragraphs_separates_them() -> None:
    doc = parse_draft("# A\nUm\n---\nDois")
    assert [a.body for _, a in doc.iter_articles()] == ["Um", "Dois"]


def test_dashes_not_at_top_are_a_rule_not_front_matter() -> None:
    doc = parse_draft("\n---\nnão é metadado\n---\n# A\nArt. 1º Um.")
    assert doc.intro == "não é metadado"
    assert labels(doc) == ["Art. 1º"]


# --------------------------------------------------------------------------------------------------
# Errors and document helpers
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "source",
    ["# Título\n\n## Subtítulo\n", "Apresentação.\n\n# Título\n", "<!-- só comentário -->\n---\n"],
    ids=["only-headings", "intro-only", "only-ignored-markup"],
)
def test_document_without_articles_is_an_error(source: str) -> None:
    doc = parse_draft(source)
    assert not doc.ok
    assert doc.errors == [Problem(None, NO_ARTICLES)]


def test_empty_section_is_allowed() -> None:
    doc = parse_draft("# Título I\n## Capítulo I\nArt. 1º Um.")
    assert doc.ok
    assert doc.sections[0].articles == []


def test_iter_articles_yields_document_order_with_sections() -> None:
    doc = parse_draft(
        "Art. 1º Antes.\n"
        "# A\nArt. 2º Em A.\n"
        "## A.1\nArt. 3º Em A.1.\n"
        "### A.1.a\nArt. 4º Em A.1.a.\n"
        "## A.2\nArt. 5º Em A.2.\n"
        "# B\nArt. 6º Em B.\n"
    )
    assert [(s.title if s else None, a.label) for s, a in doc.iter_articles()] == [
        (None, "Art. 1º"),
        ("A", "Art. 2º"),
        ("A.1", "Art. 3º"),
        ("A.1.a", "Art. 4º"),
        ("A.2", "Art. 5º"),
        ("B", "Art. 6º"),
    ]
    assert [s.title for s in doc.iter_sections()] == ["A", "A.1", "A.1.a", "A.2", "B"]
    assert doc.article_count == 6
    assert doc.ok
    assert doc.warnings == []


def test_document_ok_reflects_errors_only() -> None:
    assert DraftDocument(warnings=[Problem(1, "x")]).ok
    assert not DraftDocument(errors=[Problem(None, "x")]).ok
    assert DraftSection(title="T", depth=1, line=1).articles == []


def test_parse_upload_prepends_decode_warnings() -> None:
    doc = parse_upload("Art. 1º Ação.\nArt. 3º Três.".encode("latin-1"))
    assert [w.line for w in doc.warnings] == [None, 2]


# --------------------------------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------------------------------


def test_render_escapes_every_piece_of_text() -> None:
    html = render_article_body(
        '<script>alert("x")</script>\nI – <b>negrito</b> & cia\na) <img src=x onerror=1>'
    )
    assert "<script>" not in html
    assert "<b>" not in html
    assert "<img" not in html
    assert html == (
        '<p class="caput">&lt;script&gt;alert("x")&lt;/script&gt;</p>'
        '<ol class="incisos"><li><span class="marker">I –</span> &lt;b&gt;negrito&lt;/b&gt; &amp; cia'
        '<ol class="alineas"><li><span class="marker">a)</span> &lt;img src=x onerror=1&gt;</li></ol></li></ol>'
    )


def test_render_returns_a_plain_str() -> None:
    assert type(render_article_body("Texto.")) is str
    assert render_article_body("") == ""


def test_render_nests_alineas_in_incisos_and_items_in_alineas() -> None:
    body = (
        "São princípios:\n"
        "I – governo centrado no cidadão;\n"
        "II – transparência:\n"
        "a) dados abertos;\n"
        "1. em formato aberto;\n"
        "- com metadados;\n"
        "b) linguagem simples;\n"
        "III – eficiência."
    )
    assert render_article_body(body) == (
        '<p class="caput">São princípios:</p>'
        '<ol class="incisos">'
        '<li><span class="marker">I –</span> governo centrado no cidadão;</li>'
        '<li><span class="marker">II –</span> transparência:'
        '<ol class="alineas">'
        '<li><span class="marker">a)</span> dados abertos;'
        '<ol class="itens">'
        '<li><span class="marker">1.</span> em formato aberto;</li>'
        '<li><span class="marker">•</span> com metadados;</li>'
        "</ol></li>"
        '<li><span class="marker">b)</span> linguagem simples;</li>'
        "</ol></li>"
        '<li><span class="marker">III –</span> eficiência.</li>'
        "</ol>"
    )


def test_render_paragraphs_and_incisos_after_them() -> None:
    body = "Caput.\n§ 1º Primeiro:\nI – inciso do parágrafo.\n§ 10. Décimo.\nParágrafo único. Único."
    assert render_article_body(body) == (
        '<p class="caput">Caput.</p>'
        '<p class="paragrafo"><span class="marker">§ 1º</span> Primeiro:</p>'
        '<ol class="incisos"><li><span class="marker">I –</span> inciso do parágrafo.</li></ol>'
        '<p class="paragrafo"><span class="marker">§ 10.</span> Décimo.</p>'
        '<p class="paragrafo"><span class="marker">Parágrafo único.</span> Único.</p>'
    )


def test_render_items_and_alineas_at_caput_level() -> None:
    assert render_article_body("Caput:\na) primeira;\n1. item da alínea;\nb) segunda.") == (
        '<p class="caput">Caput:</p>'
        '<ol class="alineas"><li><span class="marker">a)</span> primeira;'
        '<ol class="itens"><li><span class="marker">1.</span> item da alínea;</li></ol></li>'
        '<li><span class="marker">b)</span> segunda.</li></ol>'
    )


def test_render_recommendation_body_plain_lines_as_paragraphs() -> None:
    assert render_article_body("Criar um portal:\n- com busca;\nJustificativa.") == (
        '<p class="caput">Criar um portal:</p>'
        '<ol class="itens"><li><span class="marker">•</span> com busca;</li></ol>'
        "<p>Justificativa.</p>"
    )


def test_render_body_without_caput_starts_with_list() -> None:
    assert render_article_body("I – primeiro;\nII – segundo.") == (
        '<ol class="incisos"><li><span class="marker">I –</span> primeiro;</li>'
        '<li><span class="marker">II –</span> segundo.</li></ol>'
    )


def test_render_parsed_article_end_to_end() -> None:
    article = only_article(
        parse_draft("Art. 1º Compete:\nI - planejar;\nParágrafo único. Cabe <b>recurso</b>.")
    )
    assert render_article_body(article.body) == (
        '<p class="caput">Compete:</p>'
        '<ol class="incisos"><li><span class="marker">I –</span> planejar;</li></ol>'
        '<p class="paragrafo"><span class="marker">Parágrafo único.</span> Cabe &lt;b&gt;recurso&lt;/b&gt;.</p>'
    )


def test_prose_in_a_document_with_articles_introduces_its_section() -> None:
    doc = parse_draft(
        "# Decreto\nO PRESIDENTE DA REPÚBLICA DECRETA:\n## Capítulo I\nArt. 1º Um.\n"
        "# Anexo\nEste anexo reúne recomendações.\n## Objetivo 1\n1.1 Fazer algo.\n"
    )
    decree, annex = doc.sections
    assert decree.intro == "O PRESIDENTE DA REPÚBLICA DECRETA:" and decree.articles == []
    assert annex.intro == "Este anexo reúne recomendações." and annex.articles == []
    assert [a.label for _, a in doc.iter_articles()] == ["Art. 1º", "Recomendação 1.1"]
