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


def main(argv: list[str]) -> int:
    """Measure each size in its own subprocess, print the table; 1 when a target is missed."""
    parser = argparse.ArgumentParser(prog="python -m bench analysis opinions", description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=SIZES, help="participants (default %(default)s)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-fail", action="store_true", help="exit 0 even when a target is missed")
    args = parser.parse_args(argv)
    probe_before = cpu_probe()
    rows = []
    for size in args.sizes:
        completed = subprocess.run(
            [sys.executable, "-m", "bench.analysis_opinions", "--worker", str(size), str(args.seed)],
            cwd=ROOT, capture_output=True, text=True, check=True,
        )
        rows.append(json.loads(completed.stdout.strip().splitlines()[-1]))
        print(f"measured {size:,} participants", file=sys.stderr, flush=True)
    probe_after = cpu_probe()
    ok = True
    print("## Opinion groups at scale (python -m bench analysis opinions)\n")
    print("| participants | votes | path | k | time s | CPU s | input s | peak RSS MB | recovery | verdict |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for row in rows:
        size = row["size"]
        passed = (row["recovery"] >= RECOVERY_TARGET and row["seconds"] <= TIME_TARGET.get(size, float("inf"))
                  and row["peak_mb"] <= MEMORY_TARGET_MB.get(size, float("inf")))
        ok &= passed
        print(f"| {size:,} | {row['votes']:,} | {row['method']} | {row['k']} | {row['seconds']:.1f} | {row['cpu_s']:.1f} | "
              f"{row['input_s']:.1f} | {row['peak_mb']:.0f} | {row['recovery']:.1%} | {verdict(passed)} |")
    by_size = {row["size"]: row for row in rows}
    small, large = RATIO_SIZES
    if small in by_size and large in by_size:
        ratio = by_size[large]["seconds"] / by_size[small]["seconds"]
        ok &= ratio <= RATIO_TARGET
        print(f"\ntime({large:,}) ÷ time({small:,}) = {ratio:.1f} (target ≤ {RATIO_TARGET:.0f}): "
              f"{verdict(ratio <= RATIO_TARGET)}")
    stages = [name for name in rows[0]["timings"] if name != "total"]
    print(f"\nseconds per stage: {', '.join(stages)}")
    for row in rows:
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
    else:
        raise SystemExit(main(arguments))
