"""Workshop spreadsheet import benchmark: parse, validate and import 10,000-row CSV and XLSX files.

For each database (SQLite by default; PostgreSQL with ``--db postgres`` or ``both``, in a throw-away
database of its own): a fresh schema by the Alembic migrations, the demo consultation by
``flask consulta load-demo``, one facilitator, and per file format a fresh workshop. Each file is parsed
(`spreadsheets.parse_inputs`: decoding, header, every cell checked, article labels resolved), imported
(`services.import_inputs`, one commit) and then uploaded a second time, which must add nothing. The
article tallies are checked against the rows at the end. Prints one table.

    python -m bench.workshop_import [--rows 10000] [--db sqlite|postgres|both] [--keep]
"""

import argparse
import codecs
import csv
import io
import logging
import random
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from openpyxl import Workbook

from bench import textgen

PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_DATABASE = "consulta_workshop_bench"
HEADER = ["dispositivo", "tipo", "posicao", "texto", "texto_proposto", "pessoas_apoiando", "grupo"]
KINDS = ["Comentário", "Comentário", "", "Supressão", "Nova redação"]
STANCES = ["Concordo", "Concordo em parte", "Discordo", "Sem posição", ""]


@dataclass
class Row:
    database: str
    fmt: str
    rows: int
    size: int
    parse_s: float
    import_s: float
    second_created: int
    second_s: float

    @property
    def rate(self) -> float:
        return self.rows / (self.parse_s + self.import_s)


def _references(labels: list[str]) -> list[str]:
    """How facilitators write article references: the label, and shorter forms that the parser accepts."""
    forms = []
    for label in labels:
        forms.append(label)
        if label.startswith("Art. "):
            number = label[5:].rstrip("º")
            forms += [f"art {number}", f"Art. {number}"]
        elif label.startswith("Recomendação "):
            forms.append(label.split()[-1])
    return forms


def rows_for(labels: list[str], count: int, seed: int = 2026) -> list[list[object]]:
    """`count` input rows spread over the articles, every column used; one to three sentences of text each,
    so 10,000 rows stay under the 5 MB upload limit as a workshop's notes would."""
    rng = random.Random(seed)
    references = _references(labels)
    rows: list[list[object]] = []
    for i in range(count):
        kind = KINDS[i % len(KINDS)]
        rows.append([
            references[rng.randrange(len(references))], kind, STANCES[rng.randrange(len(STANCES))],
            " ".join(textgen.sentence(rng) for _ in range(rng.randint(1, 3))),
            textgen.sentence(rng) if kind == "Nova redação" else "",
            rng.randrange(60) if i % 3 else "", f"Mesa {rng.randrange(1, 13)}",
        ])
    return rows


