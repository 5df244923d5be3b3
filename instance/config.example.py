# Copy to instance/config.py. Environment variables CONSULTA_<NAME> override these.

# PostgreSQL in production (psycopg 3):
# DATABASE_URL = "postgresql://consulta:senha@127.0.0.1:5432/consulta"

# Behind HTTPS: Secure cookies and HSTS.
# SECURE_COOKIES = True

# Shared rate-limit counters for several gunicorn workers or servers:
# RATELIMIT_STORAGE_URI = "redis://127.0.0.1:6379/0"

# Number of reverse proxies in front of the app that set X-Forwarded-For (nginx: 1).
# PROXY_FIX_X_FOR = 1

# SECRET_KEY = "..."  # otherwise generated into instance/secret_key

# gov.br sign-in (Login Único). Staging first; production after gov.br's homologation:
# GOVBR_DISCOVERY_URL = "https://sso.acesso.gov.br/.well-known/openid-configuration"
# GOVBR_CLIENT_ID = "..."
# GOVBR_CLIENT_SECRET = "..."
# GOVBR_SUBJECT_KEY = "..."  # long and random; set once (it finds gov.br people again)

# Mail over SMTP (the default writes each message into instance/mail/):
# MAIL_BACKEND = "smtp"
# MAIL_SERVER = "smtp.exemplo.gov.br"
# MAIL_PORT = 587
# MAIL_USE_TLS = True
# MAIL_USERNAME = "..."
# MAIL_PASSWORD = "..."
# MAIL_DEFAULT_SENDER = "Consulta <nao-responda@exemplo.gov.br>"
# The job queue shared by web servers and workers (`flask consulta worker`); default: instance/jobs.sqlite3.
# QUEUE_URL = "redis://127.0.0.1:6379/2"
