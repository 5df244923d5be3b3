"""The README's deployment block, run as written: a temporary venv installed from this checkout, the saved
environment file, migrations, the first admin, the systemd units (systemd-analyze verify), the nginx site
(nginx -t), then the web unit's ExecStart started outside the source tree and asked for a page, a static file
and /saude.

Only what needs root is skipped (apt-get, useradd, chown, the postgres user's commands, systemctl) and the
absolute paths move into a temporary folder. The database is a fresh SQLite file, or a fresh PostgreSQL
database beside CONSULTA_TEST_DATABASE_URL's; Redis is CONSULTA_TEST_REDIS_URL. To stay fast, the new venv
sees the test venv's packages through a .pth file, so `pip install` builds and installs only Consulta itself.
"""

import os
import re
import shutil
import signal
import socket
import subprocess
import sysconfig
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ROOT_ONLY = ("apt-get ", "useradd ", "chown ", "runuser -u postgres ", "systemctl ", "nginx -t")
README_DATABASE = "postgresql://consulta:troque-esta-senha@127.0.0.1:5432/consulta"
README_REDIS = ("redis://127.0.0.1:6379/0", "redis://127.0.0.1:6379/1", "redis://127.0.0.1:6379/2")
ADMIN_PASSWORD = "uma senha longa para o primeiro admin"


