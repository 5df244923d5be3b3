"""Command line: cluster the contributions of any CSV without the web app.

``python -m analysis contributions.csv --text-column texto --out DIR [--id-column id] [--group-column artigo]
[--k N] [--seed 0]`` writes ``clusters.csv``, ``contributions.csv`` (each row with its cluster),
``campaigns.csv`` and ``result.json`` to DIR and prints a short summary.

Reading: the encoding is the first of UTF-8 (with or without BOM), Windows-1252 and Latin-1 that decodes
the whole file — Windows-1252 before Latin-1 because spreadsheets exported on Windows use it and it
agrees with Latin-1 on every letter; Latin-1 always decodes, so reading never fails. The delimiter is
whichever of ``;``, ``,`` and tab occurs most in the header line (``;`` is what pt-BR spreadsheets write).

Writing: UTF-8 with BOM so that Excel shows accents, with the input's delimiter, and only masked text.
A text cell that starts with ``=``, ``+``, ``-``, ``@`` or a tab gets a leading apostrophe, so that a
spreadsheet shows a contribution such as ``=HYPERLINK(...)`` instead of running it (CSV injection).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
from collections.abc import Sequence
from pathlib import Path

from analysis.normalize import mask_personal_data
from analysis.pipeline import analyze_contributions
from analysis.result import AnalysisResult, Record

ENCODINGS = ("utf-8-sig", "cp1252", "latin-1")
DELIMITERS = (";", ",", "\t")
OUTPUT_ENCODING = "utf-8-sig"
SUMMARY_CLUSTERS = 10
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def read_table(path: Path) -> tuple[list[dict[str, str]], list[str], str]:
    """Read a CSV of unknown encoding and delimiter; return its rows, column names and delimiter."""
    raw = path.read_bytes()
    text = ""
    for encoding in ENCODINGS:
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    header = text.split("\n", 1)[0]
    delimiter = max(DELIMITERS, key=header.count)
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = list(reader)
    return rows, list(reader.fieldnames or []), delimiter


def _weight(value: str | None) -> float:
    """Parse a head count, falling back to 1 for blanks and junk."""
    try:
        weight = float((value or "").replace(",", "."))
    except ValueError:
        return 1.0
    return weight if weight >= 0 else 1.0


def records_from_rows(rows: list[dict[str, str]], args: argparse.Namespace) -> list[Record]:
    """Turn CSV rows into records using the column names given on the command line."""

    def cell(row: dict[str, str], column: str | None) -> str | None:
        """Return a trimmed cell of an optional column, None when absent or blank."""
        value = (row.get(column) or "").strip() if column else ""
        return value or None

    return [
        Record(
            id=cell(row, args.id_column) or str(number),
            text=row.get(args.text_column) or "",
            article=cell(row, args.group_column),
            stance=cell(row, args.stance_column),
            channel=cell(row, args.channel_column),
            uf=cell(row, args.uf_column),
            author_id=cell(row, args.author_column),
            weight=_weight(row.get(args.weight_column)) if args.weight_column else 1.0,
        )
        for number, row in enumerate(rows, start=1)
    ]


def _spreadsheet_safe(value: object) -> object:
    """Keep a spreadsheet from reading a text cell as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _mix(counts: dict[str, int]) -> str:
    """Render a count dict as 'a=3; b=1'."""
    return "; ".join(f"{k}={v}" for k, v in counts.items())


