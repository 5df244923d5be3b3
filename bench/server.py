"""gunicorn serving ``bench.wsgi_bench:app`` as a subprocess, with CPU accounting from /proc."""

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
REDIS_URL = "redis://127.0.0.1:6379/14"
# With --ratelimit redis: the production storage, limits far above what 16 clients reach, so the cost of
# checking them is measured without any request being refused.
HIGH_LIMITS = {
    "CONSULTA_RATELIMIT_LOGIN": "100000 per minute",
    "CONSULTA_RATELIMIT_VOTE": "100000 per minute",
    "CONSULTA_RATELIMIT_VOTE_IP": "1000000 per minute",
    "CONSULTA_RATELIMIT_WRITE": "100000 per minute",
    "CONSULTA_RATELIMIT_WRITE_IP": "1000000 per minute",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """``gunicorn --workers W --threads T --bind 127.0.0.1:PORT bench.wsgi_bench:app``, started and stopped."""

    def __init__(self, database_url: str, workdir: Path, *, workers: int, threads: int, ratelimit: str,
                 secret_key: str, access_log: bool = True, wsgi: str = "bench.wsgi_bench:app",
                 page_cache: int | None = None) -> None:
        self.database_url, self.workdir = database_url, workdir
        self.workers, self.threads, self.ratelimit = workers, threads, ratelimit
        self.secret_key, self.access_log, self.wsgi = secret_key, access_log, wsgi
        self.page_cache = page_cache
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        self.error_log = workdir / "gunicorn-error.log"
        self.started_workers: set[int] = set()

    @property
    def command(self) -> list[str]:
        command = [sys.executable, "-m", "gunicorn", "--workers", str(self.workers), "--threads", str(self.threads),
                   "--bind", f"127.0.0.1:{self.port}", "--error-logfile", str(self.error_log)]
        if self.access_log:
            command += ["--access-logfile", str(self.workdir / "gunicorn-access.log")]
        return [*command, self.wsgi]

    def environment(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("CONSULTA_")}
        instance = self.workdir / "instance"
        instance.mkdir(exist_ok=True)
        env.update({
            "CONSULTA_DATABASE_URL": self.database_url,
            "CONSULTA_SECRET_KEY": self.secret_key,
            "CONSULTA_INSTANCE_PATH": str(instance),
            "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p),
        })
        if self.page_cache is not None:
            env["CONSULTA_PAGE_CACHE_SECONDS"] = str(self.page_cache)
        if self.ratelimit == "off":
            env["CONSULTA_RATELIMIT_ENABLED"] = "false"
        else:
            env["CONSULTA_RATELIMIT_STORAGE_URI"] = REDIS_URL
            env.update(HIGH_LIMITS)
        return env

    def start(self, timeout: float = 60) -> None:
        if self.ratelimit == "redis":
            import redis

            redis.Redis.from_url(REDIS_URL).flushdb()
        self.process = subprocess.Popen(self.command, cwd=ROOT, env=self.environment(),
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                        start_new_session=True)
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/bench/bare")
                if conn.getresponse().status == 200 and len(self.worker_pids()) == self.workers:
                    break
            except (OSError, http.client.HTTPException):
                pass
            finally:
                conn.close()
            time.sleep(0.2)
        else:
            raise RuntimeError(f"gunicorn did not answer within {timeout:.0f} s:\n{self.log_tail()}")
        self.started_workers = set(self.worker_pids())

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # graceful: workers finish their requests
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        if self.ratelimit == "redis":
            import redis

            redis.Redis.from_url(REDIS_URL).flushdb()  # leave db 14 as we found it

    def __enter__(self) -> "Server":
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def worker_pids(self) -> list[int]:
        """The master's children (gunicorn workers)."""
        if self.process is None:
            return []
        master = self.process.pid
        pids = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                stat = _stat(int(entry.name))
                if stat and int(stat[1]) == master:
                    pids.append(int(entry.name))
        return pids

    def cpu_seconds(self) -> float:
        """CPU time used so far by the master and its workers."""
        total = 0.0
        for pid in [self.process.pid, *self.worker_pids()] if self.process else []:
            stat = _stat(pid)
            if stat:
                total += (int(stat[11]) + int(stat[12])) / CLOCK_TICKS
        return total

    def cpu_with_database(self) -> tuple[float, float]:
        """CPU seconds so far: gunicorn (master and workers), and PostgreSQL's processes when it is the database
        (0.0 otherwise)."""
        return self.cpu_seconds(), postgres_cpu_seconds() if self.database_url.startswith("postgres") else 0.0

    def restarted_workers(self) -> int:
        """Workers that were replaced since start (a crash or a timeout kill)."""
        return len(set(self.worker_pids()) - self.started_workers)

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.error_log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no error log)"


def postgres_cpu_seconds() -> float:
    """CPU time used so far by the local PostgreSQL server's processes (0 when it runs elsewhere)."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if (entry / "comm").read_text().strip() != "postgres":
                continue
        except OSError:
            continue
        stat = _stat(int(entry.name))
        if stat:
            total += (int(stat[11]) + int(stat[12])) / CLOCK_TICKS
    return total


def _stat(pid: int) -> list[str] | None:
    """Fields of /proc/PID/stat after the command name: [state, ppid, ..., utime (11), stime (12), ...]."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return raw[raw.rindex(")") + 2:].split()
