"""The draft importer on documents as ministries write them: pasted gazette text, participatory texts,
numbering mistakes, inline Markdown, and Word/LibreOffice files built here with python-docx and odfpy.

Each corpus document (tests/data/drafts/) is asserted exactly: outline (sections, articles and bodies),
warnings, intro and closing; and no word of the source is lost or invented.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections import Counter
from pathlib import Path

import docx
import pytest
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from hypothesis import given, settings
from hypothesis import strategies as st
from odf.opendocument import OpenDocumentText
from odf.style import Style, TextProperties
from odf.table import Table, TableCell, TableColumn, TableRow
from odf.text import H, List, ListItem, ListLevelStyleNumber, ListStyle, Note, NoteBody, NoteCitation, P, Span

from consulta.drafts import (
    DraftDocument,
    article_parts,
    parse_draft,
    parse_pasted,
    parse_upload,
    render_article_body,
    to_markdown,
)

CORPUS = Path(__file__).parent / "data" / "drafts"


def outline(doc: DraftDocument) -> list[str]:
    """The document as lines: intro, headings (with their intro), "label @line: body", closing."""
    out = [f"intro: {doc.intro}"] if doc.intro else []
    out += [f"{a.label} @{a.line}: {a.body}" for a in doc.articles]

    def walk(sections) -> None:
        for s in sections:
            out.append(f"{'#' * s.depth} {s.title}" + (f" | {s.intro}" if s.intro else ""))
            out.extend(f"{a.label} @{a.line}: {a.body}" for a in s.articles)
            walk(s.children)

    walk(doc.sections)
    if doc.closing:
        out.append(f"closing: {doc.closing}")
    return out


def messages(doc: DraftDocument) -> list[str]:
    return [problem.message for problem in doc.warnings]


_WORD_RE = re.compile(r"[^\W\d_]{3,}")
_LABEL_WORDS = {"Recomendação", "Trecho"}


def words(text: str) -> Counter[str]:
    """Words of three letters or more (markers, numbers and Markdown punctuation left out)."""
    return Counter(w for w in _WORD_RE.findall(unicodedata.normalize("NFC", text)) if w not in _LABEL_WORDS)


def shown_words(doc: DraftDocument) -> Counter[str]:
    """Words the consultation shows: titles, intros, article labels and bodies, the closing."""
    parts = [doc.intro, doc.closing]
    parts += [s.title for s in doc.iter_sections()] + [s.intro for s in doc.iter_sections()]
    parts += [f"{a.label} {a.body}" for _, a in doc.iter_articles()]
    return words("\n".join(parts))


# --------------------------------------------------------------------------------------------------
# Text pasted from the legislation site
# --------------------------------------------------------------------------------------------------

LEI_OUTLINE = [
    "intro: LEI Nº 99.123, DE 10 DE MARÇO DE 2027\n\n"
    "Dispõe sobre a governança digital e altera a Lei nº 99.000, de 2 de janeiro de 2026.\n\n"
    "O PRESIDENTE DA REPÚBLICA Faço saber que o Congresso Nacional decreta e eu sanciono a seguinte Lei:",
    "# TÍTULO I – DISPOSIÇÕES PRELIMINARES",
    "## CAPÍTULO I – DO OBJETO",
    "Art. 1º @13: Esta Lei dispõe sobre a governança digital da administração pública federal, nos termos do "
    "art. 37 da Constituição Federal.",
    "Art. 2º @16: Para os fins desta Lei, considera-se:\n"
    "I – serviço digital: serviço prestado por meio eletrônico;\n"
    "II – plataforma: conjunto de soluções tecnológicas;\n"
    "III – dado aberto: dado acessível ao público, observado o disposto no Art. 5º desta Lei.",
    "Art. 3º @25: (VETADO).",
    "## CAPÍTULO II – DO TRATAMENTO DE DADOS PESSOAIS",
    "### Seção I – Dos Requisitos",
    "Art. 4º @33: O tratamento de dados observará:\n"
    "I – a finalidade; (Incluído pela Lei nº 99.300, de 2027)\n"
    "II – a necessidade; (Redação dada pela Lei nº 99.200, de 2027)\n"
    "III – (Revogado).\n"
    "§ 1º Os órgãos publicarão relatório anual.\n"
    "§ 1º Os relatórios serão acessíveis.",
    "### Subseção I – Das Alterações",
    "Art. 5º @50: A Lei nº 99.000, de 2 de janeiro de 2026, passa a vigorar com as seguintes alterações:\n"
    '> "Art. 3º-A Os órgãos manterão inventário de dados.\n'
    "> I - dos sistemas;\n"
    '> II - das bases." (NR)',
    "Art. 6º @58: Esta Lei entra em vigor na data de sua publicação.",
    "closing: Brasília, 10 de março de 2027; 206º da Independência e 139º da República.\n"
    "FULANO DE TAL\nBeltrana de Souza",
]
LEI_WARNINGS = [
    'Linha 18: "I. serviço d" foi lido como inciso; a forma da norma é "I –" para incisos e "a)" para alíneas.',
    "Linha 45: § 1º está repetido em Art. 4º (esperado § 2º).",
    'Linha 47: o texto tem mais de três níveis de títulos; "Subseção I – Das Alterações" foi posto no terceiro.',
]

PARTICIPATIVO_OUTLINE = [
    "# Plano de Dados Abertos | Este plano organiza a abertura de dados do ministério em três partes:",
    "Recomendação 1 @5: diagnóstico das bases existentes;",
    "Recomendação 2 @6: metas de publicação;",
    "Recomendação 3 @7: acompanhamento pela sociedade.",
    "## Diagnóstico",
    "Trecho 1 @11: O ministério mantém hoje quarenta bases de dados, das quais doze já são publicadas "
    "em formato aberto.",
    "Trecho 2 @14: As demais dependem de revisão jurídica antes da publicação.",
    "## Metas | Prioridades de publicação para o biênio:",
    "Recomendação 4 @20: orçamento detalhado por programa;",
    "Recomendação 5 @21: contratos e convênios;",
    "Recomendação 6 @22: indicadores de atendimento.",
    "Trecho 3 @24: Prazos por trimestre:",
    "Recomendação 1 (2) @26: publicar o catálogo;",
    "Recomendação 2 (2) @27: publicar as bases prioritárias;",
    "Recomendação 3 (2) @28: revisar a qualidade dos dados.",
    "Trecho 4 @30: As metas serão revistas a cada ano, com participação do Comitê de Dados.",
    "## Acompanhamento",
    "Trecho 5 @34: Um painel público mostrará o andamento de cada meta.",
]
PARTICIPATIVO_WARNINGS = [
    f'Linha {line}: a Recomendação {n} está repetida; foi chamada de "Recomendação {n} (2)".'
    for line, n in ((26, 1), (27, 2), (28, 3))
]

SEQUENCIAS_OUTLINE = [
    "# Capítulo I — Sequências",
    "Art. 1º @3: Compete ao Comitê:\nI – aprovar o plano;\nIII – publicar o relatório;\n"
    "III – acompanhar as metas:\na) mensalmente;\nc) anualmente;\n1. em sessão pública;\n3. com ata.",
    "Art. 2º @12: O plano conterá II – metas e indicadores.",
    "Art. 3º @15: Parágrafo com lacuna.\n§ 1º Primeiro.\n§ 3º Terceiro.\nParágrafo único. Único.",
    "Art. 3º @20: Artigo repetido.",
    "Art. 5º @22: Artigo que pula o quarto.",
    "Art. 6º @24: Alíneas com ponto:\nI – primeiro inciso:\na) primeira alínea;\nb) segunda alínea.",
]
SEQUENCIAS_WARNINGS = [
    "Linha 5: inciso III veio depois de inciso I em Art. 1º (esperado inciso II).",
    "Linha 6: inciso III está repetido em Art. 1º (esperado inciso IV).",
    "Linha 8: alínea c) veio depois de alínea a) em Art. 1º (esperado alínea b)).",
    "Linha 10: item 3 veio depois de item 1 em Art. 1º (esperado item 2).",
    'Linha 13: "II – metas e indicadores." não segue a numeração e a linha anterior não termina a frase: '
    "a linha foi juntada ao texto anterior.",
    "Linha 17: § 3º veio depois de § 1º em Art. 3º (esperado § 2º).",
    "Linha 18: Art. 3º tem parágrafo único e também outros parágrafos.",
    "Linha 20: o Art. 3º está repetido (esperado Art. 4º).",
    "Linha 22: o Art. 5º veio depois do Art. 3º (esperado Art. 4º).",
    'Linha 26: "a. primeira" foi lido como alínea; a forma da norma é "I –" para incisos e "a)" para alíneas.',
]

FORMATACAO_OUTLINE = [
    "# Recomendações",
    "Recomendação 1 @3: Publicar os dados em **formato aberto**, com *metadados* e licença "
    "[CC-BY](https://creativecommons.org/licenses/by/4.0/).",
    "Recomendação 2 @5: Exibir o mapa de atendimento: ![Mapa do Brasil](https://exemplo.gov.br/mapa.png)",
    "## Citações e tabelas",
    "Art. 1º @9: O cronograma segue a tabela:\n| Etapa | Prazo |\n| --- | --- |\n| Catálogo | março |\n"
    "| Bases | junho |\n> Nota: prazos sujeitos a revisão.",
    "Art. 2º @18: Cabe <b>recurso</b> ao Comitê.",
    "## Contexto",
    "Trecho 1 @22: > O governo digital é **para todos**.",
    "Trecho 2 @24: | Ano | Bases abertas |\n| --- | --- |\n| 2026 | doze |",
]

CASES = {
    "lei_planalto.txt": (LEI_OUTLINE, LEI_WARNINGS),
    "texto_participativo.md": (PARTICIPATIVO_OUTLINE, PARTICIPATIVO_WARNINGS),
    "sequencias.md": (SEQUENCIAS_OUTLINE, SEQUENCIAS_WARNINGS),
    "formatacao.md": (FORMATACAO_OUTLINE, []),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_corpus_document_imports_to_the_expected_structure_and_warnings(name: str) -> None:
    doc = parse_upload((CORPUS / name).read_bytes())
    expected_outline, expected_warnings = CASES[name]
    assert doc.ok, doc.errors
    assert outline(doc) == expected_outline
    assert messages(doc) == expected_warnings


@pytest.mark.parametrize("name", sorted(CASES))
def test_corpus_document_keeps_every_word(name: str) -> None:
    source = (CORPUS / name).read_text(encoding="utf-8")
    assert shown_words(parse_draft(source)) == words(source)


def test_gazette_headings_are_sections_and_never_glued_to_the_article_before() -> None:
    doc = parse_draft((CORPUS / "lei_planalto.txt").read_text(encoding="utf-8"))
    bodies = " ".join(a.body for _, a in doc.iter_articles())
    assert "CAPÍTULO" not in bodies and "Seção" not in bodies and "Brasília" not in bodies
    assert [s.depth for s in doc.iter_sections()] == [1, 2, 2, 3, 3]


def test_amendment_quotation_keeps_its_incisos_out_of_the_host_article() -> None:
    doc = parse_draft((CORPUS / "lei_planalto.txt").read_text(encoding="utf-8"))
    article = next(a for _, a in doc.iter_articles() if a.label == "Art. 5º")
    assert [p.key for p in article_parts(article.body)] == ["caput"]
    assert "<blockquote>" in render_article_body(article.body)


def test_notes_of_the_consolidated_text_are_marked_in_the_page() -> None:
    html = render_article_body("I – a necessidade; (Redação dada pela Lei nº 99.200, de 2027)\nII – (Revogado).")
    assert '<span class="nota">(Redação dada pela Lei nº 99.200, de 2027)</span>' in html
    assert '<span class="nota">(Revogado)</span>' in html


def test_article_citation_wrapped_onto_a_new_line_does_not_start_an_article() -> None:
    doc = parse_draft("Art. 1º Aplica-se o disposto no\nArt. 5º da Lei nº 1, de 2020.\nArt. 2º Outro.")
    assert [a.label for _, a in doc.iter_articles()] == ["Art. 1º", "Art. 2º"]
    assert messages(doc) == []


def test_paragraph_after_a_list_is_commentable_not_glued_to_the_last_item() -> None:
    doc = parse_draft("# Metas\n\n- publicar;\n- revisar.\n\nParágrafo depois da lista.")
    assert [(a.label, a.body) for _, a in doc.iter_articles()] == [
        ("Recomendação 1", "publicar;"), ("Recomendação 2", "revisar."), ("Trecho 1", "Parágrafo depois da lista."),
    ]


def test_inline_markdown_is_rendered_and_sanitized_and_images_are_only_links() -> None:
    doc = parse_draft((CORPUS / "formatacao.md").read_text(encoding="utf-8"))
    html = {a.label: render_article_body(a.body) for _, a in doc.iter_articles()}
    assert html["Recomendação 1"] == (
        '<p class="caput">Publicar os dados em <strong>formato aberto</strong>, com <em>metadados</em> e licença '
        '<a href="https://creativecommons.org/licenses/by/4.0/" rel="nofollow ugc noopener">CC-BY</a>.</p>'
    )
    assert "<img" not in html["Recomendação 2"]
    assert html["Recomendação 2"].endswith(
        'Mapa do Brasil (<a href="https://exemplo.gov.br/mapa.png" rel="nofollow ugc noopener">imagem</a>)</p>'
    )
    assert html["Art. 1º"] == (
        '<p class="caput">O cronograma segue a tabela:</p><table class="tabela"><tr><th>Etapa</th><th>Prazo</th></tr>'
        "<tr><td>Catálogo</td><td>março</td></tr><tr><td>Bases</td><td>junho</td></tr></table>"
        "<blockquote><p>Nota: prazos sujeitos a revisão.</p></blockquote>"
    )
    assert html["Art. 2º"] == '<p class="caput">Cabe &lt;b&gt;recurso&lt;/b&gt; ao Comitê.</p>'
    assert html["Trecho 1"] == "<blockquote><p>O governo digital é <strong>para todos</strong>.</p></blockquote>"
    assert html["Trecho 2"] == (
        '<table class="tabela"><tr><th>Ano</th><th>Bases abertas</th></tr><tr><td>2026</td><td>doze</td></tr></table>'
    )


def test_pasted_text_over_two_megabytes_gets_the_importers_message() -> None:
    doc = parse_pasted("Art. 1º " + "palavra " * 300_000)
    assert [p.message for p in doc.errors] == ["O texto colado tem 2,3 MB; o limite é 2 MB."]


# --------------------------------------------------------------------------------------------------
# Parts of an article
# --------------------------------------------------------------------------------------------------


def test_every_part_of_an_article_has_a_stable_key_and_label() -> None:
    body = ("Compete:\nI – planejar;\nII – executar:\na) obras;\n1. públicas;\nb) serviços.\n"
            "§ 1º Cabe recurso:\nI – ao Comitê.\nParágrafo único. Fim.")
    assert [(p.key, p.label, p.source) for p in article_parts(body)] == [
        ("caput", "caput", "Compete:"),
        ("inc-I", "inciso I", "I – planejar;"),
        ("inc-II", "inciso II", "II – executar:"),
        ("inc-II-ali-a", "inciso II, alínea a", "a) obras;"),
        ("inc-II-ali-a-ite-1", "inciso II, alínea a, item 1", "1. públicas;"),
        ("inc-II-ali-b", "inciso II, alínea b", "b) serviços."),
        ("par-1", "§ 1º", "§ 1º Cabe recurso:"),
        ("par-1-inc-I", "§ 1º, inciso I", "I – ao Comitê."),
        ("par-unico", "parágrafo único", "Parágrafo único. Fim."),
    ]


def test_repeated_markers_still_get_distinct_part_keys() -> None:
    assert [p.key for p in article_parts("Caput:\nI – um;\nI – outro.")] == ["caput", "inc-I", "inc-I-2"]


def test_page_rendering_marks_parts_with_counts_and_links() -> None:
    html = render_article_body("Compete:\nI – planejar;", counts={"inc-I": 3},
                               part_link=lambda key: f"/c?parte={key}", selected="inc-I")
    assert 'id="parte-inc-I"' in html and "parte--selecionada" in html
    assert '<span class="parte__contagem">3<span class="visually-hidden"> contribuições em inciso I</span></span>' in html
    assert 'href="/c?parte=inc-I"' in html


# --------------------------------------------------------------------------------------------------
# Word and LibreOffice files
# --------------------------------------------------------------------------------------------------


def _numbered(paragraph, num_id: str, level: int = 0) -> None:
    paragraph._p.get_or_add_pPr().append(parse_xml(
        f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{level}"/><w:numId w:val="{num_id}"/></w:numPr>'
    ))


def build_docx() -> bytes:
    """A decree as a ministry writes it in Word: heading styles, Word's own I –/a) numbering, bold, a table."""
    document = docx.Document()
    numbering = document.part.numbering_part.element
    numbering.insert(0, parse_xml(
        f'<w:abstractNum {nsdecls("w")} w:abstractNumId="90">'
        '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="upperRoman"/><w:lvlText w:val="%1 –"/></w:lvl>'
        '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="lowerLetter"/><w:lvlText w:val="%2)"/></w:lvl>'
        "</w:abstractNum>"
    ))
    numbering.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="90"><w:abstractNumId w:val="90"/></w:num>'))
    document.add_paragraph("DECRETO Nº 1, DE 2027")
    document.add_heading("Capítulo I — Disposições gerais", level=1)
    paragraph = document.add_paragraph("Art. 1º Fica instituída a ")
    paragraph.add_run("Política Nacional").bold = True
    paragraph.add_run(" de ")
    paragraph.add_run("Exemplo").italic = True
    paragraph.add_run(".")
    document.add_paragraph("Art. 2º Considera-se:")
    _numbered(document.add_paragraph("serviço digital: serviço prestado por meio eletrônico;"), "90")
    _numbered(document.add_paragraph("plataforma: conjunto de soluções:"), "90")
    _numbered(document.add_paragraph("de governo;"), "90", 1)
    _numbered(document.add_paragraph("de mercado."), "90", 1)
    document.add_heading("Seção I — Do Comitê", level=2)
    document.add_paragraph("Art. 3º O Comitê terá a composição da tabela:")
    table = document.add_table(rows=2, cols=2)
    for (row, col), text in {(0, 0): "Órgão", (0, 1): "Vagas", (1, 0): "Ministério", (1, 1): "2"}.items():
        table.cell(row, col).text = text
    document.add_paragraph("Parágrafo único. Os membros não serão remunerados.")
    document.add_paragraph("Brasília, 1º de julho de 2027; 206º da Independência e 139º da República.")
    document.add_paragraph("FULANO DE TAL")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def build_odt() -> bytes:
    """The same kind of decree written in LibreOffice: outline headings, an I –/a) list style, bold, a footnote."""
    document = OpenDocumentText()
    bold = Style(name="Negrito", family="text")
    bold.addElement(TextProperties(fontweight="bold"))
    document.automaticstyles.addElement(bold)
    incisos = ListStyle(name="Incisos")
    incisos.addElement(ListLevelStyleNumber(level=1, numformat="I", numsuffix=" –"))
    incisos.addElement(ListLevelStyleNumber(level=2, numformat="a", numsuffix=")"))
    document.automaticstyles.addElement(incisos)
    document.text.addElement(H(outlinelevel=1, text="Capítulo I — Disposições gerais"))
    paragraph = P(text="Art. 1º Fica instituída a ")
    paragraph.addElement(Span(stylename=bold, text="Política Nacional"))
    paragraph.addText(".")
    document.text.addElement(paragraph)
    document.text.addElement(P(text="Art. 2º Considera-se:"))
    outer = List(stylename=incisos)
    for text in ("serviço digital;", "plataforma:"):
        item = ListItem()
        item.addElement(P(text=text))
        outer.addElement(item)
    inner = List()
    for text in ("de governo;", "de mercado."):
        sub = ListItem()
        sub.addElement(P(text=text))
        inner.addElement(sub)
    item.addElement(inner)
    document.text.addElement(outer)
    paragraph = P(text="Parágrafo único. Aplica-se a norma")
    note = Note(id="n1", noteclass="footnote")
    note.addElement(NoteCitation(text="1"))
    body = NoteBody()
    body.addElement(P(text="Lei nº 1, de 2020."))
    note.addElement(body)
    paragraph.addElement(note)
    paragraph.addText(" vigente.")
    document.text.addElement(paragraph)
    table = Table(name="Composicao")
    table.addElement(TableColumn(numbercolumnsrepeated=2))
    for cells in (("Órgão", "Vagas"), ("Ministério", "2")):
        row = TableRow()
        for text in cells:
            cell = TableCell()
            cell.addElement(P(text=text))
            row.addElement(cell)
        table.addElement(row)
    document.text.addElement(table)
    buffer = io.BytesIO()
    document.write(buffer)
    return buffer.getvalue()


