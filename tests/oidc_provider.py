"""A local OpenID Provider configured like gov.br, run as its own process by the tests.

It speaks standard OpenID Connect: discovery, JWKS (its own RSA key), authorization code with PKCE (S256
required, as gov.br requires), client authentication with a secret, RS256 id_tokens carrying
`reliability_info` (gov.br's reliability claim), userinfo and end-session. The login page is a plain form
where the test chooses the CPF, name, e-mail and level. POST /_mode switches it into one misbehaviour at a
time (wrong audience, wrong issuer, expired, unsigned, replayed nonce, forged signature), so the tests can
check that the application refuses each one.

Run: python tests/oidc_provider.py CLIENT_ID CLIENT_SECRET  (prints the base URL, then serves on 127.0.0.1).
"""

import base64
import hashlib
import json
import secrets
import sys
import time
from html import escape
from urllib.parse import urlencode

from flask import Flask, abort, jsonify, redirect, request
from joserfc import jwt
from joserfc.jwk import RSAKey
from werkzeug.serving import make_server

MODES = {"normal", "wrong_audience", "wrong_issuer", "expired", "unsigned", "replayed_nonce", "bad_signature"}


def create_provider(client_id: str, client_secret: str) -> tuple[Flask, dict]:
    """The provider's WSGI app and its mutable state (issuer set once the port is known)."""
    app = Flask("oidc_provider")
    key = RSAKey.generate_key(2048, parameters={"kid": "op-key-1", "use": "sig", "alg": "RS256"}, private=True)
    forger = RSAKey.generate_key(2048, parameters={"kid": "op-key-1", "use": "sig", "alg": "RS256"}, private=True)
    state: dict = {"issuer": "", "mode": "normal", "codes": {}, "tokens": {}, "logouts": 0}

    def b64url(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    @app.get("/.well-known/openid-configuration")
    def discovery():
        issuer = state["issuer"]
        return jsonify({
            "issuer": issuer,
            "authorization_endpoint": f"{issuer}/authorize",
            "token_endpoint": f"{issuer}/token",
            "userinfo_endpoint": f"{issuer}/userinfo",
            "jwks_uri": f"{issuer}/jwks",
            "end_session_endpoint": f"{issuer}/logout",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "email", "profile", "govbr_confiabilidades"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
            "claims_supported": ["sub", "name", "social_name", "email", "email_verified", "reliability_info"],
        })

    @app.get("/jwks")
    def jwks():
        return jsonify({"keys": [key.as_dict(private=False)]})

    @app.post("/_mode")
    def set_mode():
        mode = request.get_json(force=True).get("mode", "normal")
        if mode not in MODES:
            abort(400)
        state["mode"] = mode
        return jsonify({"mode": mode, "logouts": state["logouts"]})

    @app.get("/_stats")
    def stats():
        return jsonify({"logouts": state["logouts"], "mode": state["mode"]})

    def _check_authorization_request(args) -> None:
        if args.get("client_id") != client_id or args.get("response_type") != "code":
            abort(400, "unknown client or response type")
        if "openid" not in args.get("scope", "").split():
            abort(400, "openid scope required")
        if not args.get("redirect_uri", "").startswith(("http://127.0.0.1:", "http://localhost/")):
            abort(400, "redirect_uri not registered")
        if args.get("code_challenge_method") != "S256" or not args.get("code_challenge"):
            abort(400, "PKCE (S256) required")

    @app.get("/authorize")
    def authorize_page():
        _check_authorization_request(request.args)
        hidden = "".join(f'<input type="hidden" name="{escape(k)}" value="{escape(v)}">'
                         for k, v in request.args.items())
        return f"""<!doctype html><html lang="pt-BR"><head><meta charset="utf-8"><title>gov.br de teste</title></head>
<body><main><h1>Acesso gov.br (provedor de teste)</h1>
<form method="post" action="/authorize">{hidden}
<label>CPF <input name="cpf" value="52998224725"></label>
<label>Nome <input name="name" value="Maria Cidadã"></label>
<label>E-mail <input name="email" value="maria.govbr@exemplo.com.br"></label>
<label>Nível <select name="level"><option>bronze</option><option selected>silver</option><option>gold</option></select></label>
<button type="submit">Autorizar</button></form></main></body></html>"""

    @app.post("/authorize")
    def authorize():
        form = request.form
        _check_authorization_request(form)
        code = secrets.token_urlsafe(24)
        state["codes"][code] = {
            "redirect_uri": form["redirect_uri"], "challenge": form["code_challenge"], "nonce": form.get("nonce"),
            "cpf": form.get("cpf", "52998224725"), "name": form.get("name", ""), "email": form.get("email", ""),
            "level": form.get("level", "bronze"),
        }
        query = {"code": code}
        if form.get("state"):
            query["state"] = form["state"]
        return redirect(f"{form['redirect_uri']}?{urlencode(query)}")

    def _client_authenticated() -> bool:
        auth = request.authorization
        if auth is not None:
            return auth.username == client_id and auth.password == client_secret
        return request.form.get("client_id") == client_id and request.form.get("client_secret") == client_secret

    @app.post("/token")
    def token():
        if not _client_authenticated():
            return jsonify({"error": "invalid_client"}), 401
        grant = state["codes"].pop(request.form.get("code", ""), None)  # a code works once
        if grant is None or request.form.get("redirect_uri") != grant["redirect_uri"]:
            return jsonify({"error": "invalid_grant"}), 400
        verifier = request.form.get("code_verifier", "")
        if b64url(hashlib.sha256(verifier.encode()).digest()) != grant["challenge"]:
            return jsonify({"error": "invalid_grant", "error_description": "PKCE"}), 400
        now = int(time.time())
        mode = state["mode"]
        claims = {
            "iss": "http://evil.example" if mode == "wrong_issuer" else state["issuer"],
            "sub": grant["cpf"],
            "aud": "outro-sistema" if mode == "wrong_audience" else client_id,
            "iat": now - 7200 if mode == "expired" else now,
            "exp": now - 3600 if mode == "expired" else now + 300,
            "auth_time": now,
            "amr": ["passwd"],
            "nonce": "nonce-de-uma-entrada-anterior" if mode == "replayed_nonce" else grant["nonce"],
            "name": grant["name"],
            "email": grant["email"],
            "email_verified": True,
            "reliability_info": {"level": grant["level"]},
        }
        if mode == "unsigned":
            header = b64url(json.dumps({"alg": "none", "typ": "JWT"}).encode())
            id_token = f"{header}.{b64url(json.dumps(claims).encode())}."
        else:
            signer = forger if mode == "bad_signature" else key
            id_token = jwt.encode({"alg": "RS256", "kid": "op-key-1"}, claims, signer)
        access_token = secrets.token_urlsafe(24)
        state["tokens"][access_token] = grant
        return jsonify({"access_token": access_token, "token_type": "Bearer", "expires_in": 300,
                        "id_token": id_token, "scope": "openid email profile govbr_confiabilidades"})

    @app.get("/userinfo")
    def userinfo():
        header = request.headers.get("Authorization", "")
        grant = state["tokens"].get(header.removeprefix("Bearer ").strip())
        if grant is None:
            return jsonify({"error": "invalid_token"}), 401
        return jsonify({"sub": grant["cpf"], "name": grant["name"], "email": grant["email"],
                        "email_verified": True})

    @app.get("/logout")
    def logout():
        state["logouts"] += 1
        target = request.args.get("post_logout_redirect_uri", "")
        if not target.startswith(("http://127.0.0.1:", "http://localhost/")):
            return "Você saiu do gov.br."
        return redirect(target)

    return app, state


def main() -> None:
    """Serve on a free port of 127.0.0.1; the first line of stdout is the issuer URL."""
    client_id, client_secret = sys.argv[1], sys.argv[2]
    app, state = create_provider(client_id, client_secret)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    state["issuer"] = f"http://127.0.0.1:{server.server_port}"
    print(state["issuer"], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
