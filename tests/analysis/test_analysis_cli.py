"""``python -m analysis`` end to end on temporary CSV files."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from analysis.cli import main, read_table

from .analysis_fixtures import NEAR_DUPLICATE_FAMILIES, themed_records

SECRETS = ["joao.pereira@example.org", "987.654.321-00", "(11) 98765-4321"]


def _write_input(path: Path, encoding: str, delimiter: str) -> int:
    """Write themed contributions, an 8-copy campaign, texts with personal data and a formula; count rows."""
    records, _ = themed_records()
    rows = [[r.id, r.text, r.article] for r in records]
    rows += [[f"camp-{i}", NEAR_DUPLICATE_FAMILIES[0][i % 3], "Art. 1"] for i in range(8)]
    rows += [
        [f"pii-{i}", f"Ação na saúde digital: falem comigo em {s}", "Art. 2"] for i, s in enumerate(SECRETS)
    ]
    rows += [["formula", '=HYPERLINK("http://example.org";"clique")', "Art. 3"]]
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(["id", "texto", "artigo"])
        writer.writerows(rows)
    return len(rows)


def _read_output(path: Path) -> list[list[str]]:
    """Read an output CSV, checking that it starts with a UTF-8 BOM."""
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), f"{path.name} lacks the UTF-8 BOM"
    return list(csv.reader(raw.decode("utf-8-sig").splitlines(), delimiter=";"))


def test_cli_on_semicolon_latin1_csv_writes_masked_outputs(tmp_path: Path) -> None:
    source, out = tmp_path / "contribuições.csv", tmp_path / "saida"
    n = _write_input(source, "latin-1", ";")
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "analysis",
            str(source),
            "--text-column",
            "texto",
            "--id-column",
            "id",
            "--out",
            str(out),
            "--seed",
            "0",
        ],
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        check=True,
    )
    assert f"{n} contribuições" in completed.stdout and "1 campanhas" in completed.stdout
    assert sorted(p.name for p in out.iterdir()) == [
        "campaigns.csv",
        "clusters.csv",
        "contributions.csv",
        "result.json",
    ]
    contributions = _read_output(out / "contributions.csv")
    assert len(contributions) == n + 1
    header = contributions[0]
    assert header[:3] == ["id", "grupo", "cluster_id"]
    cluster_ids = {row[1] for row in _read_output(out / "clusters.csv")[1:]}
    assert {row[2] for row in contributions[1:]} <= cluster_ids
    assert any("Ação na saúde digital" in row[-1] for row in contributions)
    formulas = [row[-1] for row in contributions if row[0] == "formula"]
    assert formulas == ['\'=HYPERLINK("http://example.org";"clique")']
    campaigns = _read_output(out / "campaigns.csv")
    assert len(campaigns) == 2 and campaigns[1][1] == "8"
    result = json.loads((out / "result.json").read_text(encoding="utf-8"))
    assert result["size"] == n and result["run"]["seed"] == 0
    for path in out.iterdir():
        content = path.read_text(encoding="utf-8-sig")
        for secret in SECRETS:
            assert secret not in content, (path.name, secret)


def test_cli_on_comma_utf8_bom_csv_groups_by_article(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    source, out = tmp_path / "in.csv", tmp_path / "out"
    n = _write_input(source, "utf-8-sig", ",")
    assert (
        main(
            [str(source), "--text-column", "texto", "--group-column", "artigo", "--k", "2", "--out", str(out)]
        )
        == 0
    )
    assert "[Art. 1]" in capsys.readouterr().out
    with (out / "contributions.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == n and rows[0]["id"] == "1"
    assert {row["grupo"] for row in rows} == {"Art. 1", "Art. 2", "Art. 3"}


def test_read_table_detects_encoding_and_delimiter(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes("id;texto\n1;Atenção à saúde, já\n".encode("cp1252"))
    rows, columns, delimiter = read_table(path)
    assert (columns, delimiter, rows[0]["texto"]) == (["id", "texto"], ";", "Atenção à saúde, já")


def test_cli_reports_a_missing_column(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    source = tmp_path / "in.csv"
    _write_input(source, "utf-8", ";")
    with pytest.raises(SystemExit) as stop:
        main([str(source), "--text-column", "comentario", "--out", str(tmp_path / "out")])
    assert stop.value.code == 2
    assert "comentario" in capsys.readouterr().err