def test_docx_imports_with_heading_styles_numbering_emphasis_table_and_closing() -> None:
    doc = parse_upload(build_docx())
    assert doc.ok and messages(doc) == []
    assert outline(doc) == [
        "intro: DECRETO Nº 1, DE 2027",
        "# Capítulo I — Disposições gerais",
        "Art. 1º @3: Fica instituída a **Política Nacional** de *Exemplo*.",
        "Art. 2º @4: Considera-se:\nI – serviço digital: serviço prestado por meio eletrônico;\n"
        "II – plataforma: conjunto de soluções:\na) de governo;\nb) de mercado.",
        "## Seção I — Do Comitê",
        "Art. 3º @10: O Comitê terá a composição da tabela:\n| Órgão | Vagas |\n| --- | --- |\n| Ministério | 2 |\n"
        "Parágrafo único. Os membros não serão remunerados.",
        "closing: Brasília, 1º de julho de 2027; 206º da Independência e 139º da República.\nFULANO DE TAL",
    ]


def test_odt_imports_with_outline_headings_list_numbering_emphasis_footnote_and_table() -> None:
    doc = parse_upload(build_odt())
    assert doc.ok and messages(doc) == []
    assert outline(doc) == [
        "# Capítulo I — Disposições gerais",
        "Art. 1º @2: Fica instituída a **Política Nacional**.",
        "Art. 2º @3: Considera-se:\nI – serviço digital;\nII – plataforma:\na) de governo;\nb) de mercado.\n"
        "Parágrafo único. Aplica-se a norma [nota: Lei nº 1, de 2020.] vigente.\n"
        "| Órgão | Vagas |\n| --- | --- |\n| Ministério | 2 |",
    ]


