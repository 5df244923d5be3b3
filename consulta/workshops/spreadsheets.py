"""Workshop spreadsheets: the templates facilitators fill in, and parsers that check every row before saving.

Two uploads exist: the input of a workshop (what the room said about each article) and its attendance
list. Both are accepted as CSV (or .txt) and as XLSX, recognised by content, not by name: an XLSX is a
ZIP holding ``xl/workbook.xml``; .xls (OLE2), .ods and other binaries are refused with a message saying
how to save the file instead.

Input columns (header names are matched ignoring case, accents, spaces, "_" and "-"; aliases in brackets):

========================  ==========  ======================================================================
column                    required    content
========================  ==========  ======================================================================
``dispositivo``           yes         the article's label as in the template: "Art. 5º", "Art. 5", "art 5",
                                      "Recomendação 3.2", or only its number ("5", "3.2") when unambiguous
                                      [artigo, article]
``tipo``                  no          Comentário | Nova redação | Supressão (or comment / new_wording /
                                      removal); blank: Nova redação when ``texto_proposto`` is filled,
                                      else Comentário [tipo de contribuição, kind]
``posicao``               no          Concordo | Concordo em parte | Discordo | Sem posição (or agree /
                                      partly / disagree / none): the room's stance; blank: Sem posição
                                      [posição, posição da sala, stance]
``texto``                 yes         what the room said, 1 to 5,000 characters [contribuição, body]
``texto_proposto``        no          the wording proposed, only with tipo Nova redação [nova redação,
                                      redação proposta, proposed_text]
``pessoas_apoiando``      no          how many people backed it: a whole number >= 0 [pessoas, apoios,
                                      número de pessoas, head_count]
``grupo``                 no          the table or group it came from, up to 120 characters [mesa,
                                      group, group_label]
========================  ==========  ======================================================================

Attendee columns: ``nome`` (required), ``organizacao``, ``setor`` (one of the sector names or codes of
`consulta.models.users.Sector`), ``uf`` (a UF code or a state name). Nothing else is kept about a person
(LGPD): a column such as "cpf" or "e-mail" is an error, like any unknown column.

Rules common to both: at most 5 MB and 20,000 rows (plus the caps of `consulta.uploads.sheets`: inflated
size, shared strings, lines and columns, checked before and while parsing); CSV in UTF-8 (with or without BOM), UTF-16 with BOM,
or else read as Windows-1252/Latin-1 with a warning; separator ``;``, ``,`` or tab, detected from the header
line; blank rows are skipped, and so are the template's prefilled rows whose only filled cell is
``dispositivo``. Every problem is a `RowError` with the file's line number (the header is normally line 1),
the canonical column name and a Portuguese message; errors about the whole file have line 0.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from flask import current_app, has_app_context
from flask_babel import format_number
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from sqlalchemy import select

from consulta.extensions import db
from consulta.geo import STATES
from consulta.locale_neutral import in_default_locale
from consulta.models import Article, ArticleKind, Consultation, ContributionKind, Sector, Stance
from consulta.municipalities import fold
from consulta.tabular import csv_writer, safe_row, set_text
from consulta.uploads import sheets
from consulta.uploads.sheets import FileRefused as _FileError

T = TypeVar("T")

MAX_ROWS = 20_000
MAX_ERRORS = 500  # beyond this the list stops and one last error says how many more there were
MAX_HEAD_COUNT = 100_000
BODY_MAX_DEFAULT = 5000  # CONTRIBUTION_MAX_LENGTH when there is an application context
GROUP_MAX = 120
NAME_MAX = 160
ORGANIZATION_MAX = 200

INPUT_SHEET = "Relato"
INPUT_COLUMNS = ["dispositivo", "tipo", "posicao", "texto", "texto_proposto", "pessoas_apoiando", "grupo"]
INPUT_REQUIRED = ("dispositivo", "texto")
ATTENDEE_COLUMNS = ["nome", "organizacao", "setor", "uf"]
ATTENDEE_REQUIRED = ("nome",)

COLUMN_HELP = {
    "dispositivo": _l("Obrigatório. O dispositivo comentado, como na planilha-modelo: \"Art. 5º\" ou "
                   "\"Recomendação 3.2\" (também vale só o número, se não houver dúvida)."),
    "tipo": _l("Comentário, Nova redação ou Supressão. Em branco: Comentário (ou Nova redação, se houver "
            "texto proposto)."),
    "posicao": _l("Posição da sala: Concordo, Concordo em parte, Discordo ou Sem posição. Em branco: Sem posição."),
    "texto": _l("Obrigatório. O que a sala disse, com até 5.000 caracteres."),
    "texto_proposto": _l("Opcional, só para o tipo Nova redação: a redação proposta para o dispositivo."),
    "pessoas_apoiando": _l("Opcional. Quantas pessoas apoiaram: um número inteiro, sem casas decimais."),
    "grupo": _l("Opcional. A mesa ou o grupo de onde veio a contribuição (até 120 caracteres)."),
    "nome": _l("Obrigatório. Nome da pessoa."),
    "organizacao": _l("Opcional. Organização que a pessoa representa."),
    "setor": "Opcional. Um destes: " + "; ".join(s.label for s in Sector) + ".",
    "uf": _l("Opcional. Sigla da UF (por exemplo, SP) ou nome do estado."),
}

_HEADER_ALIASES = {
    "dispositivo": ("dispositivo", "artigo", "article", "dispositivo comentado"),
    "tipo": ("tipo", "tipo de contribuicao", "kind"),
    "posicao": ("posicao", "posicao da sala", "stance", "posicionamento"),
    "texto": ("texto", "contribuicao", "body"),
    "texto_proposto": ("texto proposto", "nova redacao", "redacao proposta", "proposed text"),
    "pessoas_apoiando": ("pessoas apoiando", "pessoas", "apoios", "numero de pessoas", "head count"),
    "grupo": ("grupo", "mesa", "group", "group label"),
    "nome": ("nome", "nome completo", "name"),
    "organizacao": ("organizacao", "instituicao", "entidade", "orgao", "organization"),
    "setor": ("setor", "segmento", "sector"),
    "uf": ("uf", "estado", "state"),
}

_ALLOWED_KINDS = {
    "comentario": ContributionKind.COMMENT, "comment": ContributionKind.COMMENT,
    "nova redacao": ContributionKind.NEW_WORDING, "new wording": ContributionKind.NEW_WORDING,
    "redacao": ContributionKind.NEW_WORDING, "alteracao": ContributionKind.NEW_WORDING,
    "supressao": ContributionKind.REMOVAL, "removal": ContributionKind.REMOVAL,
    "suprimir": ContributionKind.REMOVAL, "exclusao": ContributionKind.REMOVAL, "remocao": ContributionKind.REMOVAL,
}
_NEW_ARTICLE_WORDS = frozenset({"proposta de novo artigo", "novo artigo", "new article"})
_STANCES = {
    "concordo": Stance.AGREE, "concorda": Stance.AGREE, "agree": Stance.AGREE, "a favor": Stance.AGREE,
    "concordo em parte": Stance.PARTLY, "concorda em parte": Stance.PARTLY,
    "concordo parcialmente": Stance.PARTLY, "em parte": Stance.PARTLY, "parcialmente": Stance.PARTLY,
    "partly": Stance.PARTLY,
    "discordo": Stance.DISAGREE, "discorda": Stance.DISAGREE, "disagree": Stance.DISAGREE, "contra": Stance.DISAGREE,
    "sem posicao": Stance.NONE, "sem posicionamento": Stance.NONE, "neutro": Stance.NONE, "neutra": Stance.NONE,
    "none": Stance.NONE,
}
_SECTOR_ALIASES = {"cidadao": Sector.CITIZEN, "cidada": Sector.CITIZEN, "sociedade civil": Sector.CIVIL_SOCIETY,
                   "academia": Sector.ACADEMIA, "universidade": Sector.ACADEMIA,
                   "estados": Sector.STATE_MUNICIPAL, "municipios": Sector.STATE_MUNICIPAL,
                   "empresa publica": Sector.PUBLIC_IT}
_UF_BY_NAME = {fold(name): uf for uf, (name, _) in STATES.items()}

_KIND_HINT = "Comentário, Nova redação ou Supressão"
_STANCE_HINT = "Concordo, Concordo em parte, Discordo ou Sem posição"


# -- result types -------------------------------------------------------------------------------------------

@dataclass
class RowError:
    """A problem in an uploaded file: 1-based line (the header is normally line 1), canonical column, message.

    `line` is 0 for a problem of the file as a whole (empty, unreadable format, too big, nothing filled in).
    """

    line: int
    column: str | None
    message: str


@dataclass
class InputRow:
    """One valid row of a workshop's input, ready for `services.import_inputs`."""

    line: int
    article_id: int
    kind: ContributionKind
    stance: Stance
    body: str
    proposed_text: str | None
    head_count: int | None
    group_label: str | None
    # 2 for the second row of the file identical to an earlier one, and so on: such rows are distinct inputs
    # (two tables can say the same words) and keep distinct keys, while uploading the file again adds nothing.
    occurrence: int = 1

    def content(self) -> tuple:
        """The normalized content that identifies this row (whitespace and Unicode form do not count)."""
        return (self.article_id, self.kind.value, self.stance.value, _normalized(self.body),
                _normalized(self.proposed_text), self.head_count, _normalized(self.group_label))

    def import_key(self, workshop_id: int) -> str:
        """A SHA-256 of the workshop and the row's normalized content: the same row uploaded twice, the same key."""
        parts = [str(workshop_id), *("" if part is None else str(part) for part in self.content())]
        if self.occurrence > 1:
            parts.append(f"#{self.occurrence}")
        return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


