"""The email connector against a real SMTP server (aiosmtpd) on loopback."""

from __future__ import annotations

import email
import email.policy
import email.utils
import logging
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from conftest import Certificate
from pydantic import ValidationError

from bpmn_bridge import BpmnErrorThrown, Completed, ConnectorError, Failed, RetryableError
from bpmn_bridge.connectors import EmailRequest, EmailSent, send_email
from bpmn_bridge.testing import build_context, run_connector

USER, PASSWORD = "mailer", "smtp-pa55word-secret"


@dataclass
class Received:
    mail_from: str
    recipients: list[str]
    message: EmailMessage
    login: str | None


@dataclass
class Mailbox:
    """The SMTP handler: keeps every message it accepts."""

    received: list[Received] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)
    defer: set[str] = field(default_factory=set)

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        if address in self.refuse:
            return "550 5.1.1 no such mailbox"
        if address in self.defer:
            return "450 4.2.0 greylisted, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        message = email.message_from_bytes(
            envelope.original_content or b"", policy=email.policy.default
        )
        assert isinstance(message, EmailMessage)
        login = session.auth_data.decode() if isinstance(session.auth_data, bytes) else None
        self.received.append(
            Received(str(envelope.mail_from), list(envelope.rcpt_tos), message, login)
        )
        return "250 Message accepted for delivery"


def authenticate(
    server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        USER.encode(),
        PASSWORD.encode(),
    )
    # handled=False: aiosmtpd then answers "535" itself; True would leave the client waiting.
    return AuthResult(success=ok, handled=False, auth_data=auth_data.login if ok else None)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class SmtpServer:
    port: int
    mailbox: Mailbox


@contextmanager
def smtp_server(**options: Any) -> Iterator[SmtpServer]:
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(
        mailbox, hostname="127.0.0.1", port=port, server_hostname="localhost", **options
    )
    controller.start()
    try:
        yield SmtpServer(port, mailbox)
    finally:
        controller.stop()


@pytest.fixture
def plain_smtp() -> Iterator[SmtpServer]:
    with smtp_server() as server:
        yield server


@pytest.fixture
def starttls_smtp(certificate: Certificate) -> Iterator[SmtpServer]:
    with smtp_server(
        tls_context=certificate.server_context(),
        require_starttls=True,
        authenticator=authenticate,
        auth_required=True,
    ) as server:
        yield server


@pytest.fixture
def tls_smtp(certificate: Certificate) -> Iterator[SmtpServer]:
    with smtp_server(
        ssl_context=certificate.server_context(),
        authenticator=authenticate,
        auth_require_tls=False,  # aiosmtpd counts only STARTTLS as TLS; this socket is TLS
    ) as server:
        yield server


def message_fields(**overrides: Any) -> dict[str, Any]:
    return {
        "smtpHost": "127.0.0.1",
        "security": "none",
        "from": "Orders <orders@shop.test>",
        "to": "ann@example.test, Bob <bob@example.test>",
        "cc": ["carol@example.test"],
        "bcc": ["audit@shop.test"],
        "replyTo": "help@shop.test",
        "subject": "Your order 42 — shipped",
        "text": "Hello,\nyour order has shipped.",
        "html": "<p>Hello,<br>your order has <b>shipped</b>.</p>",
        **overrides,
    }


async def send(**fields: Any) -> EmailSent:
    return await send_email(EmailRequest.model_validate(fields), build_context())


async def test_plain_smtp_delivers_text_and_html_alternatives(plain_smtp: SmtpServer) -> None:
    sent = await send(**message_fields(smtpPort=plain_smtp.port))

    [received] = plain_smtp.mailbox.received
    assert received.mail_from == "orders@shop.test"
    assert received.recipients == [
        "ann@example.test",
        "bob@example.test",
        "carol@example.test",
        "audit@shop.test",
    ]
    message = received.message
    assert message["From"] == "Orders <orders@shop.test>"
    assert message["To"] == "ann@example.test, Bob <bob@example.test>"
    assert message["Cc"] == "carol@example.test"
    assert message["Reply-To"] == "help@shop.test"
    assert message["Bcc"] is None  # blind copies stay blind
    assert message["Subject"] == "Your order 42 — shipped"
    assert message["Message-ID"] == sent.message_id
    assert sent.message_id.endswith("@shop.test>")
    assert message.get_content_type() == "multipart/alternative"
    text, html = message.iter_parts()
    assert isinstance(text, EmailMessage) and isinstance(html, EmailMessage)
    assert text.get_content_type() == "text/plain"
    assert text.get_content() == "Hello,\r\nyour order has shipped.\r\n"  # CRLF on the wire
    assert html.get_content_type() == "text/html"
    assert "<b>shipped</b>" in html.get_content()
    assert sent.accepted == received.recipients
    assert sent.refused == {}


