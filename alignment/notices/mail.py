"""E-mail by SMTP, configured like the database: environment first, then the secrets file.

``SAMEPAGE_SMTP_HOST``, ``SAMEPAGE_SMTP_PORT`` (default 587 with starttls, 465 with tls,
25 without), ``SAMEPAGE_SMTP_TLS`` (``none``, ``starttls`` (default) or ``tls``),
``SAMEPAGE_SMTP_USER``, ``SAMEPAGE_SMTP_PASSWORD``, ``SAMEPAGE_SMTP_SENDER``. Each may
instead be a top-level key of the same name in ``.streamlit/secrets.toml`` (the file the
app's single sign-on reads; ``SAMEPAGE_SECRETS_FILE`` names another). Without a host, e-mail
is not set up: notices wait in the outbox with that reason, and nothing crashes.
"""

from __future__ import annotations

import os
import smtplib
import ssl
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

from alignment.notices.delivery import DeliveryFailed
from alignment.notices.delivery import Outgoing
from db.engine import PROJECT_ROOT

PREFIX = "SAMEPAGE_SMTP_"
KEYS = ("HOST", "PORT", "TLS", "USER", "PASSWORD", "SENDER")
SECRETS_VARIABLE = "SAMEPAGE_SECRETS_FILE"
DEFAULT_SECRETS = PROJECT_ROOT / ".streamlit" / "secrets.toml"
TLS_MODES = ("none", "starttls", "tls")
DEFAULT_PORTS = {"none": 25, "starttls": 587, "tls": 465}
TIMEOUT_SECONDS = 20


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    tls: str
    user: str
    password: str
    sender: str

    def describe(self) -> str:
        """For the outbox page: where mail goes, never the password."""
        login = f", as {self.user}" if self.user else ""
        return f"{self.host}:{self.port} ({self.tls}{login}), from {self.sender}"


@dataclass(frozen=True)
class SmtpSetup:
    """The settings, or the plain reason e-mail cannot be sent."""

    settings: SmtpSettings | None
    problem: str = ""


def _secrets(path: Path) -> Mapping[str, object]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        return {}
    except (OSError, tomllib.TOMLDecodeError):
        return {}


def smtp_setup(
    environ: Mapping[str, str] | None = None, secrets_file: Path | None = None
) -> SmtpSetup:
    """Read the six settings; a missing host means e-mail is not set up, a bad value says
    which and why."""
    env = os.environ if environ is None else environ
    path = secrets_file or Path(env.get(SECRETS_VARIABLE) or DEFAULT_SECRETS)
    secrets = _secrets(path)

    def value(key: str) -> str:
        name = PREFIX + key
        found = env.get(name)
        if found is None:
            found = secrets.get(name)  # type: ignore[assignment]
        return "" if found is None else str(found).strip()

    host = value("HOST")
    if not host:
        return SmtpSetup(
            None,
            f"E-mail is not set up: {PREFIX}HOST is not set (see the README, 'Notices by "
            "e-mail and chat'); the notice waits here.",
        )
    tls = (value("TLS") or "starttls").lower()
    if tls not in TLS_MODES:
        return SmtpSetup(None, f"{PREFIX}TLS is '{tls}'; it is none, starttls or tls.")
    port_text = value("PORT")
    if port_text:
        if not port_text.isdigit() or not 0 < int(port_text) < 65536:
            return SmtpSetup(None, f"{PREFIX}PORT is '{port_text}'; it is a port number.")
        port = int(port_text)
    else:
        port = DEFAULT_PORTS[tls]
    sender = value("SENDER") or value("USER")
    if "@" not in sender:
        return SmtpSetup(
            None, f"{PREFIX}SENDER is not set: say which address the notices come from."
        )
    return SmtpSetup(SmtpSettings(host, port, tls, value("USER"), value("PASSWORD"), sender))


def message(settings: SmtpSettings, outgoing: Outgoing) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = settings.sender
    mail["To"] = outgoing.address
    mail["Subject"] = outgoing.subject
    mail["Message-ID"] = make_msgid(domain=settings.sender.rpartition("@")[2] or None)
    mail["Auto-Submitted"] = "auto-generated"
    mail.set_content(outgoing.body)
    if outgoing.attachment is not None:
        mail.add_attachment(
            outgoing.attachment,
            maintype="application",
            subtype="pdf",
            filename=outgoing.attachment_name or "attachment.pdf",
        )
    return mail


def send_email(settings: SmtpSettings, outgoing: Outgoing) -> None:
    """Deliver one message; any refusal or network trouble is a DeliveryFailed sentence."""
    try:
        mail = message(settings, outgoing)
    except (ValueError, TypeError) as exc:
        raise DeliveryFailed(f"The notice could not be written as an e-mail: {exc}.") from None
    try:
        if settings.tls == "tls":
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                settings.host,
                settings.port,
                timeout=TIMEOUT_SECONDS,
                context=ssl.create_default_context(),
            )
        else:
            client = smtplib.SMTP(settings.host, settings.port, timeout=TIMEOUT_SECONDS)
        with client:
            if settings.tls == "starttls":
                client.starttls(context=ssl.create_default_context())
            if settings.user:
                client.login(settings.user, settings.password)
            client.send_message(mail)
    except smtplib.SMTPAuthenticationError:
        raise DeliveryFailed(
            f"The mail server {settings.host} refused the log-in of {settings.user}."
        ) from None
    except smtplib.SMTPRecipientsRefused:
        raise DeliveryFailed(
            f"The mail server {settings.host} refused the address {outgoing.address}."
        ) from None
    except (smtplib.SMTPException, OSError) as exc:
        raise DeliveryFailed(
            f"The mail server {settings.host}:{settings.port} could not be reached or "
            f"refused the message: {exc or type(exc).__name__}."
        ) from None
