"""The email connector: send one message over SMTP per job.

It uses the standard library's :mod:`smtplib` in a worker thread rather than an asyncio SMTP
client: smtplib is mature (STARTTLS, implicit TLS, AUTH LOGIN/PLAIN/CRAM-MD5), adds no
dependency, and a job sends one message, so a thread for the few seconds it takes costs
nothing worth an extra package. The thread is not abandoned when the job is cancelled: the
SMTP conversation ends within its timeout, and abandoning it could deliver a message the
engine has been told failed.

SMTP and TLS errors are translated here, once::

    smtplib / ssl exception                 project error
    ---------------------------------------------------------------------------------
    SMTPAuthenticationError                 ConnectorError "SMTP_AUTHENTICATION_FAILED"
    SMTPNotSupportedError                   ConnectorError "SMTP_NOT_SUPPORTED"
    SMTPRecipientsRefused (all refused)     ConnectorError "SMTP_RECIPIENTS_REFUSED"
    SMTPRecipientsRefused (all 4xx)         RetryableError   (greylisting)
    SMTPSenderRefused (5xx)                 ConnectorError "SMTP_SENDER_REFUSED"
    other reply 5xx                         ConnectorError "SMTP_<code>", e.g. "SMTP_554"
    other reply 4xx (transient)             RetryableError
    SSLCertVerificationError                ConnectorError "TLS_VERIFICATION_FAILED"
    other SSLError                          ConnectorError "TLS_ERROR"
    timeouts, refused or dropped            RetryableError
      connections, other OSError
"""

from __future__ import annotations

import email.policy
import email.utils
import smtplib
import ssl
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Annotated, Literal, Self

import anyio.to_thread
from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator
from pydantic.alias_generators import to_camel

from bpmn_bridge import ConnectorContext, ConnectorError, RetryableError, connector

__all__ = [
    "EmailRequest",
    "EmailSent",
    "NoSmtpAuthentication",
    "SmtpPasswordAuthentication",
    "send_email",
]

_CONFIG = ConfigDict(
    alias_generator=to_camel,  # process variables are camelCase, Python attributes are not
    validate_by_name=True,
    validate_by_alias=True,
    serialize_by_alias=True,
)
_DEFAULT_PORTS = {"none": 25, "starttls": 587, "tls": 465}


class NoSmtpAuthentication(BaseModel):
    """The server accepts mail without logging in (a relay that trusts the network)."""

    model_config = _CONFIG

    type: Literal["none"] = Field(default="none", title="Type", description="No login.")


class SmtpPasswordAuthentication(BaseModel):
    """Log in with a user name and password (AUTH PLAIN, LOGIN or CRAM-MD5)."""

    model_config = _CONFIG

    type: Literal["password"] = Field(title="Type", description="User name and password.")
    username: str = Field(title="Username", description="The SMTP user name.")
    password: SecretStr = Field(
        title="Password", description="The SMTP password; use a {{secrets.NAME}} placeholder."
    )


SmtpAuthentication = Annotated[
    NoSmtpAuthentication | SmtpPasswordAuthentication, Field(discriminator="type")
]


def _addresses(value: object) -> object:
    """Accept one comma-separated string as well as a list."""
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


def _one_line(value: str) -> bool:
    # splitlines knows every separator a mail header or client may honour (\u2028, \x85,
    # \x0b...), not only CR and LF
    return "\0" not in value and len(value.splitlines()) <= 1 and not value.endswith(("\r", "\n"))


def _check_address(value: str) -> str:
    if not _one_line(value):
        raise ValueError("an address must not contain line breaks")
    pairs = email.utils.getaddresses([value])
    if len(pairs) != 1 or "@" not in pairs[0][1]:
        raise ValueError(f"{value!r} is not one email address")
    # The header is written from this parse and the envelope takes its address: a value
    # that does not read back the same way could show one recipient and send to another.
    if email.utils.getaddresses([email.utils.formataddr(pairs[0])]) != pairs:
        raise ValueError(f"{value!r} is not one unambiguous email address")
    return email.utils.formataddr(pairs[0])