def write_outputs(result: AnalysisResult, records: list[Record], out: Path, delimiter: str) -> None:
    """Write the four output files of a run to ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    by_id = {c.id: c for c in result.clusters}
    themes = {t.id: t for g in result.groups for t in g.themes}
    n_quotes = max((len(c.quotes) for c in result.clusters), default=0)

    def write(name: str, header: list[str], rows: list[list[object]]) -> None:
        """Write one CSV file."""
        with (out / name).open("w", encoding=OUTPUT_ENCODING, newline="") as handle:
            writer = csv.writer(handle, delimiter=delimiter)
            writer.writerow(header)
            writer.writerows([_spreadsheet_safe(v) for v in row] for row in rows)

    write(
        "clusters.csv",
        [
            "grupo",
            "cluster_id",
            "rotulo",
            "frase",
            "coesao",
            "baixa_coesao",
            "tema_id",
            "tema",
            "outros",
            "contribuicoes",
            "peso",
            "parcela",
            "parcela_ponderada",
            "textos_distintos",
            "autores",
            "termos",
            "posicionamentos",
            "canais",
            "ufs",
            "campanhas",
            *[f"citacao_{i}" for i in range(1, n_quotes + 1)],
        ],
        [
            [
                c.group or "",
                c.id,
                c.label,
                c.phrase,
                c.coherence,
                int(c.low_coherence),
                c.theme_id or "",
                themes[c.theme_id].label if c.theme_id else "",
                int(c.is_other),
                c.size,
                c.weighted_size,
                c.share,
                c.weighted_share,
                c.distinct_texts,
                c.unique_authors,
                "; ".join(c.terms),
                _mix(c.stances),
                _mix(c.channels),
                _mix(c.ufs),
                " ".join(map(str, c.campaign_ids)),
                *[q.text for q in c.quotes],
            ]
            for c in result.clusters
        ],
    )
    write(
        "contributions.csv",
        [
            "id",
            "grupo",
            "cluster_id",
            "rotulo",
            "tema_id",
            "similaridade",
            "grupo_duplicatas",
            "campanha_id",
            "texto",
        ],
        [
            [
                a.record_id,
                a.group or "",
                a.cluster_id,
                by_id[a.cluster_id].label,
                a.theme_id or "",
                a.score,
                a.duplicate_group or "",
                a.campaign_id or "",
                mask_personal_data(r.text or ""),
            ]
            for a, r in zip(result.assignments, records, strict=True)
        ],
    )
    write(
        "campaigns.csv",
        [
            "campanha_id",
            "contribuicoes",
            "peso",
            "variantes",
            "id_representante",
            "texto_representante",
            "artigos",
            "canais",
            "ufs",
            "clusters",
            "ids",
        ],
        [
            [
                c.id,
                c.size,
                c.weighted_size,
                c.variants,
                c.representative_id,
                c.representative_text,
                _mix(c.articles),
                _mix(c.channels),
                _mix(c.ufs),
                " ".join(map(str, c.cluster_ids)),
                " ".join(map(str, c.member_ids)),
            ]
            for c in result.campaigns
        ],
    )
    with (out / "result.json").open("w", encoding="utf-8") as handle:
        json.dump(result.to_dict(), handle, ensure_ascii=False, indent=1)


def summary(result: AnalysisResult, out: Path) -> str:
    """Describe a run in a few lines for the terminal."""
    in_campaigns = sum(c.size for c in result.campaigns)
    lines = [
        f"{result.size} contribuições ({result.distinct_texts} textos distintos), "
        f"{result.duplicated_records} em {result.duplicate_groups} grupos de duplicatas, "
        f"{len(result.campaigns)} campanhas ({in_campaigns} contribuições).",
    ]
    for group in result.groups:
        title = f"[{group.key}] " if group.key is not None else ""
        lines.append(f"{title}{group.size} contribuições, {len(group.themes)} temas, {group.k} subtemas:")
        lines += [
            f"  {c.id:>4}  {c.size:>6}  {c.share:>6.1%}  coesão {c.coherence:.2f}  {c.label}"
            for c in group.clusters[:SUMMARY_CLUSTERS]
        ]
        if len(group.clusters) > SUMMARY_CLUSTERS:
            lines.append(f"  … e mais {len(group.clusters) - SUMMARY_CLUSTERS} (ver clusters.csv)")
    lines.append(f"Arquivos em {out}")
    return "\n".join(lines)


def _parser() -> argparse.ArgumentParser:
    """Describe the command-line options."""
    parser = argparse.ArgumentParser(prog="python -m analysis", description="Agrupa contribuições de um CSV.")
    parser.add_argument("csv", type=Path, help="arquivo CSV (UTF-8 ou Latin-1, separado por ; ou ,)")
    parser.add_argument("--text-column", required=True, help="coluna com o texto da contribuição")
    parser.add_argument("--out", type=Path, required=True, help="pasta onde gravar os resultados")
    parser.add_argument("--id-column", help="coluna com o identificador (padrão: número da linha)")
    parser.add_argument("--group-column", help="coluna do artigo: analisa cada artigo separadamente")
    parser.add_argument("--stance-column", help="coluna do posicionamento")
    parser.add_argument("--channel-column", help="coluna do canal")
    parser.add_argument("--uf-column", help="coluna da UF")
    parser.add_argument("--author-column", help="coluna do autor (para contar autores únicos)")
    parser.add_argument("--weight-column", help="coluna do peso, p. ex. participantes de uma oficina")
    parser.add_argument(
        "--k", type=int, help="número de subtemas (padrão: temas e subtemas escolhidos pela estabilidade)"
    )
    parser.add_argument("--seed", type=int, default=0, help="semente aleatória (padrão: 0)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.k is not None and args.k < 1:
        parser.error("--k deve ser pelo menos 1")
    if args.seed < 0:
        parser.error("--seed não pode ser negativa")
    if not args.csv.is_file():
        parser.error(f"arquivo não encontrado: {args.csv}")
    rows, columns, delimiter = read_table(args.csv)
    named = [
        args.text_column,
        args.id_column,
        args.group_column,
        args.stance_column,
        args.channel_column,
        args.uf_column,
        args.author_column,
        args.weight_column,
    ]
    missing = [c for c in named if c and c not in columns]
    if missing:
        parser.error(
            f"coluna(s) ausente(s) no CSV: {', '.join(missing)}; disponíveis: {', '.join(sorted(columns))}"
        )
    records = records_from_rows(rows, args)
    result = analyze_contributions(
        records, k=args.k, seed=args.seed, group_by="article" if args.group_column else None
    )
    write_outputs(result, records, args.out, delimiter)
    print(summary(result, args.out))
    return 0
