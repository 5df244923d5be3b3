"""The child process that reads one untrusted upload under hard limits (started by `consulta.uploads.sandbox`).

``python -m consulta.uploads.child OPTIONS_JSON`` reads the file's bytes from stdin, lowers its own limits
(RLIMIT_CPU, RLIMIT_AS, no core file) before touching them, reads them and writes the result as JSON on stdout.
It exits with MEMORY_EXIT when memory ran out; the kernel ends it (SIGXCPU, then SIGKILL) when CPU time runs
out. It imports only the readers, never the web app, and needs no database.
"""

from __future__ import annotations

import json
import os
import resource
import sys
from typing import Any

MEMORY_EXIT = 3
CAPS = ("MAX_UNCOMPRESSED_BYTES", "MAX_SHARED_STRINGS", "MAX_LINES")


def limit(cpu_seconds: int, memory_bytes: int) -> None:
    """Apply the hard limits to this process (the kernel enforces them; nothing here can raise them again)."""
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))


def read(kind: str, data: bytes, options: dict[str, Any]) -> dict[str, Any]:
    """Read `data` as an upload of `kind` ("sheet" or "draft") and return the result as JSON values."""
    if kind == "sheet":
        from consulta.uploads import sheets

        for name, value in (options.get("caps") or {}).items():
            if name in CAPS:
                setattr(sheets, name, int(value))
        return sheets.read_all(data, options.get("filename") or "", options.get("sheet")).to_json()
    if kind == "draft":
        from consulta.uploads import drafts

        return drafts.read(data)
    raise ValueError(f"unknown upload kind {kind!r}")


def main() -> None:
    options = json.loads(sys.argv[1])
    # Imported before the limits are set, so that the limits bound the reading, not the start-up.
    if options.get("kind") == "draft":
        from consulta.uploads import drafts

        drafts.preload()
    else:
        from consulta.uploads import sheets  # noqa: F401
    data = sys.stdin.buffer.read()
    limit(int(options["cpu_seconds"]), int(options["memory_bytes"]))
    try:
        output = json.dumps(read(options["kind"], data, options), ensure_ascii=False).encode("utf-8")
    except MemoryError:
        os._exit(MEMORY_EXIT)
    sys.stdout.buffer.write(output)
    sys.stdout.buffer.flush()


if __name__ == "__main__":
    main()
