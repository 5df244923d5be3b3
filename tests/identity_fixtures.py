"""Real counterparts for the identity tests: a local OpenID Provider process and an aiosmtpd SMTP server.

Import the fixtures into a test module with `from tests.identity_fixtures import ...  # noqa: F401`.
"""

import email
import email.policy
import socket
import subprocess
import sys
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest
import requests
from aiosmtpd.controller import Controller

CLIENT_ID = "consulta-teste"
CLIENT_SECRET = "segredo-do-cliente-de-teste"  # noqa: S105  (the local test provider's secret)
PROVIDER = Path(__file__).with_name("oidc_provider.py")


class OpenIDProvider:
    """Handle on the provider process: its issuer URL and its misbehaviour switch."""

    def __init__(self, issuer: str) -> None:
        self.issuer = issuer
        self.discovery_url = f"{issuer}/.well-known/openid-configuration"

    def set_mode(self, mode: str) -> None:
        requests.post(f"{self.issuer}/_mode", json={"mode": mode}, timeout=5).raise_for_status()

    def logouts(self) -> int:
        return requests.get(f"{self.issuer}/_stats", timeout=5).json()["logouts"]

    def app_config(self) -> dict:
        """Settings that point the application at this provider."""
        return {"GOVBR_DISCOVERY_URL": self.discovery_url, "GOVBR_CLIENT_ID": CLIENT_ID,
                "GOVBR_CLIENT_SECRET": CLIENT_SECRET, "GOVBR_SUBJECT_KEY": "chave-hmac-de-teste"}


@pytest.fixture(scope="session")
def _provider_process() -> Iterator[OpenIDProvider]:
    process = subprocess.Popen(  # noqa: S603  (our own script, fixed arguments)
        [sys.executable, str(PROVIDER), CLIENT_ID, CLIENT_SECRET],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    try:
        issuer = process.stdout.readline().strip()
        assert issuer.startswith("http://127.0.0.1:"), "the OpenID Provider did not start"
        yield OpenIDProvider(issuer)
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stdout.close()


@pytest.fixture
def oidc_provider(_provider_process: OpenIDProvider) -> Iterator[OpenIDProvider]:
    """The local OpenID Provider, behaving normally at the start of each test."""
    _provider_process.set_mode("normal")
    yield _provider_process
    _provider_process.set_mode("normal")


class _Inbox:
    """aiosmtpd handler keeping every received message."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802  (aiosmtpd's hook name)
        self.envelopes.append(envelope)
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 Message accepted for delivery"


class SMTPServer:
    """A running SMTP server on 127.0.0.1 and what it received."""

    def __init__(self, port: int, inbox: _Inbox) -> None:
        self.port = port
        self._inbox = inbox

    @property
    def messages(self) -> list[EmailMessage]:
        return self._inbox.messages

    def to(self, address: str) -> list[EmailMessage]:
        """Messages whose To header names `address`."""
        return [m for m in self.messages if address in str(m["To"])]

    def app_config(self) -> dict:
        return {"MAIL_BACKEND": "smtp", "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": self.port}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server() -> Iterator[SMTPServer]:
    """A real SMTP server (aiosmtpd) for one test."""
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        yield SMTPServer(controller.port, inbox)
    finally:
        controller.stop()


def text_and_html(message: EmailMessage) -> tuple[str, str]:
    """The plain-text and HTML parts of a message."""
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    return (text.get_content() if text else "", html.get_content() if html else "")
