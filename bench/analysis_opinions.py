"""Scale benchmark of opinion groups from votes (issue #19): time, peak memory and planted-group recovery.

``python -m bench analysis opinions [--sizes N ...] [--no-fail]`` (default 20,000, 100,000, 500,000 and
1,400,000 participants). Each size runs in a fresh subprocess. Synthetic votes: 100 recommendations, two
planted groups with opposite preferences on each recommendation (chosen at random), 10 votes per
participant on recommendations chosen at random, 10% of them against the participant's group. The votes
are generated in chunks and handed to :func:`analysis.analyze_votes` as a stream of (participant,
recommendation, value) tuples, as the web app streams them from the database; the measured time is the
whole call, so it includes producing those tuples ("input s" is that part alone, measured separately).
Peak memory is the subprocess's maximum resident set size, data generation and imports included.
Recovery is the share of participants whose group's majority planted group is their own.

Targets: 1,400,000 participants in ≤ 60 s and ≤ 2 GB; recovery ≥ 95% at every size; time(1.4M) ÷
time(100k) ≤ 20 (near-linear).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from bench.report import cpu_probe, nproc, verdict

ROOT = Path(__file__).resolve().parents[1]
SIZES = [20_000, 100_000, 500_000, 1_400_000]
RECOMMENDATIONS, PER_PARTICIPANT, AGAINST = 100, 10, 0.1
TIME_TARGET = {1_400_000: 60.0}
MEMORY_TARGET_MB = {1_400_000: 2048.0}
RECOVERY_TARGET = 0.95
RATIO_TARGET, RATIO_SIZES = 20.0, (100_000, 1_400_000)
NAMES = {1: "agree", -1: "disagree"}


def planted_votes(n: int, seed: int = 0, chunk: int = 20_000) -> tuple[np.ndarray, Iterator[tuple[int, int, str]]]:
    """The planted group of each participant, and a generator of their votes (participant-major order)."""
    rng = np.random.default_rng(seed)
    group = rng.integers(0, 2, n)
    preference = np.where(rng.random((2, RECOMMENDATIONS)) < 0.5, 1, -1)

    def votes() -> Iterator[tuple[int, int, str]]:
        for start in range(0, n, chunk):
            stop = min(n, start + chunk)
            chosen = np.argsort(rng.random((stop - start, RECOMMENDATIONS)), axis=1)[:, :PER_PARTICIPANT]
            against = rng.random(chosen.shape) < AGAINST
            values = preference[group[start:stop, None], chosen] * np.where(against, -1, 1)
            people = np.repeat(np.arange(start, stop), PER_PARTICIPANT).tolist()
            yield from zip(people, chosen.ravel().tolist(), map(NAMES.__getitem__, values.ravel().tolist()), strict=True)

    return group, votes()


def recovery(groups: list[list[int]], truth: np.ndarray) -> float:
    """Share of participants in a group whose majority planted group is their own."""
    agree = sum(int(np.bincount(truth[np.asarray(members, dtype=np.int64)], minlength=2).max())
                for members in groups if members)
    return agree / len(truth)


def worker(size: int, seed: int) -> None:
    """Time one analysis of ``size`` participants and print a JSON line with the measurements."""
    from analysis import analyze_votes

    _, stream = planted_votes(size, seed)
    began = time.perf_counter()
    for _ in stream:
        pass
    input_s = time.perf_counter() - began
    truth, stream = planted_votes(size, seed)
    began, cpu = time.perf_counter(), time.process_time()
    result = analyze_votes(stream, seed=seed)
    elapsed, cpu = time.perf_counter() - began, time.process_time() - cpu
    print(json.dumps({
        "size": size, "votes": result.votes, "seconds": elapsed, "cpu_s": cpu, "input_s": input_s,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "k": result.k,
        "method": result.run.parameters.get("method"),
        "recovery": recovery([g.participant_ids for g in result.groups], truth),
        "timings": result.run.timings,
    }))


def database_worker(kind: str, size: int, seed: int) -> None:
    """Load ``size`` planted voters into a fresh database, then time the web app's path: streaming the
    votes (:func:`consulta.insights.votes.vote_rows`) into the engine; print a JSON line."""
    from sqlalchemy import select

    from analysis import analyze_votes
    from bench import data
    from consulta.extensions import db
    from consulta.insights import votes
    from consulta.models import Article, ArticleKind, User, Vote

    data.PG_DATABASE = "consulta_bench_opinions"  # never the other benchmarks' database
    with data.workspace(kind, "opinions") as (workdir, instance):
        app = data.bench_app(data.database_url(kind, workdir), instance)
        with app.app_context():
            data.prepare(app)
            recommendations = db.session.execute(
                select(Article.id, Article.consultation_id)
                .where(Article.kind == ArticleKind.RECOMMENDATION, Article.accepts_votes.is_(True))
                .order_by(Article.id)).all()
            consultation_id = recommendations[0].consultation_id
            article_ids = np.array([r.id for r in recommendations if r.consultation_id == consultation_id])
            first = db.session.scalar(select(User.id).order_by(User.id.desc()).limit(1)) or 0
            data._insert_voters(db, size, "x")
            user_ids = np.array(db.session.scalars(select(User.id).where(User.id > first).order_by(User.id)).all())
            truth, stream = _planted_on(article_ids, user_ids, seed)
            moment = data._naive_utc(datetime.now(UTC))
            batch: list[tuple] = []
            for user_id, article_id, value in stream:
                batch.append((article_id, user_id, value, moment, moment))
                if len(batch) >= 50_000:
                    data.bulk_insert(db, Vote.__table__, ("article_id", "user_id", "value", "created_at", "updated_at"), batch)
                    batch = []
            data.bulk_insert(db, Vote.__table__, ("article_id", "user_id", "value", "created_at", "updated_at"), batch)
            version = data.finish(db)
        with app.app_context():
            began, cpu = time.perf_counter(), time.process_time()
            result = analyze_votes(votes.vote_rows(consultation_id), seed=seed)
            elapsed, cpu = time.perf_counter() - began, time.process_time() - cpu
            position = {int(u): i for i, u in enumerate(user_ids)}
            members = [[position[u] for u in g.participant_ids] for g in result.groups]
            data.release(db)
    print(json.dumps({
        "size": size, "votes": result.votes, "seconds": elapsed, "cpu_s": cpu, "database": version,
        "recommendations": result.recommendations, "k": result.k, "method": result.run.parameters["method"],
        "recovery": recovery(members, truth), "timings": result.run.timings,
    }))


def _planted_on(article_ids: np.ndarray, user_ids: np.ndarray, seed: int):
    """Planted votes (as :func:`planted_votes`) on the given articles by the given accounts."""
    rng = np.random.default_rng(seed)
    n, m = len(user_ids), len(article_ids)
    group = rng.integers(0, 2, n)
    preference = np.where(rng.random((2, m)) < 0.5, 1, -1)
    chosen = np.argsort(rng.random((n, m)), axis=1)[:, :PER_PARTICIPANT]
    values = preference[group[:, None], chosen] * np.where(rng.random(chosen.shape) < AGAINST, -1, 1)
    people = np.repeat(user_ids, PER_PARTICIPANT).tolist()
    stream = zip(people, article_ids[chosen].ravel().tolist(), map(NAMES.__getitem__, values.ravel().tolist()),
                 strict=True)
    return group, stream


def main(argv: list[str]) -> int:
    """Measure each size in its own subprocess, print the table; 1 when a target is missed."""
    parser = argparse.ArgumentParser(prog="python -m bench analysis opinions", description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=SIZES, help="participants (default %(default)s)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-fail", action="store_true", help="exit 0 even when a target is missed")
    parser.add_argument("--db", choices=("sqlite", "postgres"), action="append", default=[],
                        help="also load --db-voters planted voters into a fresh database and time reading "
                             "their votes as the web app does, into the engine (repeatable)")
    parser.add_argument("--db-voters", type=int, default=100_000, help="voters in the database (default %(default)s)")
    args = parser.parse_args(argv)
    if not args.sizes and not args.db:
        parser.error("nothing to measure")
    probe_before = cpu_probe()
    rows = []
    for size in args.sizes:
        completed = subprocess.run(
            [sys.executable, "-m", "bench.analysis_opinions", "--worker", str(size), str(args.seed)],
            cwd=ROOT, capture_output=True, text=True, check=True,
        )
        rows.append(json.loads(completed.stdout.strip().splitlines()[-1]))
        print(f"measured {size:,} participants", file=sys.stderr, flush=True)
    database_rows = []
    for kind in args.db:
        completed = subprocess.run(
            [sys.executable, "-m", "bench.analysis_opinions", "--database-worker", kind, str(args.db_voters),
             str(args.seed)], cwd=ROOT, capture_output=True, text=True, check=True,
        )
        database_rows.append(json.loads(completed.stdout.strip().splitlines()[-1]))
        print(f"measured {args.db_voters:,} voters on {kind}", file=sys.stderr, flush=True)
    probe_after = cpu_probe()
    ok = True
    print("## Opinion groups at scale (python -m bench analysis opinions)\n")
    if rows:
        print("| participants | votes | path | k | time s | CPU s | input s | peak RSS MB | recovery | verdict |")
        print("|---|---|---|---|---|---|---|---|---|---|")
    for row in rows:
        size = row["size"]
        passed = (row["recovery"] >= RECOVERY_TARGET and row["seconds"] <= TIME_TARGET.get(size, float("inf"))
                  and row["peak_mb"] <= MEMORY_TARGET_MB.get(size, float("inf")))
        ok &= passed
        print(f"| {size:,} | {row['votes']:,} | {row['method']} | {row['k']} | {row['seconds']:.1f} | {row['cpu_s']:.1f} | "
              f"{row['input_s']:.1f} | {row['peak_mb']:.0f} | {row['recovery']:.1%} | {verdict(passed)} |")
    if database_rows:
        print("\nFrom the database (the web app's path: Core select, yield_per, into the engine):\n")
        print("| database | voters | votes | recommendations | path | k | time s | CPU s | recovery | verdict |")
        print("|---|---|---|---|---|---|---|---|---|---|")
        for row in database_rows:
            passed = row["recovery"] >= RECOVERY_TARGET
            ok &= passed
            print(f"| {row['database']} | {row['size']:,} | {row['votes']:,} | {row['recommendations']} | "
                  f"{row['method']} | {row['k']} | {row['seconds']:.1f} | {row['cpu_s']:.1f} | "
                  f"{row['recovery']:.1%} | {verdict(passed)} |")
    by_size = {row["size"]: row for row in rows}
    small, large = RATIO_SIZES
    if small in by_size and large in by_size:
        ratio = by_size[large]["seconds"] / by_size[small]["seconds"]
        ok &= ratio <= RATIO_TARGET
        print(f"\ntime({large:,}) ÷ time({small:,}) = {ratio:.1f} (target ≤ {RATIO_TARGET:.0f}): "
              f"{verdict(ratio <= RATIO_TARGET)}")
    stages = [name for name in (rows or database_rows)[0]["timings"] if name != "total"]
    print(f"\nseconds per stage: {', '.join(stages)}")
    for row in rows + database_rows:
        print(f"- {row['size']:,}: " + ", ".join(f"{row['timings'][name]:.2f}" for name in stages))
    print(f"\ntargets: 1.4M participants ≤ {TIME_TARGET[1_400_000]:.0f} s and ≤ {MEMORY_TARGET_MB[1_400_000]:.0f} MB; "
          f"recovery ≥ {RECOVERY_TARGET:.0%} at every size; time(1.4M) ÷ time(100k) ≤ {RATIO_TARGET:.0f}")
    print(f"machine: nproc {nproc()}, shared; a CPU probe (one busy loop per CPU, 1 s) got {probe_before:.2f} cores "
          f"before and {probe_after:.2f} after the run")
    print(f"overall: {verdict(ok)}")
    return 0 if ok or args.no_fail else 1


if __name__ == "__main__":
    arguments = sys.argv[1:]
    if arguments[:1] == ["--worker"]:
        worker(int(arguments[1]), int(arguments[2]))
    elif arguments[:1] == ["--database-worker"]:
        database_worker(arguments[1], int(arguments[2]), int(arguments[3]))
    else:
        raise SystemExit(main(arguments))
