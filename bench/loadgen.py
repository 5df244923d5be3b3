"""HTTP load generator, run as its own process: ``python -m bench.loadgen`` (standard library only); at the
end of this module, the orchestrator's side that starts these processes (`run_loadgen`, `measure_pages`).

The orchestrator writes one JSON job on stdin. The process prepares (opens connections, logs accounts in),
prints ``{"ready": ...}``, waits for ``{"go": <epoch seconds>}`` on stdin, runs the timed windows from that
instant and prints one JSON result. Several of these processes run side by side so the client is not held
back by one interpreter's GIL; they share nothing but the start instant.

Jobs:

* ``pages``: `connections` threads, each with a keep-alive connection, all requesting the same path during
  each phase; phases follow each other back to back (bare, article, article, bare, ... interleaved).
* ``votes``: one thread per client; each logs its accounts in the way a browser does (GET /entrar for the
  form's CSRF token, POST /entrar, GET the article page for the vote form's token), then casts votes as
  htmx does (``HX-Request: true``) on random recommendations, with random values, until the window ends.
"""

import http.client
import json
import random
import re
import resource
import subprocess
import sys
import threading
import time
from http.cookies import SimpleCookie
from urllib.parse import urlencode

from bench.report import percentile, split
from bench.server import ROOT, Server

CSRF_RE = re.compile(rb'name="csrf_token"[^>]*value="([^"]+)"')
VOTE_OK = b"Seu voto foi registrado"
RETRYABLE = (http.client.RemoteDisconnected, http.client.BadStatusLine, ConnectionError, BrokenPipeError)


