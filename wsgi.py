"""WSGI entry point: ``gunicorn wsgi:app``."""

from consulta import create_app

app = create_app()
