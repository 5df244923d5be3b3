"""Run the reading of one untrusted upload in a child process with hard limits (OWASP ASVS V5.2, V2.4).

The child (`consulta.uploads.child`) sets RLIMIT_CPU and RLIMIT_AS on itself before it reads a byte of the
file; this side adds a wall-clock timeout that kills it (a child blocked on I/O or starved of CPU uses no
CPU time). Whatever the file does, the worker that started the child survives, and the limits are the
second line of defence behind the caps of `consulta.uploads.sheets`.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from consulta.uploads.child import MEMORY_EXIT

PACKAGE_ROOT = str(Path(__file__).resolve().parent.parent.parent)


class LimitExceeded(Exception):
    """The child hit a limit: `which` is "time" or "memory"; `seconds` is how long it ran."""

    def __init__(self, which: str, seconds: float) -> None:
        super().__init__(f"upload reading exceeded its {which} limit after {seconds:.1f} s")
        self.which, self.seconds = which, seconds


class ChildFailed(Exception):
    """The child ended without a result for another reason (a crash of the reader)."""


def run(kind: str, data: bytes, *, seconds: float, memory_bytes: int, **options: Any) -> dict[str, Any]:
    """Read `data` as an upload of `kind` in a child process within `seconds` and `memory_bytes`; its JSON result.

    Raises LimitExceeded when the child ran out of time or memory (it is dead by then) and ChildFailed when it
    ended otherwise without a result.
    """
    arguments = {**options, "kind": kind, "cpu_seconds": max(1, int(seconds)), "memory_bytes": int(memory_bytes)}
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [PACKAGE_ROOT, os.environ.get("PYTHONPATH")]))}
    started = time.monotonic()
    with subprocess.Popen(  # noqa: S603 - our own interpreter and module, no shell
        [sys.executable, "-m", "consulta.uploads.child", json.dumps(arguments)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, close_fds=True,
        start_new_session=True,
    ) as child:  # leaving the block closes the pipes and reaps the child
        try:
            output, errors = child.communicate(data, timeout=seconds)
        except subprocess.TimeoutExpired:
            child.kill()
            child.communicate()
            raise LimitExceeded("time", time.monotonic() - started) from None
    elapsed = time.monotonic() - started
    if child.returncode == 0:
        return json.loads(output)
    if child.returncode == MEMORY_EXIT or b"MemoryError" in errors[-2000:]:
        raise LimitExceeded("memory", elapsed)
    if child.returncode in (-signal.SIGXCPU, -signal.SIGKILL):
        raise LimitExceeded("time", elapsed)
    tail = errors[-500:].decode("utf-8", "replace").strip().splitlines()
    raise ChildFailed(f"exit status {child.returncode}: {tail[-1] if tail else ''}")
