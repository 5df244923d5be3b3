"""Every error under /api/ as JSON: {"error": {"status", "code", "message"[, "parameter"]}}, in Portuguese.

Errors raised while an API view runs (a bad parameter, an unknown consultation, the rate limit, a crash)
reach the blueprint's handlers. Routing errors (an unknown path under /api/, a POST to a GET-only route)
never reach a blueprint, so a hook answers them before the site's HTML error pages would.
"""

from __future__ import annotations

from flask import Response, current_app, request
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException, InternalServerError, MethodNotAllowed

from consulta.api import PREFIX, bp

ERRORS: dict[int, tuple[str, str]] = {
    400: ("bad_request", _l("Requisição inválida.")),
    404: ("not_found", _l("Recurso não encontrado.")),
    405: ("method_not_allowed", _l("Método não permitido: a API só aceita GET, HEAD e OPTIONS.")),
    429: ("too_many_requests", _l("Muitas requisições em pouco tempo. Aguarde um minuto e tente de novo.")),
    500: ("internal_error", _l("Erro interno. Tente de novo mais tarde.")),
}
OTHER_ERROR = ("error", _l("Não foi possível atender a requisição."))
RETRY_AFTER_SECONDS = "60"


class ApiError(Exception):
    """A client error with a specific Portuguese message, naming the query parameter at fault if any."""

    def __init__(self, status: int, message: str, *, parameter: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.parameter = parameter


class InvalidParameter(ApiError):
    """A query parameter with a value the API does not accept (400)."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(400, message, parameter=parameter)


class NotFound(ApiError):
    """An unknown (or not public) consultation or article (404)."""

    def __init__(self, message: str) -> None:
        super().__init__(404, message)


def error_response(status: int, message: str | None = None, *, parameter: str | None = None,
                   code: str | None = None) -> Response:
    """The JSON answer for an error of `status`, with the default message unless one is given."""
    default_code, default_message = ERRORS.get(status, OTHER_ERROR)
    body: dict[str, object] = {"status": status, "code": code or default_code, "message": str(message or default_message)}
    if parameter is not None:
        body["parameter"] = parameter
    response = current_app.json.response({"error": body})
    response.status_code = status
    response.cache_control.no_store = True
    return response


def http_error_response(error: HTTPException) -> Response:
    """The JSON answer for a werkzeug HTTP error, keeping the headers it carries (Allow on a 405)."""
    status = error.code or 500
    response = error_response(status)
    if isinstance(error, MethodNotAllowed) and error.valid_methods:
        response.headers["Allow"] = ", ".join(error.valid_methods)
    if status == 429:
        response.headers["Retry-After"] = RETRY_AFTER_SECONDS  # Flask-Limiter refines it when it sends headers
    return response


@bp.errorhandler(ApiError)
def api_error(error: ApiError) -> Response:
    """A bad parameter or a missing resource, with its specific message."""
    return error_response(error.status, error.message, parameter=error.parameter,
                          code="invalid_parameter" if error.parameter else None)


@bp.errorhandler(HTTPException)
def http_error(error: HTTPException) -> Response | HTTPException:
    """Werkzeug's errors raised inside an API view (the rate limit among them); redirects pass through."""
    if error.code is None or error.code < 400:
        return error
    return http_error_response(error)


@bp.errorhandler(InternalServerError)
def internal_error(error: InternalServerError) -> Response:
    """An unexpected exception: a generic message, never its details."""
    return error_response(500)


@bp.before_app_request
def answer_routing_errors_as_json() -> Response | None:
    """An unknown path or method under /api/ gets a JSON 404 or 405 instead of the site's HTML page."""
    error = request.routing_exception
    if error is None or not request.path.startswith(PREFIX):
        return None
    if isinstance(error, HTTPException) and error.code is not None and error.code >= 400:
        return http_error_response(error)
    return None
