"""Default configuration; instance/config.py, CONSULTA_* variables and the factory's argument override it."""

from datetime import timedelta


class Defaults:
    """Settings for development; production overrides what the README lists."""

    SECRET_KEY: str | None = None
    # None means "the SQLite file in instance/"; CONSULTA_DATABASE_URL selects PostgreSQL.
    DATABASE_URL: str | None = None
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    # A pooled PostgreSQL connection idle this long is pinged before use (a lost one is replaced); busier ones
    # are used as they are, saving a round trip per request under load. 0 pings at every checkout (the job
    # worker does). `"pool_pre_ping": True` in SQLALCHEMY_ENGINE_OPTIONS restores SQLAlchemy's own ping.
    DB_PING_IDLE_SECONDS = 1.0
    # PostgreSQL connections per app process: gunicorn's threads (consulta/gunicorn_conf.py: 2) plus a spare
    # for the background job enqueued after a commit; overflow for bursts. Statements run this many times on
    # a connection are prepared by psycopg (server-side plans); None turns that off (PgBouncer, transaction mode).
    DB_POOL_SIZE = 3
    DB_POOL_OVERFLOW = 5
    DB_PREPARE_THRESHOLD: int | None = 2

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
    # DEFAULT_LOCALE is the language of every page unless the visitor picks another of LOCALES (footer
    # switch or ?lang=); LOCALE_FROM_BROWSER lets the browser's Accept-Language choose first (consulta.i18n).
    DEFAULT_LOCALE = "pt_BR"
    LOCALES = ["pt_BR", "en", "es"]
    LOCALE_FROM_BROWSER = False
    BABEL_DEFAULT_LOCALE = "pt_BR"  # set from DEFAULT_LOCALE
    BABEL_DEFAULT_TIMEZONE = "America/Sao_Paulo"

    # Flask-Limiter: memory in development and tests; a redis:// URL in production (shared by all workers).
    RATELIMIT_STORAGE_URI = "memory://"
    # When that storage (Redis) is unreachable, limits fall back to per-process memory, per address, with a
    # logged warning: these limits then apply to every route instead of the per-route ones.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_IN_MEMORY_FALLBACK = "600 per minute"
    RATELIMIT_ENABLED = True
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_LOGIN = "10 per minute;50 per hour"
    RATELIMIT_REGISTER = "5 per minute;30 per hour"
    RATELIMIT_API = "300 per minute"  # the read-only JSON API, per address

    # CSP violation reports from browsers (POST /csp-relatorio): per address, and the largest body taken.
    RATELIMIT_CSP_REPORT = "30 per minute"
    CSP_REPORT_MAX_BYTES = 16 * 1024

    # Anonymous readers get public pages from a short-lived cache (seconds; 0 turns it off). CACHE_TYPE
    # "SimpleCache" keeps it per process; "RedisCache" with CACHE_REDIS_URL shares it between workers.
    PAGE_CACHE_SECONDS = 5
    # VLibras, the federal government's Libras (sign language) widget: off by default, because it loads a
    # script from vlibras.gov.br; turning it on also opens the Content-Security-Policy to its hosts only.
    VLIBRAS = False
    # The shared part of an article page (its page of contributions), for every reader, signed in or not, kept
    # per article version (consulta.participation.fragments); this bounds changes no version counter sees.
    FRAGMENT_CACHE_SECONDS = 60
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
    # Largest non-file form field Werkzeug parses (its default, 500 KB, answered a pasted draft with a bare
    # 413): up to this size a pasted draft reaches the importer, which refuses more than 2 MB itself.
    MAX_FORM_MEMORY_SIZE = 8 * 1024 * 1024

    # E-mail (Flask-Mailman). "file" writes each message to MAIL_FILE_PATH (default: instance/mail/), so
    # development needs no mail server; production sets MAIL_BACKEND = "smtp" and the MAIL_SERVER settings.
    MAIL_BACKEND = "file"
    MAIL_FILE_PATH: str | None = None
    MAIL_SERVER = "localhost"
    MAIL_PORT = 25
    MAIL_USE_TLS = False
    MAIL_USE_SSL = False
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_TIMEOUT = 30
    MAIL_DEFAULT_SENDER = "Consulta <nao-responda@consulta.example>"
    # Where the site is reached from outside: links in e-mails (and List-Unsubscribe) start with it.
    # Production sets an https address.
    PUBLIC_URL = "http://localhost:5000"
    # The licence of the open data (downloads, API), named in the DCAT catalogue and on the results page.
    OPEN_DATA_LICENSE = ("Creative Commons Atribuição 4.0 Internacional (CC BY 4.0)",
                         "https://creativecommons.org/licenses/by/4.0/")

    # E-mail accounts: how long each link stays valid, and how often a person may ask for a mail.
    EMAIL_VERIFY_MAX_AGE = timedelta(hours=48)
    PASSWORD_RESET_MAX_AGE = timedelta(hours=1)
    EMAIL_CHANGE_MAX_AGE = timedelta(hours=24)
    RATELIMIT_ACCOUNT_MAIL = "3 per 15 minutes;10 per day"  # resend confirmation, reset, e-mail change

    # gov.br sign-in (OpenID Connect). Off while GOVBR_CLIENT_ID is empty: the button is hidden.
    GOVBR_DISCOVERY_URL = "https://sso.staging.acesso.gov.br/.well-known/openid-configuration"
    GOVBR_CLIENT_ID: str | None = None
    GOVBR_CLIENT_SECRET: str | None = None
    GOVBR_SCOPES = "openid email profile govbr_confiabilidades"
    # Key of the HMAC that turns gov.br's subject (the CPF) into the stored hash; defaults to SECRET_KEY.
    # Changing it makes every linked gov.br account unknown, so set it once and keep it.
    GOVBR_SUBJECT_KEY: str | None = None
    GOVBR_TIMEOUT = 10  # seconds for each call to gov.br

    # Privacy policy version recorded with each consent; bump it when the privacy page changes: every signed-in
    # person is then asked to consent again (consulta.auth.consent).
    PRIVACY_POLICY_VERSION = "2026-11"
    # Who the privacy notice names (LGPD art. 9 and 41): set them for each deployment.
    PRIVACY_CONTROLLER = "Órgão responsável pela consulta (defina CONSULTA_PRIVACY_CONTROLLER)"
    PRIVACY_CONTROLLER_CONTACT = ""
    PRIVACY_DPO_NAME = "Encarregado de dados (defina CONSULTA_PRIVACY_DPO_NAME)"
    PRIVACY_DPO_EMAIL = ""
    PRIVACY_ATTENDEE_RETENTION = "até 5 anos depois do encerramento da consulta"
    PRIVACY_LOG_RETENTION = "6 meses (Marco Civil da Internet, art. 15)"

    # Key of the contribution ids and person pseudonyms in open data and the API (None: derived from SECRET_KEY).
    # Changing it changes every published id.
    PUBLIC_ID_KEY: str | None = None

    # Second factor (TOTP) at sign-in: anyone may turn it on; when TOTP_REQUIRED, these roles must.
    TOTP_REQUIRED = False
    TOTP_REQUIRED_ROLES = ["admin", "moderator", "analyst"]

    # Development conveniences: `make run` loads the demo and demo accounts only when this is true.
    DEMO_ACCOUNTS = False

    # Participation
    CONTRIBUTION_MAX_LENGTH = 5000
    CONTRIBUTION_EDIT_MINUTES = 30
    # After a consultation closes, input of workshops held before the close may be logged for this many days.
    WORKSHOP_REPORTING_DAYS = 15
    # Largest PDF an admin may attach to a consultation (kept in the database).
    ATTACHMENT_MAX_BYTES = 5 * 1024 * 1024
    REPORTS_TO_HIDE = 3  # weight of open reports that hides a contribution pending review (per consultation too)
    REPORT_FRESH_HOURS = 24  # reports by accounts younger than this weigh 0 (consulta.participation.trust)
    REPORT_TRUST_DAYS = 7  # ... younger than this weigh 0.5; older accounts and staff weigh 1
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

    # Analysis runs join sentence embeddings (multilingual-e5-small, from `pip install consulta[embeddings]`)
    # to TF-IDF. Off by default: the model embeds 7-40 texts/s on a CPU; embeddings are cached per contribution.
    ANALYSIS_EMBEDDINGS = False
    # Untrusted uploads (workshop spreadsheets, draft files): stored, then read by a job in a child process
    # with these hard limits (consulta/uploads/sandbox.py), behind the caps of consulta/uploads/sheets.py.
    UPLOAD_PARSE_SECONDS = 60  # the child's CPU time (RLIMIT_CPU) and wall-clock time (killed after it)
    UPLOAD_PARSE_MEMORY_MB = 512  # the child's address space (RLIMIT_AS)
    UPLOAD_KEEP_HOURS = 24  # an upload and its result are deleted this long after it was sent
    UPLOAD_SHEET_CAPS: dict = {}  # overrides of the caps of consulta/uploads/sheets.py, e.g. {"MAX_LINES": 80000}