async def test_html_only_message(plain_smtp: SmtpServer) -> None:
    await send(**message_fields(smtpPort=plain_smtp.port, text=None))

    [received] = plain_smtp.mailbox.received
    assert received.message.get_content_type() == "text/html"


async def test_starttls_with_login(starttls_smtp: SmtpServer, certificate: Certificate) -> None:
    sent = await send(
        **message_fields(
            smtpPort=starttls_smtp.port,
            security="starttls",
            caBundlePath=str(certificate.cert_path),
            authentication={"type": "password", "username": USER, "password": PASSWORD},
        )
    )

    [received] = starttls_smtp.mailbox.received
    assert received.login == USER
    assert received.message["Message-ID"] == sent.message_id


async def test_implicit_tls_with_login(tls_smtp: SmtpServer, certificate: Certificate) -> None:
    await send(
        **message_fields(
            smtpPort=tls_smtp.port,
            security="tls",
            caBundlePath=str(certificate.cert_path),
            authentication={"type": "password", "username": USER, "password": PASSWORD},
        )
    )

    [received] = tls_smtp.mailbox.received
    assert received.login == USER


async def test_tls_verification_rejects_a_self_signed_server(tls_smtp: SmtpServer) -> None:
    with pytest.raises(ConnectorError) as raised:
        await send(**message_fields(smtpPort=tls_smtp.port, security="tls"))

    assert raised.value.code == "TLS_VERIFICATION_FAILED"
    assert "self-signed certificate" in raised.value.message
    assert tls_smtp.mailbox.received == []


async def test_tls_without_verification(tls_smtp: SmtpServer) -> None:
    await send(
        **message_fields(
            smtpPort=tls_smtp.port,
            security="tls",
            verifyTls=False,
            authentication={"type": "password", "username": USER, "password": PASSWORD},
        )
    )

    assert len(tls_smtp.mailbox.received) == 1


async def test_wrong_password_is_an_authentication_error_without_the_password(
    starttls_smtp: SmtpServer, certificate: Certificate
) -> None:
    with pytest.raises(ConnectorError) as raised:
        await send(
            **message_fields(
                smtpPort=starttls_smtp.port,
                security="starttls",
                caBundlePath=str(certificate.cert_path),
                authentication={"type": "password", "username": USER, "password": "wrong-pw-1"},
            )
        )

    assert raised.value.code == "SMTP_AUTHENTICATION_FAILED"
    assert raised.value.message.startswith(
        f"Sending email via 127.0.0.1:{starttls_smtp.port}: the server refused the login (535"
    )
    assert "wrong-pw-1" not in str(raised.value)


async def test_partly_refused_recipients_are_reported(plain_smtp: SmtpServer) -> None:
    plain_smtp.mailbox.refuse.add("carol@example.test")

    sent = await send(**message_fields(smtpPort=plain_smtp.port))

    assert sent.refused == {"carol@example.test": "550 5.1.1 no such mailbox"}
    assert "carol@example.test" not in sent.accepted
    assert plain_smtp.mailbox.received[0].recipients == sent.accepted


async def test_every_recipient_refused_is_a_connector_error(plain_smtp: SmtpServer) -> None:
    plain_smtp.mailbox.refuse.add("ann@example.test")

    with pytest.raises(ConnectorError) as raised:
        await send(**message_fields(smtpPort=plain_smtp.port, to="ann@example.test", cc=[], bcc=[]))

    assert raised.value.code == "SMTP_RECIPIENTS_REFUSED"
    assert raised.value.variables == {"refused": {"ann@example.test": "550 5.1.1 no such mailbox"}}


async def test_every_recipient_deferred_is_retryable(plain_smtp: SmtpServer) -> None:
    plain_smtp.mailbox.defer.add("ann@example.test")

    with pytest.raises(RetryableError, match="every recipient deferred"):
        await send(**message_fields(smtpPort=plain_smtp.port, to="ann@example.test", cc=[], bcc=[]))

    assert plain_smtp.mailbox.received == []


