"""Mutation spot-check: apply one small bug at a time to a copy of the committed tree and run the tests that
should catch it. A mutant that survives names a blind spot of the suite.

    .venv/bin/python -m tests.mutants            # every mutant (a few minutes)
    .venv/bin/python -m tests.mutants cas hide   # only these

Runs on SQLite, from a `git archive` of HEAD (commit first). Not part of `make test`.
"""

import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Mutant:
    path: str
    old: str
    new: str
    tests: tuple[str, ...]


MUTANTS = {
    # The vote's compare-and-set becomes an unconditional UPDATE.
    "cas": Mutant("consulta/participation/services.py",
                  "compare_and_set(Vote, vote_id, Vote.value, old, value, updated_at=utcnow())",
                  "db.session.execute(update(Vote).where(Vote.id == vote_id)"
                  ".values(value=value, updated_at=utcnow())).rowcount",
                  ("tests/test_participation.py",)),
    # Hiding a reply no longer lowers its parent's reply count.
    "hide": Mutant("consulta/participation/services.py",
                   """_count_in_tallies(contribution, -1)
        if contribution.parent_id:
            bump(Contribution.reply_count, contribution.parent_id, -1)
    _resolve_reports(contribution)""",
                   """_count_in_tallies(contribution, -1)
    _resolve_reports(contribution)""",
                   ("tests/test_participation.py", "tests/test_moderation.py")),
    # The page cache stores answers that wrote to the session (a form token).
    "page-cache-session": Mutant("consulta/web.py",
                                 "if response.status_code != 200 or session or response.direct_passthrough:",
                                 "if response.status_code != 200 or response.direct_passthrough:",
                                 ("tests/test_pages.py",)),
    # htmx fragments and full pages share one cache key.
    "page-cache-htmx": Mutant("consulta/web.py",
                              'key = f"page:v2:{int(is_htmx_partial())}:{accessibility.cache_key()}:{request.full_path}"',
                              'key = f"page:v2:{accessibility.cache_key()}:{request.full_path}"', ("tests/test_pages.py",)),
    # High-contrast and normal readers share one cache entry.
    "page-cache-preferences": Mutant("consulta/web.py",
                                     'key = f"page:v2:{int(is_htmx_partial())}:{accessibility.cache_key()}:{request.full_path}"',
                                     'key = f"page:v2:{int(is_htmx_partial())}:{request.full_path}"',
                                     ("tests/test_accessibility_tools.py",)),
    # A single person in a state is published.
    "suppress-one": Mutant("consulta/disclosure.py", "if 0 < value < SUPPRESS_BELOW", "if 1 < value < SUPPRESS_BELOW",
                           ("tests/test_results.py", "tests/test_opendata.py")),
    # recount() stops counting only visible replies.
    "recount-replies": Mutant("consulta/participation/services.py",
                              "child.c.parent_id == parent.c.id, child.c.visibility == Visibility.VISIBLE.value",
                              "child.c.parent_id == parent.c.id", ("tests/test_participation.py",)),
}


def run(name: str, mutant: Mutant, workdir: Path) -> str:
    """'killed', 'SURVIVED' or 'site not found' for one mutant."""
    tree = workdir / name
    tree.mkdir()
    archive = subprocess.run(["git", "archive", "HEAD"], cwd=ROOT, check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
    target = tree / mutant.path
    source = target.read_text(encoding="utf-8")
    if mutant.old not in source:
        return "site not found"
    target.write_text(source.replace(mutant.old, mutant.new, 1), encoding="utf-8")
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(tree), "HOME": str(workdir)}
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", *mutant.tests],
                            cwd=tree, env=env, capture_output=True, text=True)
    return "killed" if result.returncode == 1 else ("SURVIVED" if result.returncode == 0 else
                                                    f"error {result.returncode}")


def main(names: list[str]) -> int:
    chosen = names or list(MUTANTS)
    survived = 0
    with tempfile.TemporaryDirectory() as workdir:
        for name in chosen:
            verdict = run(name, MUTANTS[name], Path(workdir))
            survived += verdict != "killed"
            print(f"{name:20} {verdict}", flush=True)
    return 1 if survived else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
