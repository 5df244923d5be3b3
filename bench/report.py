"""What the database benchmarks share: their result rows, the tables they print, and small statistics.

A benchmark's ``run_database(kind)`` fills an `Outcome` (rows of metric, value, target and verdict, plus
footnotes); `run_tables` runs it for each database and prints one table per database, the side-by-side
table when there are several, and a closing note on the machine.
"""

import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field

DB_LABELS = {"sqlite": "SQLite (WAL)", "postgres": "PostgreSQL"}
# A page of a 10x larger article or consultation keeps at least this share of the smaller one's throughput
# (participation: the article page; results: the results page).
TARGET_LARGE_VS_SMALL = 0.8


@dataclass
class Row:
    metric: str
    value: str
    target: str = ""
    verdict: str = ""  # PASS, FAIL, or "" when only reported


@dataclass
class Outcome:
    database: str
    rows: list[Row] = field(default_factory=list)
    footer: list[str] = field(default_factory=list)
    votes_per_second: float = 0.0

    @property
    def passed(self) -> bool:
        return all(row.verdict != "FAIL" for row in self.rows)


# -- figures -----------------------------------------------------------------------------------------------

def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def median(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def ratio_text(values: list[float]) -> str:
    """The median of per-round ratios, with their range in brackets when there are several."""
    if len(values) < 2:
        return f"{median(values):.2f}"
    return f"{median(values):.2f} [{min(values):.2f}–{max(values):.2f}]"


def ratio_row(metric: str, ratios: list[float], target: float) -> Row:
    """A row of per-round ratios (median, range) whose median must reach `target`."""
    return Row(metric, ratio_text(ratios), f"≥ {target:.2f}", verdict(median(ratios) >= target))


def round_ratios(numerators: list[float], denominators: list[float]) -> list[float]:
    """Per-round ratios of two pages' throughputs, leaving out rounds where the denominator served nothing."""
    return [n / d for n, d in zip(numerators, denominators, strict=True) if d]


def split(items: list, parts: int) -> list[list]:
    """`items` dealt round-robin into at most `parts` non-empty lists."""
    return [items[i::parts] for i in range(parts) if items[i::parts]]


# -- the machine -------------------------------------------------------------------------------------------

def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def nproc() -> str:
    try:
        return subprocess.run(["nproc"], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "?"


PROBE = "import time\nt = time.time(); c = time.process_time()\nwhile time.time() - t < {s}: pass\nprint(time.process_time() - c)"


def cpu_probe(seconds: float = 1.0) -> float:
    """How many cores one busy loop per CPU actually gets right now (the host is shared)."""
    n = os.cpu_count() or 1
    procs = [subprocess.Popen([sys.executable, "-c", PROBE.format(s=seconds)], stdout=subprocess.PIPE, text=True)
             for _ in range(n)]
    return sum(float(p.communicate()[0]) for p in procs) / seconds


# -- tables ------------------------------------------------------------------------------------------------

def render(outcome: Outcome, title: str) -> str:
    """One database's table under ``## {title} — {database}``, then its footnotes as a list."""
    header = Row("metric", "value", "target", "verdict")
    rows = [header, *outcome.rows]
    widths = [max(len(getattr(r, col)) for r in rows) for col in ("metric", "value", "target", "verdict")]

    def line(r: Row) -> str:
        cells = (r.metric, r.value, r.target, r.verdict)
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    out = [f"## {title} — {outcome.database}", "", line(header), rule, *(line(r) for r in outcome.rows), ""]
    out += [f"- {note}" for note in outcome.footer]
    return "\n".join(out)


def side_by_side(outcomes: list[Outcome], title: str) -> str:
    """The rows every database has, one value column per database, under ``## {title} — side by side``."""
    labels = [o.database for o in outcomes]
    metrics = [r.metric for r in outcomes[0].rows if all(any(x.metric == r.metric for x in o.rows) for o in outcomes)]
    table = [["metric", *labels, "target"]]
    for metric in metrics:
        cells = [next(x for x in o.rows if x.metric == metric) for o in outcomes]
        values = [f"{c.value} {c.verdict}".strip() for c in cells]
        targets = list(dict.fromkeys(c.target for c in cells if c.target))
        table.append([metric, *values, " / ".join(targets)])
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
    lines = ["| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |" for row in table]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join([f"## {title} — side by side", "", *lines])


def run_tables(title: str, databases: list[str], run_database: Callable[[str], Outcome], reading: str | None,
               *, load_by: str = "the client", python_version: bool = False) -> bool:
    """Run `run_database` for each database, print a table for each and side by side; True when all passed.

    `reading` ("How to read it: ...") is printed when given; the machine note names `load_by` as what
    shares the CPUs with gunicorn and PostgreSQL, and adds the Python version when `python_version`.
    """
    outcomes = []
    started = time.perf_counter()
    probe_before = cpu_probe()
    for kind in databases:
        try:
            outcome = run_database(kind)
        except Exception as error:  # e.g. PostgreSQL down: report it and go on with the next database
            outcome = Outcome(DB_LABELS[kind], rows=[Row("run", f"failed: {type(error).__name__}: {error}"[:300],
                                                         "completes", "FAIL")])
        outcomes.append(outcome)
        print(render(outcome, title) + "\n", flush=True)
    probe_after = cpu_probe()
    if len(outcomes) > 1:
        print(side_by_side(outcomes, title) + "\n")
    passed = all(o.passed for o in outcomes)
    if reading is not None:
        print(f"How to read it: {reading}")
    print(f"machine: nproc {nproc()}, shared by gunicorn, {load_by} and PostgreSQL; a CPU probe (one busy loop "
          f"per CPU, 1 s) got {probe_before:.2f} cores before and {probe_after:.2f} after the run"
          + (f"; Python {platform.python_version()}, {platform.machine()}" if python_version else ""))
    print(f"overall: {'PASS' if passed else 'FAIL'} ({time.perf_counter() - started:.0f} s)", flush=True)
    return passed