async def test_unreachable_server_is_retryable() -> None:
    port = free_port()

    with pytest.raises(RetryableError) as raised:
        await send(**message_fields(smtpPort=port))

    assert raised.value.message.startswith(f"Sending email via 127.0.0.1:{port}: could not connect")


def test_password_over_an_unencrypted_connection_is_refused() -> None:
    with pytest.raises(ValidationError, match="never sent over an unencrypted connection"):
        EmailRequest.model_validate(
            message_fields(authentication={"type": "password", "username": "u", "password": "p"})
        )


def test_a_subject_with_a_line_break_is_refused() -> None:
    with pytest.raises(ValidationError, match="the subject must be one line"):
        EmailRequest.model_validate(message_fields(subject="Hi\r\nBcc: victim@example.test"))


def test_default_port_follows_security() -> None:
    request = EmailRequest.model_validate(message_fields(security="tls"))

    assert (request.smtp_port, request.security) == (None, "tls")


async def test_through_the_pipeline_with_a_secret_password(
    starttls_smtp: SmtpServer, certificate: Certificate, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    variables = message_fields(
        smtpPort=starttls_smtp.port,
        security="starttls",
        caBundlePath=str(certificate.cert_path),
        authentication={"type": "password", "username": USER, "password": "{{secrets.SMTP}}"},
    )

    outcome = await run_connector(send_email, variables=variables, secrets={"SMTP": PASSWORD})

    assert isinstance(outcome, Completed)
    assert outcome.variables["accepted"][0] == "ann@example.test"
    assert outcome.variables["messageId"] == starttls_smtp.mailbox.received[0].message["Message-ID"]
    assert PASSWORD not in caplog.text


async def test_through_the_pipeline_a_refused_login_maps_to_a_bpmn_error(
    starttls_smtp: SmtpServer, certificate: Certificate, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    variables = message_fields(
        smtpPort=starttls_smtp.port,
        security="starttls",
        caBundlePath=str(certificate.cert_path),
        authentication={"type": "password", "username": USER, "password": "{{secrets.SMTP}}"},
    )

    outcome = await run_connector(
        send_email,
        variables=variables,
        secrets={"SMTP": "an-old-rotated-password"},
        headers={
            "errorExpression": 'if error.code = "SMTP_AUTHENTICATION_FAILED" '
            'then bpmnError("MAIL_LOGIN", error.message) else null'
        },
    )

    assert isinstance(outcome, BpmnErrorThrown)
    assert outcome.code == "MAIL_LOGIN"
    assert "an-old-rotated-password" not in outcome.message
    assert "an-old-rotated-password" not in caplog.text


async def test_through_the_pipeline_invalid_input_is_an_incident() -> None:
    outcome = await run_connector(send_email, variables=message_fields(to=[], cc=[], bcc=[]))

    assert isinstance(outcome, Failed)
    assert outcome.retries == 0
    assert "at least one recipient" in outcome.message


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\x85", "\x0b", "\x0c", "\x1e"])
async def test_a_subject_with_any_line_separator_is_an_incident_at_once(
    plain_smtp: SmtpServer, separator: str
) -> None:
    variables = message_fields(
        smtpPort=plain_smtp.port, subject=f"Hi{separator}Bcc: victim@example.test"
    )
    outcome = await run_connector(send_email, variables=variables)
    assert isinstance(outcome, Failed) and outcome.retries == 0
    assert "the subject must be one line" in outcome.message
    assert plain_smtp.mailbox.received == []


@pytest.mark.parametrize(
    "crafted",
    [
        "ann@example.test, mallory@evil.test",
        "ann@example.test)<mallory@evil.test>",
        '"ann@example.test" <mallory@evil.test>, x',
    ],
)
async def test_the_to_header_always_names_the_envelope_recipients(
    plain_smtp: SmtpServer, crafted: str
) -> None:
    variables = message_fields(smtpPort=plain_smtp.port, to=[crafted], cc=[], bcc=[])
    outcome = await run_connector(send_email, variables=variables)
    if isinstance(outcome, Failed):
        assert outcome.retries == 0  # refused as input, never sent
        assert plain_smtp.mailbox.received == []
        return
    received = plain_smtp.mailbox.received[0]
    shown = [address for _, address in email.utils.getaddresses([received.message["To"]])]
    assert sorted(shown) == sorted(received.recipients)
