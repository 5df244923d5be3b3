"""The WSGI application of an installed Consulta: ``gunicorn consulta.wsgi:app``, ``flask --app consulta.wsgi``."""

from consulta import create_app

app = create_app()
