"""Redis stopped mid-run: pages, the API and login keep answering (uncached, limits per process), with warnings."""

import logging
import shutil
import socket
import subprocess
import time

import pytest
import redis

from consulta.degrade import gunicorn_workers, warn_about_memory_limiter
from consulta.extensions import limiter

REDIS_SERVER = shutil.which("redis-server")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def own_redis(tmp_path):
    """A redis-server of this test's own on a free port (never the shared one), stopped by the test or here."""
    if REDIS_SERVER is None:
        pytest.fail("redis-server is not installed")
    port = _free_port()
    process = subprocess.Popen([REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                "--appendonly", "no", "--dir", str(tmp_path)], stdout=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}"
    client = redis.Redis.from_url(url)
    for _ in range(100):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    yield url, process
    process.terminate()
    process.wait(timeout=10)


def test_pages_api_and_login_survive_redis_stopping(make_app, create_user, create_consultation, own_redis, caplog):
    url, process = own_redis
    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI=f"{url}/0", CACHE_TYPE="RedisCache",
                   CACHE_REDIS_URL=f"{url}/1", PAGE_CACHE_SECONDS=30, RESULTS_MAX_AGE=60)
    consultation = create_consultation("open")
    user = create_user()
    pages = ["/", f"/consultas/{consultation.slug}", f"/consultas/{consultation.slug}/resultados",
             "/api/v1/consultations"]
    client = app.test_client()
    try:
        assert [client.get(page).status_code for page in pages] == [200] * len(pages)
        assert redis.Redis.from_url(f"{url}/1").keys("*"), "the page cache did not use Redis"
        process.terminate()
        process.wait(timeout=10)
        caplog.set_level(logging.WARNING)

        anonymous = app.test_client()
        assert [anonymous.get(page).status_code for page in pages] == [200] * len(pages)
        assert anonymous.post("/entrar", data={"email": user.email, "password": "errada demais"}).status_code == 422
        person = app.test_client()
        assert person.post("/entrar", data={"email": user.email, "password": "uma senha longa de teste"}
                           ).status_code == 303
        assert person.get("/conta").status_code == 200
    finally:
        limiter._storage_dead = False  # the limiter is one global object; the next app starts healthy
        limiter.enabled = False
    assert "Rate limit storage unreachable" in caplog.text
    assert "cache unreachable" in caplog.text


@pytest.mark.parametrize(("argv", "environ", "workers"), [
    (["/srv/venv/bin/gunicorn", "--workers", "4", "wsgi:app"], {}, 4),
    (["gunicorn", "-w4", "wsgi:app"], {}, 4),
    (["gunicorn", "wsgi:app"], {"WEB_CONCURRENCY": "3"}, 3),
    (["gunicorn", "wsgi:app"], {"GUNICORN_CMD_ARGS": "--workers=2 --threads 2"}, 2),
    (["flask", "run"], {"WEB_CONCURRENCY": "3"}, 1),
])
def test_worker_count_is_read_from_gunicorns_arguments(argv, environ, workers):
    assert gunicorn_workers(argv, environ) == workers


def test_start_up_warns_when_memory_limits_run_under_several_workers(make_app, caplog):
    app = make_app(RATELIMIT_ENABLED=True)
    with caplog.at_level(logging.WARNING):
        assert warn_about_memory_limiter(app, ["gunicorn", "--workers", "4"], {})
    assert "4 workers" in caplog.text
    assert not warn_about_memory_limiter(app, ["gunicorn", "--workers", "1"], {})
    redis_app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0")
    assert not warn_about_memory_limiter(redis_app, ["gunicorn", "--workers", "4"], {})
    limiter.enabled = False