def deploy_block() -> str:
    """The sh block after the README's deploy-block marker."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"<!-- deploy-block[^>]*-->\s*```sh\n(.*?)\n```", readme, re.S)
    assert match, "README.md has no deploy-block"
    return match.group(1)


def runnable(block: str, paths: dict[str, str], hooks: dict[str, str]) -> tuple[str, list[str]]:
    """The block as a script for a non-root user: root-only lines dropped (and returned), `runuser -u consulta --`
    removed, paths moved; heredoc bodies are kept as they are, except for the paths."""
    lines, skipped, heredoc = [], [], None
    # One pass, longest first: a replacement is never replaced again (".../1" must not hit the new ".../15").
    moved = re.compile("|".join(re.escape(old) for old in sorted(paths, key=len, reverse=True)))
    for line in block.splitlines():
        line = moved.sub(lambda found: paths[found.group(0)], line)
        if heredoc:
            lines.append(line)
            heredoc = None if line == heredoc else heredoc
            continue
        if line.startswith(ROOT_ONLY):
            skipped.append(line)
            continue
        line = line.replace("runuser -u consulta -- ", "")
        marker = re.search(r"<<'?(\w+)'?", line)
        heredoc = marker.group(1) if marker else None
        lines.append(line)
        for start, extra in hooks.items():
            if line.startswith(start):
                lines.append(extra)
    return "set -euo pipefail\n" + "\n".join(lines) + "\n", skipped


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def redis_url() -> str:
    url = os.environ.get("CONSULTA_TEST_REDIS_URL")
    if not url:
        pytest.skip("CONSULTA_TEST_REDIS_URL não definido: teste da implantação do README pulado")
    return url


@pytest.fixture
def database(tmp_path):
    """A fresh, empty database: PostgreSQL beside the test database when configured, else a SQLite file."""
    url = os.environ.get("CONSULTA_TEST_DATABASE_URL")
    if not url:
        yield f"sqlite:///{tmp_path}/consulta.sqlite3"
        return
    import psycopg

    base, _, name = url.rpartition("/")
    fresh = f"{name}_readme"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{fresh}"')
        conn.execute(f'CREATE DATABASE "{fresh}"')
    yield f"{base}/{fresh}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{fresh}" WITH (FORCE)')


def get(url: str) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (http://127.0.0.1 only)
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_readme_deployment_block_installs_and_serves(tmp_path, database):
    redis = redis_url()
    port = free_port()
    src = tmp_path / "srv" / "src"
    shutil.copytree(ROOT, src, ignore=shutil.ignore_patterns(
        ".venv", ".git", "instance", "*.egg-info", "build", "__pycache__", ".pytest_cache", ".ruff_cache", "tests"))
    paths = {
        "/srv/consulta": str(tmp_path / "srv"), "/etc/consulta": str(tmp_path / "etc"),
        "/etc/systemd/system": str(tmp_path / "systemd"), "/etc/nginx/sites-available": str(tmp_path / "nginx"),
        "/etc/nginx/sites-enabled": str(tmp_path / "nginx-enabled"), "/etc/ssl/consulta": str(tmp_path / "ssl"),
        README_DATABASE: database, **dict.fromkeys(README_REDIS, redis), "127.0.0.1:8000": f"127.0.0.1:{port}",
    }
    for folder in ("systemd", "nginx", "nginx-enabled"):
        (tmp_path / folder).mkdir()
    site = sysconfig.get_paths()["purelib"]
    new_site = f'$({tmp_path}/srv/venv/bin/python -c "import sysconfig; print(sysconfig.get_paths()[\'purelib\'])")'
    venv_bin = tmp_path / "srv" / "venv" / "bin"
    scripts = {"flask": "from flask.cli import main", "gunicorn": "from gunicorn.app.wsgiapp import run as main"}
    make_scripts = "\n".join(
        f"printf '#!{venv_bin}/python\\nimport sys\\n{code}\\nsys.exit(main())\\n' > {venv_bin}/{name}"
        f" && chmod +x {venv_bin}/{name}" for name, code in scripts.items())
    # The dependencies' own console scripts, which a full `pip install` would have made in the new venv.
    hooks = {"python3 -m venv ": f'echo "{site}" > "{new_site}/_test_dependencies.pth"\n{make_scripts}'}
    script, skipped = runnable(deploy_block(), paths, hooks)
    assert any(line.startswith("apt-get ") for line in skipped) and any("systemctl" in line for line in skipped)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CONSULTA_", "FLASK_", "VIRTUAL_ENV"))}
    env["PATH"] = os.pathsep.join(p for p in env["PATH"].split(os.pathsep) if ".venv" not in p)
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    workdir = tmp_path / "run"
    workdir.mkdir()
    done = subprocess.run(["bash", "-c", script], cwd=workdir, env=env, input=f"{ADMIN_PASSWORD}\n" * 2,
                          capture_output=True, text=True, timeout=300, start_new_session=True)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "ok: nada impede" in done.stdout  # check-deploy found nothing wrong

    env_file = tmp_path / "etc" / "env"
    assert env_file.stat().st_mode & 0o777 == 0o600
    settings = dict(line.split("=", 1) for line in env_file.read_text().splitlines() if "=" in line)
    assert len(settings["CONSULTA_SECRET_KEY"]) >= 40
    assert (tmp_path / "srv" / "static" / "css" / "app.css").is_file()

    units = sorted((tmp_path / "systemd").glob("*.service"))
    assert [u.name for u in units] == ["consulta-web.service", "consulta-worker.service"]
    _verify_units(units)
    _check_nginx(tmp_path)

    unit = (tmp_path / "systemd" / "consulta-web.service").read_text()
    exec_start = re.search(r"^ExecStart=(.*)$", unit, re.M).group(1).split()
    serve_env = {**env, **settings, "WEB_CONCURRENCY": "2"}
    server = subprocess.Popen(exec_start, cwd=workdir, env=serve_env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                status, _, body = get(f"{base}/saude")
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.3)
        assert status == 200, body
        exec_start_post = re.search(r"^ExecStartPost=(.*)$", unit, re.M).group(1).split()
        assert subprocess.run(exec_start_post, timeout=60).returncode == 0  # the unit's own health wait
        assert b'"database":"ok"' in body.replace(b" ", b"") and b'"redis":"ok"' in body.replace(b" ", b"")
        status, headers, body = get(f"{base}/")
        assert status == 200 and "Consulta" in body.decode()
        assert headers["X-Request-Id"]
        status, _, body = get(f"{base}/static/css/app.css")
        assert status == 200 and body == (tmp_path / "srv" / "static" / "css" / "app.css").read_bytes()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        output = server.communicate(timeout=30)[0]
    access = [line for line in output.splitlines() if '"gunicorn.access"' in line]
    assert access and all(line.startswith("{") for line in access), output[-2000:]
    assert '"path": "/saude"' in output and '"request_id"' in access[0]
    assert str(ROOT) not in subprocess.run(
        [str(tmp_path / "srv" / "venv" / "bin" / "python"), "-c", "import consulta; print(consulta.__file__)"],
        cwd=workdir, env=env, capture_output=True, text=True).stdout


def _verify_units(units: list[Path]) -> None:
    if not shutil.which("systemd-analyze"):
        assert os.environ.get("CONSULTA_STRICT_SKIPS") != "1", "systemd-analyze missing under CI"
        return
    done = subprocess.run(["systemd-analyze", "verify", "--man=no", *map(str, units)],
                          capture_output=True, text=True, timeout=60)
    problems = [line for line in done.stderr.splitlines() if "consulta" in line and "User" not in line]
    assert done.returncode == 0 or not problems, done.stderr


def _check_nginx(tmp_path: Path) -> None:
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if not nginx:
        assert os.environ.get("CONSULTA_STRICT_SKIPS") != "1", "nginx missing under CI (.ci/run installs it)"
        return
    conf = tmp_path / "nginx-test.conf"
    conf.write_text(f"error_log {tmp_path}/nginx-error.log;\npid {tmp_path}/nginx.pid;\nevents {{}}\n"
                    f"http {{\ninclude /etc/nginx/mime.types;\ninclude {tmp_path}/nginx-enabled/*;\n}}\n")
    done = subprocess.run([nginx, "-t", "-q", "-c", str(conf), "-p", str(tmp_path)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "nginx-enabled" / "consulta").exists()
