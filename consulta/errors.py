"""Error pages in the site's look, in Portuguese, with the right status codes."""

from flask import Flask, current_app, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from consulta import security

MESSAGES = {
    400: (_l("Requisição inválida"), _l("Não foi possível entender o pedido enviado.")),
    403: (_l("Acesso negado"), _l("Você não tem permissão para ver esta página.")),
    404: (_l("Página não encontrada"), _l("O endereço pode ter mudado ou a página pode ter sido removida.")),
    405: (_l("Método não permitido"), _l("Esta ação não pode ser feita desta forma.")),
    413: (_l("Arquivo grande demais"), _l("O arquivo enviado passa do tamanho máximo aceito.")),
    429: (
        _l("Muitas tentativas"),
        _l("Você fez muitas solicitações em pouco tempo. Aguarde alguns minutos e tente de novo."),
    ),
    500: (_l("Erro interno"), _l("Algo deu errado do nosso lado. A equipe foi avisada; tente de novo mais tarde.")),
}


SECURE_COOKIE_OVER_HTTP = (
    _l("O navegador não guardou o cookie de sessão: este servidor está configurado com CONSULTA_SECURE_COOKIES=true "
    "(cookies só por HTTPS), mas a página foi aberta por http://. Abra o site por https:// — ou, só em "
    "desenvolvimento local, defina CONSULTA_SECURE_COOKIES=false.")
)


def _session_cookie_refused() -> bool:
    """Whether a form came back without a session cookie because the cookie is Secure and the page was http."""
    return (
        bool(current_app.config["SESSION_COOKIE_SECURE"])
        and not request.is_secure
        and current_app.config["SESSION_COOKIE_NAME"] not in request.cookies
    )


def render_error(code: int, message: str | None = None):
    """The error page for `code`, with an optional more specific message."""
    title, default = MESSAGES.get(code, (_("Erro"), _("Não foi possível concluir o pedido.")))
    return render_template("errors/error.html", code=code, title=title, message=message or default), code


def init_app(app: Flask) -> None:
    """Map HTTP errors, CSRF failures and unexpected exceptions onto the error page."""

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        refused = _session_cookie_refused()
        security.log_event(security.CSRF_FAILED, endpoint=request.endpoint, session_cookie_refused=refused)
        if refused:
            return render_error(400, SECURE_COOKIE_OVER_HTTP)
        return render_error(
            400,
            _("O formulário expirou ou não veio deste site. Volte, recarregue a página e envie de novo."),
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        response = render_error(error.code)
        if error.code == 429:
            return response[0], 429, {"Retry-After": "60"}
        return response

    @app.errorhandler(500)
    def internal_error(error: Exception):
        return render_error(500)