@dataclass
class AttendeeRow:
    """One valid row of an attendance list."""

    line: int
    name: str
    organization: str | None
    sector: Sector | None
    uf: str | None


@dataclass
class ParseResult(Generic[T]):
    """Rows that passed, every error, and warnings (e.g. the encoding guessed); rows are only usable when ok."""

    rows: list[T] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    skipped: int = 0  # template rows left blank (only "dispositivo" filled)

    @property
    def ok(self) -> bool:
        """Whether the file had no error at all."""
        return not self.errors


def _normalized(text: str | None) -> str | None:
    if text is None:
        return None
    return " ".join(unicodedata.normalize("NFC", text).split())


# -- templates -----------------------------------------------------------------------------------------------

def _template_articles(consultation: Consultation) -> list[tuple[str, str]]:
    """(label, body) of the articles that take contributions, in document order."""
    return [tuple(row) for row in db.session.execute(
        select(Article.label, Article.body)
        .where(Article.consultation_id == consultation.id, Article.accepts_contributions.is_(True))
        .order_by(Article.position)
    )]


def _csv_bytes(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv_writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerows(rows)
    return codecs.BOM_UTF8 + buffer.getvalue().encode("utf-8")


def input_template_csv(consultation: Consultation) -> bytes:
    """The input template as CSV (UTF-8 with BOM, ";"): the header and one row per article, label prefilled."""
    blanks = [""] * (len(INPUT_COLUMNS) - 1)
    return _csv_bytes([INPUT_COLUMNS, *([label, *blanks] for label, _ in _template_articles(consultation))])


def attendee_template_csv() -> bytes:
    """The attendance-list template as CSV (UTF-8 with BOM, ";"): the header only."""
    return _csv_bytes([ATTENDEE_COLUMNS])


def _first_line(text: str, limit: int = 200) -> str:
    line = next((part.strip() for part in text.splitlines() if part.strip()), "")
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def _text_cell(sheet, row: int, column: int, value: str) -> None:
    """Write text that stays text: openpyxl would store a string starting with "=" as a formula."""
    set_text(sheet, row, column, value)


def _header_row(sheet, columns: list[str], widths: dict[str, int]) -> None:
    sheet.append(safe_row(columns))
    for index, name in enumerate(columns, start=1):
        sheet.cell(row=1, column=index).font = Font(bold=True)
        sheet.column_dimensions[get_column_letter(index)].width = widths.get(name, 16)
    sheet.freeze_panes = "A2"


def _list_validation(values: list[str], prompt: str) -> DataValidation:
    validation = DataValidation(type="list", formula1='"' + ",".join(values) + '"', allow_blank=True)
    validation.error = f"Use um destes valores: {', '.join(values)}."
    validation.errorTitle = _("Valor não aceito")
    validation.prompt = prompt
    validation.showErrorMessage = True
    return validation


@in_default_locale  # a contract with the importer: dropdown values and help in the platform's language
def input_template_xlsx(consultation: Consultation) -> bytes:
    """The input template as XLSX: sheet "Relato" with dropdowns, "Dispositivos" and "Instruções"."""
    articles = _template_articles(consultation)
    last = len(articles) + 1 + 1000  # room for rows the facilitator copies or adds

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = INPUT_SHEET
    _header_row(sheet, INPUT_COLUMNS, {"dispositivo": 20, "tipo": 16, "posicao": 20, "texto": 70,
                                       "texto_proposto": 50, "pessoas_apoiando": 18, "grupo": 16})
    for index, (label, _body) in enumerate(articles, start=2):
        _text_cell(sheet, index, 1, label)
    for column in ("D", "E"):
        for cells in sheet[f"{column}2:{column}{last}"]:
            cells[0].alignment = Alignment(wrap_text=True, vertical="top")

    kinds = _list_validation([ContributionKind.COMMENT.label, ContributionKind.NEW_WORDING.label,
                              ContributionKind.REMOVAL.label], _("Tipo da contribuição"))
    stances = _list_validation([s.label for s in (Stance.AGREE, Stance.PARTLY, Stance.DISAGREE, Stance.NONE)],
                               _("Posição da sala"))
    counts = DataValidation(type="whole", operator="between", formula1="0", formula2=str(MAX_HEAD_COUNT),
                            allow_blank=True)
    counts.error = _("Informe um número inteiro de pessoas, sem casas decimais.")
    counts.showErrorMessage = True
    kinds.add(f"B2:B{last}")
    stances.add(f"C2:C{last}")
    counts.add(f"F2:F{last}")
    for validation in (kinds, stances, counts):
        sheet.add_data_validation(validation)
    if articles:
        labels = DataValidation(type="list", formula1=f"=Dispositivos!$A$2:$A${len(articles) + 1}",
                                allow_blank=True)
        labels.error = _("Escolha um dispositivo da aba Dispositivos.")
        labels.showErrorMessage = True
        labels.add(f"A2:A{last}")
        sheet.add_data_validation(labels)

    reference = workbook.create_sheet("Dispositivos")
    _header_row(reference, ["dispositivo", "texto"], {"dispositivo": 20, "texto": 100})
    for index, (label, body) in enumerate(articles, start=2):
        _text_cell(reference, index, 1, label)
        _text_cell(reference, index, 2, _first_line(body))

    instructions = workbook.create_sheet("Instruções")
    instructions.column_dimensions["A"].width = 22
    instructions.column_dimensions["B"].width = 100
    for row in _instructions():
        instructions.append(safe_row(row))
    instructions["A1"].font = Font(bold=True, size=13)

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _instructions() -> list[list[str]]:
    rows = [
        [_("Como preencher o relato da oficina")],
        [],
        [_("Uma linha por contribuição, na aba \"Relato\". As linhas já trazem os dispositivos da consulta: "
         "escreva o texto na linha do dispositivo comentado. Linhas sem texto são ignoradas. Para registrar "
         "mais de uma contribuição sobre o mesmo dispositivo, copie a linha.")],
        [_("Enviar o mesmo arquivo de novo não duplica nada: as linhas já importadas são reconhecidas.")],
        [_("Não escreva dados pessoais (nomes, CPF, telefones) nos textos.")],
        [],
        ["Coluna", "Como preencher"],
    ]
    rows += [[name, COLUMN_HELP[name]] for name in INPUT_COLUMNS]
    return rows



def _header_key(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", fold(text)).split())


def _quoted(names: list[str]) -> str:
    return ", ".join(f'"{name}"' for name in names)


@dataclass
class _Table:
    """The header's column positions, the untitled ones, and the rows below it (line, cells), read lazily."""

    columns: dict[str, int]
    unnamed: list[int]
    rows: Iterator[tuple[int, list[str]]]


HEADER_SEARCH = 5  # non-blank rows looked at for the header, so a title row above it does no harm


def _header(line: int, cells: list[str], aliases: dict[str, str], expected: list[str],
            required: tuple[str, ...]) -> tuple[dict[str, int], list[int], list[RowError], bool]:
    """Map a candidate header row: (columns, unnamed positions, problems, has every required column)."""
    columns: dict[str, int] = {}
    unknown: list[str] = []
    unnamed: list[int] = []
    problems: list[RowError] = []
    for index, cell in enumerate(cells):
        if not cell:
            unnamed.append(index)
            continue
        name = aliases.get(_header_key(cell))
        if name is None:
            unknown.append(_('"%(cell)s" (coluna %(column)s)', cell=cell, column=get_column_letter(index + 1)))
        elif name in columns:
            problems.append(RowError(line, name, _('A coluna "%(name)s" aparece duas vezes (colunas %(first)s e %(second)s).', name=name, first=get_column_letter(columns[name] + 1), second=get_column_letter(index + 1))))
        else:
            columns[name] = index
    missing = [name for name in required if name not in columns]
    expected_list = "; ".join(expected)
    if missing:
        problems.append(RowError(line, None, _("Faltam colunas obrigatórias: %(quoted)s. A primeira linha deve ter os títulos da planilha-modelo: %(expected_list)s.", quoted=_quoted(missing), expected_list=expected_list)))
    if unknown:
        problems.append(RowError(line, None, _("Colunas não reconhecidas: %(unknown)s. Use só as colunas da planilha-modelo: %(expected_list)s.", unknown=', '.join(unknown), expected_list=expected_list)))
    return columns, unnamed, problems, not missing


def _table(rows: Iterator[tuple[int, list[str]]], expected: list[str], required: tuple[str, ...],
           result: ParseResult) -> _Table | None:
    """Find the header and map it to the expected columns; None after adding the errors.

    The header is the first of the first few non-blank rows that has every required column (rows above it,
    such as a title, are ignored with a warning); without one, the first non-blank row's problems are reported.
    """
    aliases = {_header_key(alias): name for name in expected for alias in (name, *_HEADER_ALIASES[name])}
    first_problems: list[RowError] | None = None
    skipped: list[int] = []
    for line, cells in rows:
        if not any(cells):
            continue
        columns, unnamed, problems, complete = _header(line, cells, aliases, expected, required)
        if complete:
            if problems:
                result.errors.extend(problems)
                return None
            if len(skipped) == 1:
                result.warnings.append(_("A linha %(line)s, acima dos títulos das colunas, não foi lida.", line=skipped[0]))
            elif skipped:
                result.warnings.append(_("As linhas %(first)s a %(last)s, acima dos títulos das colunas, não foram lidas.", first=skipped[0], last=skipped[-1]))
            return _Table(columns, unnamed, rows)
        if first_problems is None:
            first_problems = problems
        skipped.append(line)
        if len(skipped) >= HEADER_SEARCH:
            break
    if first_problems is None:
        result.errors.append(RowError(0, None, _("O arquivo está vazio.")))
    else:
        result.errors.extend(first_problems)
    return None


def _records(table: _Table, result: ParseResult) -> Iterator[tuple[int, dict[str, str]]]:
    """Non-blank data rows as {column: text}; stops with an error after MAX_ROWS rows."""
    count = 0
    reported_unnamed = False
    width = _width(table)
    for line, cells in table.rows:
        if not any(cells):
            continue
        if not reported_unnamed:
            stray = [i for i in range(len(cells)) if cells[i] and (i in table.unnamed or i >= width)]
            if stray:
                reported_unnamed = True
                letters = ", ".join(get_column_letter(i + 1) for i in stray)
                result.errors.append(RowError(line, None, _("Há dados em colunas sem título (%(letters)s): dê a elas um título da planilha-modelo ou apague-as.", letters=letters)))
        count += 1
        if count > MAX_ROWS:
            result.errors.append(RowError(line, None, _("O arquivo passa de %(limit)s linhas preenchidas; divida-o em arquivos menores.", limit=format_number(MAX_ROWS))))
            return
        yield line, {name: cells[index] if index < len(cells) else "" for name, index in table.columns.items()}


def _width(table: _Table) -> int:
    return max([*table.columns.values(), *table.unnamed], default=-1) + 1


def _finish(result: ParseResult, what: str) -> ParseResult:
    """Cap the error list, and refuse a file with no filled row."""
    if len(result.errors) > MAX_ERRORS:
        extra = len(result.errors) - MAX_ERRORS
        first_omitted = result.errors[MAX_ERRORS]
        result.errors = result.errors[:MAX_ERRORS]
        result.errors.append(RowError(first_omitted.line, None, _("Há mais %(extra)s erros a partir desta linha; corrija os anteriores e envie de novo.", extra=format_number(extra))))
    if not result.errors and not result.rows:
        result.errors.append(RowError(0, None, _("Nenhuma linha preenchida: %(what)s", what=what)))
    return result


def _too_long(column: str, value: str, limit: int, line: int) -> RowError | None:
    if len(value) <= limit:
        return None
    message = _("O texto tem %(n)s caracteres; o limite é %(limit)s.", n=format_number(len(value)), limit=format_number(limit))
    if value.count("\n") > 3:
        message += _(" Verifique se há aspas sem fechamento, que juntam várias linhas numa só.")
    return RowError(line, column, message)


# -- article references --------------------------------------------------------------------------------------

_REF_RE = re.compile(
    r"^(?:(?P<prefix>[a-z]+)\.?\s*)?(?P<num>\d{1,4}(?:\.\d{1,3})*)\s*o?(?:\s*-\s*(?P<suf>[a-z]{1,3}))?\.?$"
)
_REF_PREFIXES = {"art": ArticleKind.ARTICLE, "artigo": ArticleKind.ARTICLE, "rec": ArticleKind.RECOMMENDATION,
                 "recomendacao": ArticleKind.RECOMMENDATION, "trecho": ArticleKind.PARAGRAPH}


def _parse_ref(text: str) -> tuple[str, ArticleKind | None, str | None]:
    """(folded text, kind named by its prefix, normalized number) of an article reference."""
    folded = fold(re.sub(r"[º°˚ᵒ]", "", text).replace("–", "-"))
    match = _REF_RE.match(folded)
    if match is None:
        return folded, None, None
    prefix = match["prefix"]
    kind = _REF_PREFIXES.get(prefix) if prefix else None
    if prefix and kind is None:
        return folded, None, None
    number = ".".join(str(int(part)) for part in match["num"].split("."))
    if match["suf"]:
        number += "-" + match["suf"]
    return folded, kind, number


class _Articles:
    """The consultation's articles, loaded once, resolving what a facilitator typed in "dispositivo"."""

    def __init__(self, consultation: Consultation) -> None:
        rows = db.session.execute(
            select(Article.id, Article.label, Article.kind, Article.accepts_contributions)
            .where(Article.consultation_id == consultation.id).order_by(Article.position)
        ).all()
        self.labels = {row.id: row.label for row in rows}
        self.closed = {row.id for row in rows if not row.accepts_contributions}
        self.exact: dict[str, list[int]] = {}
        self.by_kind: dict[tuple[ArticleKind, str], list[int]] = {}
        self.by_number: dict[str, list[int]] = {}
        for row in rows:
            folded, _, number = _parse_ref(row.label)
            self.exact.setdefault(folded, []).append(row.id)
            if number is not None:
                self.by_kind.setdefault((row.kind, number), []).append(row.id)
                self.by_number.setdefault(number, []).append(row.id)
        self.cache: dict[str, int | str] = {}

    def resolve(self, text: str) -> int:
        """The id of the article `text` names."""
        if text not in self.cache:
            self.cache[text] = self._resolve(text)
        found = self.cache[text]
        if isinstance(found, str):
            raise _Invalid(found)
        return found

    def _resolve(self, text: str) -> int | str:
        """The article id, or the Portuguese message saying why there is none."""
        if not text:
            return _('Informe o dispositivo (por exemplo, "Art. 5º").')
        folded, kind, number = _parse_ref(text)
        candidates = self.exact.get(folded, [])
        if not candidates and number is not None:
            candidates = self.by_kind.get((kind, number), []) if kind else self.by_number.get(number, [])
        if len(candidates) > 1:
            labels = _(" ou ").join(self.labels[i] for i in candidates)
            return _('O dispositivo "%(text)s" é ambíguo: pode ser %(labels)s. Escreva o rótulo completo.', text=text, labels=labels)
        if not candidates:
            return (_('Dispositivo "%(text)s" não encontrado nesta consulta. Use o rótulo da planilha-modelo, como "Art. 5º" ou "Recomendação 3.2".', text=text))
        if candidates[0] in self.closed:
            return _("O dispositivo %(labels)s não recebe contribuições.", labels=self.labels[candidates[0]])
        return candidates[0]


# -- value parsers ------------------------------------------------------------------------------------------

class _Invalid(Exception):
    """A cell's value is refused; the message is Portuguese."""


def _choice_key(text: str) -> str:
    return " ".join(fold(text).replace("_", " ").replace("-", " ").split())


def _kind(text: str, has_proposal: bool) -> ContributionKind:
    if not text:
        return ContributionKind.NEW_WORDING if has_proposal else ContributionKind.COMMENT
    key = _choice_key(text)
    if key in _NEW_ARTICLE_WORDS:
        raise _Invalid(_("Propostas de novo artigo não são aceitas no relato de oficina; registre-as como comentário."))
    kind = _ALLOWED_KINDS.get(key)
    if kind is None:
        raise _Invalid(_('Tipo "%(text)s" não reconhecido. Use %(values)s.', text=text, values=_KIND_HINT))
    return kind


def _stance(text: str) -> Stance:
    if not text:
        return Stance.NONE
    stance = _STANCES.get(_choice_key(text))
    if stance is None:
        raise _Invalid(_('Posição "%(text)s" não reconhecida. Use %(values)s.', text=text, values=_STANCE_HINT))
    return stance


_THOUSANDS_RE = re.compile(r"^\d{1,3}(?:\.\d{3})+$")


def _head_count(text: str) -> int | None:
    """A whole, non-negative number of people (blank: None)."""
    value = text.strip().replace(" ", "")
    if not value:
        return None
    if re.fullmatch(r"\+?\d+(?:,0+)?", value):
        number = int(value.lstrip("+").split(",")[0])
        if number > MAX_HEAD_COUNT:
            raise _Invalid(_("%(number)s pessoas é mais do que o limite de %(limit)s.", number=format_number(number), limit=format_number(MAX_HEAD_COUNT)))
        return number
    if re.fullmatch(r"-\d+(?:[.,]\d+)?", value):
        raise _Invalid(_('O número de pessoas não pode ser negativo: "%(text)s".', text=text))
    if _THOUSANDS_RE.fullmatch(value):
        raise _Invalid(_('Escreva o número sem ponto de milhar: "%(number)s" em vez de "%(text)s".', number=value.replace(".", ""), text=text))
    if re.fullmatch(r"\d*[.,]\d+", value):
        raise _Invalid(_('Use um número inteiro de pessoas, sem casas decimais: "%(text)s".', text=text))
    raise _Invalid(_('"%(text)s" não é um número. Informe quantas pessoas apoiaram, por exemplo 12.', text=text))


def _body_limit() -> int:
    if has_app_context():
        return int(current_app.config.get("CONTRIBUTION_MAX_LENGTH", BODY_MAX_DEFAULT))
    return BODY_MAX_DEFAULT


# -- parsers ------------------------------------------------------------------------------------------------

def parse_inputs(data: bytes, filename: str, consultation: Consultation) -> ParseResult[InputRow]:
    """Read and check a workshop-input upload row by row here (the background job reads it in a sandbox)."""
    result: ParseResult[InputRow] = ParseResult()
    return _check_inputs(lambda: sheets.read_rows(data, filename, result.warnings, INPUT_SHEET), result, consultation)


def check_inputs(read: sheets.ReadResult, consultation: Consultation) -> ParseResult[InputRow]:
    """Check the rows of a workshop-input upload read by the sandbox; import them only when the result is ok."""
    return _check_inputs(read.replay, ParseResult(warnings=list(read.warnings)), consultation)


def _check_inputs(rows: Callable[[], Iterator[tuple[int, list[str]]]], result: ParseResult[InputRow],
                  consultation: Consultation) -> ParseResult[InputRow]:
    try:
        table = _table(rows(), INPUT_COLUMNS, INPUT_REQUIRED, result)
        if table is None:
            return result
        articles = _Articles(consultation)
        limit = _body_limit()
        seen: dict[tuple, list[int]] = {}  # content -> [first line, occurrences so far]
        for line, record in _records(table, result):
            if not any(value for name, value in record.items() if name != "dispositivo"):
                result.skipped += 1  # a template row left blank
                continue
            row = _input_row(line, record, articles, limit, result.errors)
            if row is None:
                continue
            earlier = seen.setdefault(row.content(), [line, 0])
            earlier[1] += 1
            row.occurrence = earlier[1]
            if row.occurrence > 1:
                result.warnings.append(_("A linha %(line)s repete a linha %(earlier)s; as duas serão importadas (apague uma delas se for cópia por engano).", line=line, earlier=earlier[0]))
            result.rows.append(row)
    except _FileError as error:
        result.errors.append(RowError(error.line, None, str(error)))
        result.rows.clear()
        return result
    return _finish(result, _("escreva o texto de pelo menos uma contribuição na coluna \"texto\"."))


def _input_row(line: int, record: dict[str, str], articles: _Articles, limit: int,
               errors: list[RowError]) -> InputRow | None:
    """One input row, or None after adding all of its errors."""
    problems: list[RowError] = []

    def checked(column: str, parse, *args):
        try:
            return parse(*args)
        except _Invalid as problem:
            problems.append(RowError(line, column, str(problem)))
            return None

    reference = record.get("dispositivo", "")
    article_id = checked("dispositivo", articles.resolve, reference)
    proposed = record.get("texto_proposto", "") or None
    kind = checked("tipo", _kind, record.get("tipo", ""), proposed is not None)
    if proposed is not None and kind not in (None, ContributionKind.NEW_WORDING):
        problems.append(RowError(line, "texto_proposto", _('Há texto proposto, mas o tipo é "%(label)s". Use o tipo "Nova redação" ou deixe "texto_proposto" vazio.', label=kind.label)))
    stance = checked("posicao", _stance, record.get("posicao", ""))
    body = record.get("texto", "")
    if not body:
        problems.append(RowError(line, "texto", _("Escreva o texto da contribuição.")))
    for column, value in (("texto", body), ("texto_proposto", proposed or "")):
        if problem := _too_long(column, value, limit, line):
            problems.append(problem)
    head_count = checked("pessoas_apoiando", _head_count, record.get("pessoas_apoiando", ""))
    group = record.get("grupo", "") or None
    if group and len(group) > GROUP_MAX:
        problems.append(RowError(line, "grupo", _("O grupo tem %(n)s caracteres; o limite é %(limit)s.", n=len(group), limit=GROUP_MAX)))
    if problems:
        problems.sort(key=lambda problem: INPUT_COLUMNS.index(problem.column))
        errors.extend(problems)
        return None
    return InputRow(line=line, article_id=article_id, kind=kind, stance=stance, body=body, proposed_text=proposed,
                    head_count=head_count, group_label=group)


def parse_sector(text: str) -> Sector | None:
    """The sector named by a label, a code or a common short name; None when unknown."""
    key = _choice_key(text)
    for sector in Sector:
        if key in (_choice_key(sector.label), _choice_key(sector.value)):
            return sector
    if key in _SECTOR_ALIASES:
        return _SECTOR_ALIASES[key]
    matches = [sector for sector in Sector if _choice_key(sector.label).startswith(key + " ")]
    return matches[0] if len(matches) == 1 else None


def parse_uf(text: str) -> str | None:
    """The UF code for a code or a state name (accents and case ignored); None when unknown."""
    value = text.strip()
    if value.upper() in STATES:
        return value.upper()
    return _UF_BY_NAME.get(fold(value))


def parse_attendees(data: bytes, filename: str) -> ParseResult[AttendeeRow]:
    """Read and check an attendance-list upload row by row here (the background job reads it in a sandbox)."""
    result: ParseResult[AttendeeRow] = ParseResult()
    return _check_attendees(lambda: sheets.read_rows(data, filename, result.warnings, INPUT_SHEET), result)


def check_attendees(read: sheets.ReadResult) -> ParseResult[AttendeeRow]:
    """Check the rows of an attendance-list upload read by the sandbox."""
    return _check_attendees(read.replay, ParseResult(warnings=list(read.warnings)))


def _check_attendees(rows: Callable[[], Iterator[tuple[int, list[str]]]],
                     result: ParseResult[AttendeeRow]) -> ParseResult[AttendeeRow]:
    try:
        table = _table(rows(), ATTENDEE_COLUMNS, ATTENDEE_REQUIRED, result)
        if table is None:
            return result
        names: dict[str, int] = {}
        for line, record in _records(table, result):
            row = _attendee_row(line, record, result.errors)
            if row is None:
                continue
            first_line = names.setdefault(fold(row.name), line)
            if first_line != line:
                result.warnings.append(_('A linha %(line)s repete o nome "%(name)s" da linha %(first_line)s.', line=line, name=row.name, first_line=first_line))
            result.rows.append(row)
    except _FileError as error:
        result.errors.append(RowError(error.line, None, str(error)))
        result.rows.clear()
        return result
    return _finish(result, _("escreva pelo menos um nome na coluna \"nome\"."))


def _attendee_row(line: int, record: dict[str, str], errors: list[RowError]) -> AttendeeRow | None:
    before = len(errors)
    name = record.get("nome", "")
    if not name:
        errors.append(RowError(line, "nome", _("Informe o nome da pessoa.")))
    elif len(name) > NAME_MAX:
        errors.append(RowError(line, "nome", _("O nome tem %(n)s caracteres; o limite é %(limit)s.", n=len(name), limit=NAME_MAX)))
    organization = record.get("organizacao", "") or None
    if organization and len(organization) > ORGANIZATION_MAX:
        errors.append(RowError(line, "organizacao", _("A organização tem %(n)s caracteres; o limite é %(limit)s.", n=len(organization), limit=ORGANIZATION_MAX)))
    sector_text = record.get("setor", "")
    sector = parse_sector(sector_text) if sector_text else None
    if sector_text and sector is None:
        errors.append(RowError(line, "setor", _('Setor "%(sector_text)s" não reconhecido. Use um destes: ', sector_text=sector_text)
                                              + "; ".join(s.label for s in Sector) + "."))
    uf_text = record.get("uf", "")
    uf = parse_uf(uf_text) if uf_text else None
    if uf_text and uf is None:
        errors.append(RowError(line, "uf", _('UF "%(uf_text)s" não reconhecida. Use a sigla, por exemplo SP ou DF.', uf_text=uf_text)))
    if len(errors) > before:
        return None
    return AttendeeRow(line=line, name=name, organization=organization, sector=sector, uf=uf)