class Client:
    """One browser: a keep-alive connection and a cookie jar."""

    def __init__(self, host: str, port: int, keepalive: bool = True) -> None:
        self.host, self.port, self.keepalive = host, port, keepalive
        self.cookies: dict[str, str] = {}
        self.conn: http.client.HTTPConnection | None = None
        self.reconnects = 0

    def _connect(self) -> http.client.HTTPConnection:
        if self.conn is None:
            self.conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
        return self.conn

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def request(self, method: str, path: str, form: dict | None = None,
                headers: dict | None = None, cookies: bool = True) -> tuple[int, bytes, dict]:
        """Send one request; on a connection the server closed while idle, reconnect once and resend."""
        head = {"Accept": "text/html", "Accept-Encoding": "identity", "User-Agent": "consulta-bench"}
        if not self.keepalive:
            head["Connection"] = "close"
        body = None
        if form is not None:
            body = urlencode(form).encode()
            head["Content-Type"] = "application/x-www-form-urlencoded"
        if cookies and self.cookies:
            head["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        head.update(headers or {})
        for attempt in (1, 2):
            conn = self._connect()
            try:
                conn.request(method, path, body=body, headers=head)
                response = conn.getresponse()
                data = response.read()
            except RETRYABLE:
                self.close()
                if attempt == 2:
                    raise
                self.reconnects += 1
                continue
            break
        if cookies:
            for header in response.headers.get_all("Set-Cookie") or ():
                jar = SimpleCookie()
                jar.load(header)
                for name, morsel in jar.items():
                    if morsel["max-age"] == "0" or not morsel.value:
                        self.cookies.pop(name, None)
                    else:
                        self.cookies[name] = morsel.value
        if response.will_close or not self.keepalive:
            self.close()
        return response.status, data, dict(response.headers)


def _csrf(body: bytes) -> str:
    match = CSRF_RE.search(body)
    if not match:
        raise RuntimeError("no csrf_token in the page")
    return match.group(1).decode()


def wait_for_go(ready: dict) -> float:
    """Tell the orchestrator we are ready and wait for the common start instant."""
    print(json.dumps({"ready": ready}), flush=True)
    line = sys.stdin.readline()
    if not line:
        raise SystemExit("orchestrator went away")
    return float(json.loads(line)["go"])


def sleep_until(instant: float) -> None:
    delay = instant - time.time()
    if delay > 0:
        time.sleep(delay)


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# -- pages -----------------------------------------------------------------------------------------------

def run_pages(job: dict) -> dict:
    phases = job["phases"]
    results = [{"ok": 0, "errors": 0, "latencies": [], "bytes": 0, "error_samples": []} for _ in phases]
    lock = threading.Lock()

    def worker(index: int, start: float) -> None:
        client = Client(job["host"], job["port"], job.get("keepalive", True))
        begin = start
        for phase, result in zip(phases, results, strict=True):
            end = begin + phase["duration"]
            marker = phase.get("marker", "").encode()
            headers = {"Cookie": phase["cookie"]} if phase.get("cookie") else None  # a signed-in reader
            ok = errors = size = 0
            latencies: list[float] = []
            samples: list[str] = []
            sleep_until(begin)
            while time.time() < end:
                t = time.perf_counter()
                try:
                    status, body, _ = client.request("GET", phase["path"], headers=headers, cookies=False)
                except (OSError, http.client.HTTPException) as error:
                    errors += 1
                    samples.append(repr(error))
                    client.close()
                    continue
                latencies.append(time.perf_counter() - t)
                if status == 200 and marker in body:
                    ok += 1
                    size += len(body)
                else:
                    errors += 1
                    samples.append(f"{status} {body[:200]!r}")
            with lock:
                result["ok"] += ok
                result["errors"] += errors
                result["bytes"] += size
                result["latencies"].extend(latencies)
                result["error_samples"].extend(samples[:3])
            begin = end
        client.close()
        with lock:
            reconnects[0] += client.reconnects

    reconnects = [0]
    start = wait_for_go({"connections": job["connections"]})
    threads = [threading.Thread(target=worker, args=(i, start), daemon=True) for i in range(job["connections"])]
    for thread in threads:
        thread.start()
    begin = start
    sleep_until(begin)
    cpu_before = cpu_seconds()
    for phase, result in zip(phases, results, strict=True):
        begin += phase["duration"]
        sleep_until(begin)
        cpu_now = cpu_seconds()
        result["client_cpu"] = cpu_now - cpu_before
        cpu_before = cpu_now
    for thread in threads:
        thread.join()
    return {"phases": results, "reconnects": reconnects[0]}


# -- votes -----------------------------------------------------------------------------------------------

def login(job: dict, email: str) -> tuple[Client, str]:
    """Log in as a browser would and return the client with the vote form's CSRF token."""
    client = Client(job["host"], job["port"], job.get("keepalive", True))
    status, body, _ = client.request("GET", "/entrar")
    if status != 200:
        raise RuntimeError(f"GET /entrar answered {status}")
    form = {"csrf_token": _csrf(body), "email": email, "password": job["password"]}
    status, body, headers = client.request("POST", "/entrar", form=form)
    if status != 303:
        raise RuntimeError(f"POST /entrar for {email} answered {status}: {body[:300]!r}")
    status, body, _ = client.request("GET", f"/consultas/{job['slug']}/artigos/{job['articles'][0]}")
    if status != 200:
        raise RuntimeError(f"article page after login answered {status}")
    return client, _csrf(body)


def run_votes(job: dict) -> dict:
    clients = job["clients"]  # one list of account e-mails per client thread
    sessions: list[list[tuple[str, Client, str]]] = [[] for _ in clients]
    login_errors: list[str] = []
    t_login = time.perf_counter()

    def do_login(index: int) -> None:
        for email in clients[index]:
            try:
                client, token = login(job, email)
            except (OSError, http.client.HTTPException, RuntimeError) as error:
                login_errors.append(f"{email}: {error!r}")
                continue
            sessions[index].append((email, client, token))

    threads = [threading.Thread(target=do_login, args=(i,)) for i in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    login_seconds = time.perf_counter() - t_login

    results = [{"ok": 0, "errors": 0, "latencies": [], "error_samples": [], "final": {}} for _ in clients]
    values = ("agree", "disagree", "abstain")

    def voter(index: int, start: float, end: float) -> None:
        rng = random.Random(job["seed"] * 1000 + index)
        result = results[index]
        final: dict[str, dict[str, str]] = {email: {} for email, _, _ in sessions[index]}
        turn = 0
        sleep_until(start)
        while time.time() < end and sessions[index]:
            email, client, token = sessions[index][turn % len(sessions[index])]
            turn += 1
            article = rng.choice(job["articles"])
            value = rng.choice(values)
            path = f"/consultas/{job['slug']}/artigos/{article}/voto"
            headers = {"HX-Request": "true", "HX-Target": "votacao",
                       "HX-Current-URL": f"http://{job['host']}:{job['port']}/consultas/{job['slug']}/artigos/{article}"}
            t = time.perf_counter()
            try:
                status, body, _ = client.request("POST", path, form={"csrf_token": token, "value": value},
                                                 headers=headers)
            except (OSError, http.client.HTTPException) as error:
                result["errors"] += 1
                result["error_samples"].append(repr(error))
                client.close()
                continue
            result["latencies"].append(time.perf_counter() - t)
            if status == 200 and VOTE_OK in body:
                result["ok"] += 1
                final[email][str(article)] = value
            else:
                result["errors"] += 1
                if len(result["error_samples"]) < 5:
                    result["error_samples"].append(f"{status} {body[:300]!r}")
        result["final"] = final

    start = wait_for_go({"sessions": sum(len(s) for s in sessions), "login_errors": login_errors,
                         "login_seconds": login_seconds})
    end = start + job["duration"]
    threads = [threading.Thread(target=voter, args=(i, start, end)) for i in range(len(clients))]
    for thread in threads:
        thread.start()
    sleep_until(start)
    cpu_before = cpu_seconds()
    sleep_until(end)
    client_cpu = cpu_seconds() - cpu_before
    for thread in threads:
        thread.join()
    reconnects = sum(c.reconnects for s in sessions for _, c, _ in s)
    for s in sessions:
        for _, client, _ in s:
            client.close()
    return {
        "ok": sum(r["ok"] for r in results), "errors": sum(r["errors"] for r in results),
        "latencies": [x for r in results for x in r["latencies"]],
        "error_samples": [x for r in results for x in r["error_samples"]][:10],
        "final": {email: votes for r in results for email, votes in r["final"].items()},
        "client_cpu": client_cpu, "reconnects": reconnects, "login_errors": login_errors,
    }


# -- the orchestrator's side -------------------------------------------------------------------------------

def _spawn(jobs: list[dict]) -> list[subprocess.Popen]:
    processes = []
    for job in jobs:
        process = subprocess.Popen([sys.executable, "-m", "bench.loadgen"], cwd=ROOT, stdin=subprocess.PIPE,
                                   stdout=subprocess.PIPE, text=True)
        process.stdin.write(json.dumps(job) + "\n")
        process.stdin.flush()
        processes.append(process)
    return processes


def _read(process: subprocess.Popen, key: str) -> dict:
    line = process.stdout.readline()
    if not line:
        process.wait()
        raise RuntimeError(f"load generator exited with {process.returncode} before sending {key!r}")
    return json.loads(line)[key]


def run_loadgen(jobs: list[dict], windows: list[float],
                server: Server) -> tuple[list[dict], list[dict], list[tuple[float, float]]]:
    """Start one load-generator process per job, wait until all are ready, give one start instant; sample the
    server's CPU per window. Returns the processes' ready messages, their results, and per window the
    (gunicorn, PostgreSQL) CPU seconds."""
    processes = _spawn(jobs)
    try:
        ready = [_read(p, "ready") for p in processes]
        start = time.time() + 0.3
        for process in processes:
            process.stdin.write(json.dumps({"go": start}) + "\n")
            process.stdin.flush()
        server_cpu = []
        sleep_until(start)
        before = server.cpu_with_database()
        instant = start
        for window in windows:
            instant += window
            sleep_until(instant)
            now = server.cpu_with_database()
            server_cpu.append((now[0] - before[0], now[1] - before[1]))
            before = now
        results = [_read(p, "result") for p in processes]
        for process in processes:
            process.wait(timeout=30)
        return ready, results, server_cpu
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()


def measure_pages(server: Server, urls: dict[str, tuple], *, warmup: float, duration: float,
                  rounds: int, connections: int, processes: int, keepalive: bool = True) -> dict:
    """Pages requested in interleaved windows: `urls` maps a name to (path, marker the body must contain) or
    (path, marker, Cookie header of a signed-in reader).

    After a `warmup` window per URL, `rounds` rounds of one window per URL (A B C, C B A, ...: a drift in
    the machine's speed favours no URL), `duration` seconds per URL in all, on `connections` connections
    from `processes` load processes. Returns per name: ok, errors, latencies, samples, seconds, rounds
    (req/s per round), server_cpu, db_cpu, client_cpu (seconds), rps, p50 and p95 (ms); and "reconnects".
    """
    def phase(name: str, spec: tuple, **more) -> dict:
        path, marker, *cookie = spec
        return {"name": name, "path": path, "marker": marker, "cookie": cookie[0] if cookie else None, **more}

    phases = [phase(f"warmup-{name}", spec, duration=warmup) for name, spec in urls.items()]
    window = duration / rounds
    for n in range(rounds):
        order = list(urls.items()) if n % 2 == 0 else list(reversed(urls.items()))
        phases += [phase(name, spec, duration=window, round=n) for name, spec in order]
    jobs = [{"mode": "pages", "host": "127.0.0.1", "port": server.port, "connections": len(part),
             "phases": phases, "keepalive": keepalive}
            for part in split(list(range(connections)), processes)]
    _, results, server_cpu = run_loadgen(jobs, [p["duration"] for p in phases], server)
    summary: dict = {name: {"ok": 0, "errors": 0, "latencies": [], "seconds": 0.0, "client_cpu": 0.0,
                            "server_cpu": 0.0, "db_cpu": 0.0, "samples": [], "rounds": [0.0] * rounds}
                     for name in urls}
    for i, phase in enumerate(phases):
        if phase["name"].startswith("warmup"):
            continue
        entry = summary[phase["name"]]
        entry["seconds"] += phase["duration"]
        entry["rounds"][phase["round"]] = sum(r["phases"][i]["ok"] for r in results) / phase["duration"]
        entry["server_cpu"] += server_cpu[i][0]
        entry["db_cpu"] += server_cpu[i][1]
        for result in results:
            r = result["phases"][i]
            entry["ok"] += r["ok"]
            entry["errors"] += r["errors"]
            entry["latencies"].extend(r["latencies"])
            entry["client_cpu"] += r["client_cpu"]
            entry["samples"].extend(r["error_samples"])
    for entry in summary.values():
        entry["rps"] = entry["ok"] / entry["seconds"]
        entry["p50"] = percentile(entry["latencies"], 0.5) * 1000
        entry["p95"] = percentile(entry["latencies"], 0.95) * 1000
    summary["reconnects"] = sum(r["reconnects"] for r in results)
    return summary


# -- the load-generator process --------------------------------------------------------------------------

def main() -> None:
    job = json.loads(sys.stdin.readline())
    result = run_pages(job) if job["mode"] == "pages" else run_votes(job)
    print(json.dumps({"result": result}), flush=True)


if __name__ == "__main__":
    main()
