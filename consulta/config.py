"""Default configuration; instance/config.py, CONSULTA_* variables and the factory's argument override it."""

from datetime import timedelta


class Defaults:
    """Settings for development; production overrides what the README lists."""

    SECRET_KEY: str | None = None
    # None means "the SQLite file in instance/"; CONSULTA_DATABASE_URL selects PostgreSQL.
    DATABASE_URL: str | None = None
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}

    # Sessions and cookies. SECURE_COOKIES turns on Secure cookies and HSTS (production, behind HTTPS).
    SECURE_COOKIES = False
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_DURATION = timedelta(days=14)
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)

    WTF_CSRF_TIME_LIMIT = 12 * 3600

    # Flask-Babel: Portuguese (Brazil) and the Brasília time zone; stored datetimes are UTC.
    BABEL_DEFAULT_LOCALE = "pt_BR"
    BABEL_DEFAULT_TIMEZONE = "America/Sao_Paulo"

    # Flask-Limiter: memory in development and tests; a redis:// URL in production (shared by all workers).
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_ENABLED = True
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_LOGIN = "10 per minute;50 per hour"
    RATELIMIT_REGISTER = "5 per minute;30 per hour"
    RATELIMIT_API = "300 per minute"  # the read-only JSON API, per address

    # Anonymous readers get public pages from a short-lived cache (seconds; 0 turns it off). CACHE_TYPE
    # "SimpleCache" keeps it per process; "RedisCache" with CACHE_REDIS_URL shares it between workers.
    PAGE_CACHE_SECONDS = 5
    # Public pages and API answers that do not depend on the session carry Cache-Control: public, max-age
    # (this many seconds) and an ETag, so browsers and proxies reuse them and revalidate with a 304.
    HTTP_CACHE_SECONDS = 30
    # The results page shows a snapshot of the figures, recomputed in the background once it is older than
    # this many seconds (0: computed on every request).
    RESULTS_MAX_AGE = 60
    CACHE_TYPE = "SimpleCache"
    CACHE_DEFAULT_TIMEOUT = 300
    CACHE_THRESHOLD = 2000
    CACHE_KEY_PREFIX = "consulta:"

    # Trusted reverse proxies in front of the app (X-Forwarded-For hops); 0 when served directly.
    PROXY_FIX_X_FOR = 0

    # Draft import upload limit (the importer enforces it too, with a clear message).
    MAX_CONTENT_LENGTH = 8 * 1024 * 1024

    # Privacy policy version recorded with each consent; bump it when the privacy page changes.
    PRIVACY_POLICY_VERSION = "2026-11"

    # Development conveniences: `make run` loads the demo and demo accounts only when this is true.
    DEMO_ACCOUNTS = False

    # Participation
    CONTRIBUTION_MAX_LENGTH = 5000
    CONTRIBUTION_EDIT_MINUTES = 30
    REPORTS_TO_HIDE = 3  # reports that hide a contribution pending review
    CONTRIBUTIONS_PER_PAGE = 20
    RATELIMIT_WRITE = "30 per minute;300 per hour"  # contributions, replies, reports, per account
    RATELIMIT_VOTE = "120 per minute"  # votes and supports, per account
    # Per IP the limits are higher: a workshop room or a ministry shares one address.
    RATELIMIT_WRITE_IP = "300 per minute"
    RATELIMIT_VOTE_IP = "1200 per minute"

    # Background jobs (consulta/jobs/): the queue Huey uses. None: a SQLite file in instance/ (one machine;
    # `make run` starts a worker beside the web server); "redis://host:6379/2": Redis, for workers on any
    # number of machines; "memory://": each job runs in-process right after the commit that queues it.
    QUEUE_URL: str | None = None
    QUEUE_NAME = "consulta"  # Huey's queue name: deployments sharing one Redis database need different names
    JOBS_HEARTBEAT_SECONDS = 10  # a running job renews its lease this often
    JOBS_LEASE_SECONDS = 60  # a running job without a heartbeat this long is retried or failed
    JOBS_RETRY_BACKOFF = 30  # seconds before the 2nd attempt, doubled for each further one
    JOBS_KEEP_DAYS = 30  # finished jobs are deleted after this many days