def csv_bytes(rows: list[list[object]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    return codecs.BOM_UTF8 + buffer.getvalue().encode("utf-8")


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Relato")
    sheet.append(HEADER)
    for row in rows:
        sheet.append([value if value != "" else None for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def database_url(kind: str, workdir: Path) -> str:
    """An empty database of `kind`: a SQLite file in `workdir`, or a fresh PostgreSQL database."""
    if kind == "sqlite":
        return f"sqlite:///{workdir / 'workshops.sqlite3'}"
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {PG_DATABASE}")
    return f"postgresql://postgres@127.0.0.1:5432/{PG_DATABASE}"


def drop_database(kind: str) -> None:
    if kind == "postgres":
        import psycopg

        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")


def run_database(kind: str, count: int, workdir: Path) -> list[Row]:
    """Migrate, load the demo, then time both formats on `kind`."""
    from flask_migrate import upgrade
    from sqlalchemy import func, select

    from consulta import create_app
    from consulta.extensions import db
    from consulta.models import (
        Article,
        Audience,
        Consultation,
        Contribution,
        Role,
        User,
        Visibility,
        WorkshopFormat,
        utcnow,
    )
    from consulta.workshops import services, spreadsheets

    url = database_url(kind, workdir)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench-workshops", "RATELIMIT_ENABLED": False},
                     instance_path=str(workdir / "instance"))
    results = []
    with app.app_context():
        logging.disable(logging.INFO)  # Alembic's INFO lines would break up the table
        try:
            upgrade()
        finally:
            logging.disable(logging.NOTSET)
        loaded = app.test_cli_runner().invoke(args=["consulta", "load-demo", "--no-accounts"])
        if loaded.exit_code != 0:
            raise RuntimeError(f"load-demo failed: {loaded.output}") from loaded.exception
        consultation = db.session.scalar(select(Consultation))
        facilitator = User(email="facilitadora@bench.example", display_name="Facilitadora", role=Role.FACILITATOR)
        db.session.add(facilitator)
        db.session.commit()
        labels = [a.label for a in consultation.articles]
        rows = rows_for(labels, count)
        files = {"CSV": (csv_bytes(rows), "relato.csv"), "XLSX": (xlsx_bytes(rows), "relato.xlsx")}

        for fmt, (data, filename) in files.items():
            workshop = services.create_workshop(
                facilitator, consultation, title=f"Oficina {fmt}", format=WorkshopFormat.IN_PERSON,
                starts_at=utcnow() - timedelta(days=1), uf="AM", municipality="Manaus", venue=None,
                audience=Audience.GENERAL)
            db.session.commit()

            started = time.perf_counter()
            result = spreadsheets.parse_inputs(data, filename, consultation)
            parsed = time.perf_counter()
            if not result.ok or len(result.rows) != count:
                raise RuntimeError(f"{fmt}: {len(result.errors)} errors, first: {result.errors[:3]}")
            first = services.import_inputs(facilitator, workshop, result.rows)
            db.session.commit()
            imported = time.perf_counter()
            again = services.import_inputs(
                facilitator, workshop, spreadsheets.parse_inputs(data, filename, consultation).rows)
            db.session.commit()
            second = time.perf_counter()

            stored = db.session.scalar(select(func.count()).select_from(Contribution)
                                       .where(Contribution.workshop_id == workshop.id))
            if (first.created, again.created, again.duplicates, stored) != (count, 0, count, count):
                raise RuntimeError(f"{fmt}: created {first.created}, then {again.created} "
                                   f"({again.duplicates} duplicates); {stored} rows stored")
            results.append(Row(kind, fmt, count, len(data), parsed - started, imported - parsed,
                               again.created, second - imported))

        db.session.expire_all()
        tallied = sum(a.contribution_total for a in db.session.scalars(select(Article)))
        counted = db.session.scalar(select(func.count()).select_from(Contribution).where(
            Contribution.parent_id.is_(None), Contribution.article_id.is_not(None),
            Contribution.visibility == Visibility.VISIBLE))
        if tallied != counted:
            raise RuntimeError(f"article tallies say {tallied} contributions, the table holds {counted}")
        db.session.remove()
        db.engine.dispose()
    return results


def print_table(results: list[Row]) -> None:
    header = (f"{'database':<10} {'format':<6} {'rows':>7} {'file':>9} {'parse s':>8} {'import s':>9} "
              f"{'rows/s':>8} {'2nd upload':>11} {'2nd s':>7}")
    print(header)
    print("-" * len(header))
    for r in results:
        print(f"{r.database:<10} {r.fmt:<6} {r.rows:>7,} {r.size / 1024:>7.0f}kB {r.parse_s:>8.2f} {r.import_s:>9.2f} "
              f"{r.rate:>8,.0f} {str(r.second_created) + ' new':>11} {r.second_s:>7.2f}")
    print("rows/s = rows / (parse + import); 2nd upload = the same file again: parse + import, nothing added")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.workshop_import", description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000, help="rows per file (default %(default)s)")
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="sqlite",
                        help="database(s) to run on (default %(default)s)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder afterwards")
    args = parser.parse_args(argv)
    kinds = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    results: list[Row] = []
    for kind in kinds:
        workdir = Path(tempfile.mkdtemp(prefix=f"consulta-workshops-{kind}-"))
        try:
            results += run_database(kind, args.rows, workdir)
        finally:
            if not args.keep:
                drop_database(kind)
                shutil.rmtree(workdir, ignore_errors=True)
    print_table(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