def test_problems_in_word_files_name_the_paragraph() -> None:
    document = docx.Document()
    document.add_paragraph("Art. 1º Um.")
    document.add_paragraph("Art. 3º Três.")
    buffer = io.BytesIO()
    document.save(buffer)
    assert messages(parse_upload(buffer.getvalue())) == ["Parágrafo 2: o Art. 3º veio depois do Art. 1º (esperado Art. 2º)."]


def test_damaged_word_file_is_refused_with_a_clear_message() -> None:
    data = bytearray(build_docx())
    data[len(data) // 2: len(data) // 2 + 200] = b"\0" * 200
    doc = parse_upload(bytes(data))
    assert not doc.ok
    assert doc.errors[0].message.startswith(("O arquivo do Word não pôde ser lido", "O arquivo não é um arquivo de texto"))


# --------------------------------------------------------------------------------------------------
# Round trip
# --------------------------------------------------------------------------------------------------

_WORD = st.text(alphabet="abcdefghijlmnopqrstuvxzçãéíóú", min_size=3, max_size=9)
_SENTENCE = st.lists(_WORD, min_size=1, max_size=6).map(lambda ws: " ".join(ws).capitalize() + ".")
_ROMANS = ["I", "II", "III", "IV", "V", "VI"]


@st.composite
def _article_body(draw) -> str:
    lines = [draw(_SENTENCE)]
    for index in range(draw(st.integers(0, 3))):
        lines.append(f"{_ROMANS[index]} – {draw(_SENTENCE).lower()}")
        for letter in "abc"[: draw(st.integers(0, 2))]:
            lines.append(f"{letter}) {draw(_SENTENCE).lower()}")
    for number in range(1, draw(st.integers(0, 2)) + 1):
        lines.append(f"§ {number}º {draw(_SENTENCE)}")
    return "\n".join(lines)


@st.composite
def _markdown(draw) -> str:
    """Chapters of articles, of numbered recommendations ("2.1") or of prose paragraphs, in any mix."""
    out, article = [], 0
    for chapter in range(1, draw(st.integers(1, 4)) + 1):
        out.append(f"## Capítulo {chapter} {draw(_WORD)}")
        kind = draw(st.sampled_from(["articles", "recommendations", "prose"]))
        for index in range(1, draw(st.integers(1, 3)) + 1):
            if kind == "articles":
                article += 1
                number = f"{article}º" if article < 10 else f"{article}."
                out.append(f"Art. {number} {draw(_article_body())}")
            elif kind == "recommendations":
                out.append(f"{chapter}.{index}. {draw(_SENTENCE)}")
            else:
                out.append(" ".join(draw(st.lists(_SENTENCE, min_size=1, max_size=3))))
    return "\n\n".join(out) + "\n"


@settings(max_examples=60, deadline=None)
@given(_markdown())
def test_markdown_to_structure_to_markdown_round_trip(source: str) -> None:
    doc = parse_draft(source)
    assert doc.ok and messages(doc) == []
    assert to_markdown(doc) == source
    assert outline(parse_draft(to_markdown(doc))) == outline(doc)


def test_docx_saved_by_libreoffice_imports_like_the_odt_it_came_from(tmp_path) -> None:
    import shutil
    import subprocess

    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (Debian's libreoffice-writer-nogui) is not installed; .ci/run installs it")
    (tmp_path / "decreto.odt").write_bytes(build_odt())
    subprocess.run(
        [soffice, "--headless", "--norestore", f"-env:UserInstallation=file://{tmp_path}/perfil",
         "--convert-to", "docx", "--outdir", str(tmp_path), str(tmp_path / "decreto.odt")],
        check=True, capture_output=True, timeout=120,
    )
    from_word, from_odt = parse_upload((tmp_path / "decreto.docx").read_bytes()), parse_upload(build_odt())
    assert from_word.ok and messages(from_word) == []
    assert outline(from_word) == outline(from_odt)


def test_xss_payloads_in_a_draft_render_inert_in_every_position() -> None:
    from tests.test_text import PAYLOADS
    from tests.xss import active_content

    for number, payload in PAYLOADS:
        body = f"{payload}\nI – {payload}\na) {payload}\n| {payload} | x |\n> {payload}\n§ 1º {payload}"
        for html in (render_article_body(body),
                     render_article_body(body, counts={"inc-I": 1}, part_link=lambda key: f"/a?parte={key}")):
            assert active_content(html) == [], (number, payload)


def test_each_word_processor_paragraph_is_a_paragraph_of_its_own() -> None:
    document = docx.Document()
    document.add_paragraph("Apresentação do plano.")
    document.add_paragraph("Segundo parágrafo da apresentação.")
    document.add_heading("Diagnóstico", level=1)
    document.add_paragraph("Primeiro trecho comentável.")
    document.add_paragraph("Segundo trecho comentável.")
    buffer = io.BytesIO()
    document.save(buffer)
    assert outline(parse_upload(buffer.getvalue())) == [
        "intro: Apresentação do plano.\n\nSegundo parágrafo da apresentação.",
        "# Diagnóstico",
        "Trecho 1 @4: Primeiro trecho comentável.",
        "Trecho 2 @5: Segundo trecho comentável.",
    ]


def test_odt_list_numbering_continues_after_an_interrupting_paragraph() -> None:
    document = OpenDocumentText()
    style = ListStyle(name="Incisos")
    style.addElement(ListLevelStyleNumber(level=1, numformat="I", numsuffix=" –"))
    document.automaticstyles.addElement(style)
    document.text.addElement(P(text="Art. 1º Compete:"))
    for text, attributes in (("planejar;", {}), ("executar.", {"continuenumbering": "true"})):
        items = List(stylename=style, **attributes)
        item = ListItem()
        item.addElement(P(text=text))
        items.addElement(item)
        document.text.addElement(items)
        if not attributes:
            document.text.addElement(P(text="Texto entre os incisos."))
    buffer = io.BytesIO()
    document.write(buffer)
    doc = parse_upload(buffer.getvalue())
    assert outline(doc) == ["Art. 1º @1: Compete:\nI – planejar;\nTexto entre os incisos.\nII – executar."]
    assert messages(doc) == []


_LEGAL_LINES = st.sampled_from([
    "Art. 1º Texto.", "Art. 3º desta Lei", "§ 1º Texto.", "Parágrafo único. Fim.", "I – inciso;", "II) outro;",
    "a) alínea;", "b. outra;", "1. item;", "- marcador", "> citação", "| a | b |", '"Art. 2º-A Citado." (NR)',
    "CAPÍTULO II", "Seção I", "DAS DISPOSIÇÕES", "(Revogado)", "Brasília, 1º de julho de 2027.", "# Título", "",
])


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(_LEGAL_LINES, st.text(max_size=40)), max_size=40))
def test_any_text_parses_and_renders_without_error_and_part_keys_are_unique(lines: list[str]) -> None:
    doc = parse_draft("\n".join(lines))
    for _, article in doc.iter_articles():
        render_article_body(article.body, part_link=lambda key: key)
        keys = [part.key for part in article_parts(article.body)]
        assert len(keys) == len(set(keys))
