"""`flask consulta check-deploy`: the settings that break a deployment of several workers or servers."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask


@dataclass(frozen=True)
class Problem:
    """One finding: `error` breaks the deployment as described, `warning` weakens it."""

    level: str
    setting: str
    message: str


def check(app: Flask, *, workers: int, servers: int) -> list[Problem]:
    """What is wrong with `app`'s configuration for `servers` machines running `workers` processes each."""
    config = app.config
    problems: list[Problem] = []
    several = workers * servers > 1
    database = str(config["SQLALCHEMY_DATABASE_URI"])

    if several and str(config.get("RATELIMIT_STORAGE_URI", "")).startswith("memory"):
        problems.append(Problem("error", "CONSULTA_RATELIMIT_STORAGE_URI",
                                "limites de tentativas em memória: cada processo conta à parte, então o limite real "
                                f"é {workers * servers} vezes maior; use redis://…"))
    if several and config.get("CACHE_TYPE") in ("SimpleCache", "simple", "flask_caching.backends.SimpleCache"):
        problems.append(Problem("error", "CONSULTA_CACHE_TYPE",
                                "SimpleCache guarda páginas e resultados em cada processo: cada um recalcula e os "
                                "leitores veem versões diferentes; use RedisCache com CONSULTA_CACHE_REDIS_URL"))
    source = app.extensions.get("consulta.secret_key_source")
    if source == "created now":
        problems.append(Problem("error", "CONSULTA_SECRET_KEY",
                                f"sem chave secreta: uma nova foi criada agora em {app.instance_path}/secret_key; "
                                "guarde uma chave em /etc/consulta/env (veja o README)"))
    elif source == "instance file" and servers > 1:
        problems.append(Problem("error", "CONSULTA_SECRET_KEY",
                                "a chave vem do arquivo da pasta instance desta máquina; com vários servidores, "
                                "a mesma chave precisa estar em CONSULTA_SECRET_KEY de todos"))
    if database.startswith("sqlite") and servers > 1:
        problems.append(Problem("error", "CONSULTA_DATABASE_URL",
                                "SQLite é um arquivo local: vários servidores não o compartilham; use PostgreSQL"))
    if not config["SECURE_COOKIES"]:
        problems.append(Problem("warning", "CONSULTA_SECURE_COOKIES",
                                "cookies sem Secure e sem HSTS: em produção, atrás de HTTPS, use true"))
    elif not config["PROXY_FIX_X_FOR"]:
        problems.append(Problem("warning", "CONSULTA_PROXY_FIX_X_FOR",
                                "SECURE_COOKIES sem proxy confiável: a aplicação não lê X-Forwarded-Proto do nginx, "
                                "não vê o HTTPS (sem HSTS) e limita por endereço do proxy; use 1 atrás do nginx"))
    if config.get("DEMO_ACCOUNTS"):
        problems.append(Problem("error", "CONSULTA_DEMO_ACCOUNTS", "contas de demonstração ligadas"))
    return problems