class EmailRequest(BaseModel):
    """The input of the email connector: a server and one message."""

    model_config = _CONFIG

    smtp_host: str = Field(title="SMTP host", description="The mail server's host name.")
    smtp_port: int | None = Field(
        default=None,
        ge=1,
        le=65535,
        title="SMTP port",
        description="The mail server's port; by default 587 for STARTTLS, 465 for TLS, "
        "25 without encryption.",
    )
    security: Literal["starttls", "tls", "none"] = Field(
        default="starttls",
        title="Security",
        description="starttls: upgrade a plain connection (port 587); tls: encrypted from the "
        "start (port 465); none: unencrypted, for trusted local relays only.",
    )
    authentication: SmtpAuthentication = Field(
        default=NoSmtpAuthentication(),
        title="Authentication",
        description="How to log in to the server.",
    )
    verify_tls: bool = Field(
        default=True,
        title="Verify TLS certificates",
        description="Check the server's certificate; turn off only for test servers.",
    )
    ca_bundle_path: str | None = Field(
        default=None,
        title="CA bundle path",
        description="A PEM file of CA certificates to trust instead of the default ones.",
    )
    timeout_seconds: float = Field(
        default=30.0,
        gt=0,
        title="Timeout (s)",
        description="Limit for connecting and for each step of the SMTP conversation.",
    )
    sender: str = Field(
        alias="from",
        title="From",
        description="The sender, e.g. 'Orders <orders@example.com>'.",
    )
    to: list[str] = Field(
        default_factory=list,
        title="To",
        description="Recipients: a list, or one comma-separated string.",
    )
    cc: list[str] = Field(
        default_factory=list, title="Cc", description="Copy recipients, shown to everyone."
    )
    bcc: list[str] = Field(
        default_factory=list,
        title="Bcc",
        description="Blind copy recipients: they receive the message but are not listed in it.",
    )
    reply_to: list[str] = Field(
        default_factory=list, title="Reply-To", description="Where replies should go."
    )
    subject: str = Field(title="Subject", description="The subject line.")
    text: str | None = Field(default=None, title="Text body", description="The plain-text body.")
    html: str | None = Field(
        default=None,
        title="HTML body",
        description="The HTML body; with a text body too, mail clients show the one they can.",
    )

    @field_validator("to", "cc", "bcc", "reply_to", mode="before")
    @classmethod
    def _split_addresses(cls, value: object) -> object:
        return _addresses(value)

    @field_validator("sender")
    @classmethod
    def _valid_sender(cls, value: str) -> str:
        return _check_address(value)

    @field_validator("to", "cc", "bcc", "reply_to")
    @classmethod
    def _valid_recipients(cls, value: list[str]) -> list[str]:
        return [_check_address(address) for address in value]

    @field_validator("subject")
    @classmethod
    def _single_line_subject(cls, value: str) -> str:
        if not _one_line(value):
            raise ValueError("the subject must be one line")
        return value

    @model_validator(mode="after")
    def _complete_message(self) -> Self:
        if not (self.to or self.cc or self.bcc):
            raise ValueError("at least one recipient (to, cc or bcc) is needed")
        if self.text is None and self.html is None:
            raise ValueError("a text or an HTML body is needed")
        if self.security == "none" and isinstance(self.authentication, SmtpPasswordAuthentication):
            raise ValueError(
                "a password is never sent over an unencrypted connection: use security "
                "'starttls' or 'tls'"
            )
        return self


class EmailSent(BaseModel):
    """The output of the email connector."""

    model_config = _CONFIG

    message_id: str = Field(title="Message-ID", description="The Message-ID header sent.")
    accepted: list[str] = Field(
        title="Accepted recipients", description="Addresses the server accepted."
    )
    refused: dict[str, str] = Field(
        title="Refused recipients",
        description="Addresses the server refused while accepting others, with its reply.",
    )


@connector(
    type="io.bpmn-bridge:email-smtp:1",
    name="Email (SMTP)",
    version=1,
    description="Send an email with text and/or HTML body over SMTP (STARTTLS, TLS or plain).",
    timeout=timedelta(minutes=2),
    retries=3,
    retry_backoff=timedelta(seconds=30),
)
async def send_email(request: EmailRequest, context: ConnectorContext) -> EmailSent:
    """Send one email message.

    Args:
        request: The server and the message.
        context: The job's context; only its logger is used.

    Returns:
        The Message-ID and which recipients were accepted.

    Raises:
        ConnectorError: The server refused the login, the sender, every recipient or the
            message, or TLS failed (codes in this module's docstring).
        RetryableError: The server could not be reached, timed out, dropped the connection
            or answered with a transient (4xx) error.
    """
    message = _message(request)
    recipients = [email.utils.parseaddr(a)[1] for a in [*request.to, *request.cc, *request.bcc]]
    port = request.smtp_port or _DEFAULT_PORTS[request.security]
    action = f"Sending email via {request.smtp_host}:{port}"
    tls = _tls_context(request) if request.security != "none" else None
    try:
        refused = await anyio.to_thread.run_sync(_send, request, port, tls, message, recipients)
    except OSError as exc:  # smtplib's and ssl's errors are OSErrors too
        raise _translate(exc, action=action) from None
    context.logger.info(
        "%s: sent %s to %d recipient(s)", action, message["Message-ID"], len(recipients)
    )
    return EmailSent(
        message_id=str(message["Message-ID"]),
        accepted=[r for r in recipients if r not in refused],
        refused={
            address: f"{code} {reply.decode(errors='replace')}"
            for address, (code, reply) in refused.items()
        },
    )


