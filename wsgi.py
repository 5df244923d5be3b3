from consulta.wsgi import app  # noqa: F401  (the design card's `gunicorn wsgi:app`; consulta.wsgi is the real one)
