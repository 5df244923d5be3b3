"""Read-only JSON API under /api/v1/: public consultations, their text, public contributions and tallies.

The API never looks at the session: what it answers is what an anonymous visitor may see, so every
successful answer is publicly cacheable. It allows cross-origin GETs from anywhere (no credentials),
answers every error under /api/ as JSON and has its own generous per-address rate limit.
"""

from flask import Blueprint, current_app
from flask.blueprints import BlueprintSetupState
from flask_cors import CORS

from consulta.extensions import limiter

bp = Blueprint("api", __name__, url_prefix="/api/v1")

PREFIX = "/api/"
CORS_RESOURCES = {
    f"{PREFIX}*": {
        "origins": "*",
        "send_wildcard": True,  # "*" rather than the echoed Origin: one cached copy serves every site
        "methods": ["GET", "HEAD", "OPTIONS"],
        "supports_credentials": False,
        "expose_headers": ["ETag", "Link", "Retry-After"],
        "max_age": 86400,
    }
}


def _rate_limit() -> str:
    return current_app.config["RATELIMIT_API"]


@bp.record_once
def _allow_cross_origin_reads(state: BlueprintSetupState) -> None:
    """Add CORS headers to every answer under /api/, errors included (they pass through after_request)."""
    CORS(state.app, resources=CORS_RESOURCES, intercept_exceptions=False)


limiter.shared_limit(_rate_limit, scope="api")(bp)  # one budget for the whole API

from consulta.api import errors, views  # noqa: E402,F401  (handlers and routes attach to bp)