def _message(request: EmailRequest) -> EmailMessage:
    message = EmailMessage(policy=email.policy.SMTP)
    message["From"] = request.sender
    if request.to:
        message["To"] = ", ".join(request.to)
    if request.cc:
        message["Cc"] = ", ".join(request.cc)
    if request.reply_to:
        message["Reply-To"] = ", ".join(request.reply_to)
    message["Subject"] = request.subject
    message["Date"] = email.utils.format_datetime(datetime.now(UTC))
    # The sender's domain, not the host name: make_msgid would otherwise resolve this
    # machine's FQDN, which can block on DNS.
    domain = email.utils.parseaddr(request.sender)[1].rpartition("@")[2]
    message["Message-ID"] = email.utils.make_msgid(domain=domain)
    if request.text is not None:
        message.set_content(request.text)
        if request.html is not None:
            message.add_alternative(request.html, subtype="html")
    else:
        assert request.html is not None  # the model asks for one of the two
        message.set_content(request.html, subtype="html")
    return message


def _tls_context(request: EmailRequest) -> ssl.SSLContext:
    if not request.verify_tls:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context
    try:
        return ssl.create_default_context(cafile=request.ca_bundle_path)
    except (OSError, ssl.SSLError) as exc:
        raise ConnectorError(
            "INVALID_CA_BUNDLE",
            f"The CA bundle {request.ca_bundle_path!r} cannot be used: "
            f"{getattr(exc, 'strerror', None) or exc}",
        ) from None


def _send(
    request: EmailRequest,
    port: int,
    tls: ssl.SSLContext | None,
    message: EmailMessage,
    recipients: list[str],
) -> dict[str, tuple[int, bytes]]:
    """The SMTP conversation; runs in a worker thread."""
    timeout = request.timeout_seconds
    smtp: smtplib.SMTP
    if request.security == "tls":
        smtp = smtplib.SMTP_SSL(request.smtp_host, port, timeout=timeout, context=tls)
    else:
        smtp = smtplib.SMTP(request.smtp_host, port, timeout=timeout)
    with smtp:
        smtp.ehlo()
        if request.security == "starttls":
            smtp.starttls(context=tls)
            smtp.ehlo()
        auth = request.authentication
        if isinstance(auth, SmtpPasswordAuthentication):
            smtp.login(auth.username, auth.password.get_secret_value())
        sender = email.utils.parseaddr(request.sender)[1]
        return smtp.send_message(message, from_addr=sender, to_addrs=recipients)


def _translate(exc: OSError, *, action: str) -> ConnectorError | RetryableError:
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return ConnectorError(
            "SMTP_AUTHENTICATION_FAILED",
            f"{action}: the server refused the login ({_reply(exc)})",
        )
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return ConnectorError("SMTP_NOT_SUPPORTED", f"{action}: {exc}")
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        refused = {
            address: f"{code} {reply.decode(errors='replace')}"
            for address, (code, reply) in exc.recipients.items()
        }
        if all(400 <= code < 500 for code, _ in exc.recipients.values()):
            # Greylisting or a full mailbox: the same message is accepted later.
            return RetryableError(f"{action}: every recipient deferred: {refused}")
        return ConnectorError(
            "SMTP_RECIPIENTS_REFUSED",
            f"{action}: the server refused every recipient",
            variables={"refused": refused},
        )
    if isinstance(exc, smtplib.SMTPSenderRefused) and exc.smtp_code >= 500:
        return ConnectorError(
            "SMTP_SENDER_REFUSED", f"{action}: the server refused the sender ({_reply(exc)})"
        )
    if isinstance(exc, smtplib.SMTPResponseException):
        if 400 <= exc.smtp_code < 500:
            return RetryableError(f"{action}: the server answered {_reply(exc)}")
        return ConnectorError(
            f"SMTP_{exc.smtp_code}", f"{action}: the server answered {_reply(exc)}"
        )
    if isinstance(exc, ssl.SSLCertVerificationError):
        return ConnectorError(
            "TLS_VERIFICATION_FAILED",
            f"{action}: the server's TLS certificate could not be verified "
            f"({exc.verify_message}); trust its CA with a CA bundle, or turn TLS verification "
            "off for this server",
        )
    if isinstance(exc, ssl.SSLError):
        return ConnectorError("TLS_ERROR", f"{action}: TLS failed: {exc.reason or exc}")
    if isinstance(exc, TimeoutError):
        return RetryableError(f"{action}: the server did not answer in time")
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return RetryableError(f"{action}: the server closed the connection ({exc})")
    return RetryableError(f"{action}: could not connect: {exc.strerror or exc}")


def _reply(exc: smtplib.SMTPResponseException) -> str:
    text = (
        exc.smtp_error.decode(errors="replace")
        if isinstance(exc.smtp_error, bytes)
        else str(exc.smtp_error)
    )
    return f"{exc.smtp_code} {text}"
