"""Sending e-mail (invitations, recovery links) over SMTP with smtplib.

One connection per message: the hub sends a handful a day, and a pooled
connection would have to survive the mail server's idle timeouts.
``SETLEDGER_HUB_SMTP_TLS``: ``none`` (a local relay), ``starttls``
(usually port 587) or ``ssl`` (implicit TLS, usually 465); TLS verifies the
server's certificate with the system's trust store.
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from typing import Protocol

from hub.accounts.settings import AccountsSettings


class MailError(Exception):
    """The message could not be handed to the mail server."""


class Mailer(Protocol):
    def send(self, to: str, subject: str, body: str) -> None: ...


class SmtpMailer:
    def __init__(self, settings: AccountsSettings) -> None:
        self._settings = settings

    def send(self, to: str, subject: str, body: str) -> None:
        settings = self._settings
        message = EmailMessage()
        message["From"] = settings.smtp_sender
        message["To"] = to
        message["Subject"] = subject
        message.set_content(body)
        try:
            if settings.smtp_tls == "ssl":
                client: smtplib.SMTP = smtplib.SMTP_SSL(
                    settings.smtp_host,
                    settings.smtp_port,
                    timeout=settings.smtp_timeout_s,
                    context=ssl.create_default_context(),
                )
            else:
                client = smtplib.SMTP(
                    settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout_s
                )
            with client:
                if settings.smtp_tls == "starttls":
                    client.starttls(context=ssl.create_default_context())
                if settings.smtp_username and settings.smtp_password is not None:
                    client.login(settings.smtp_username, settings.smtp_password.get_secret_value())
                client.send_message(message)
        except (smtplib.SMTPException, OSError, ValueError) as err:
            # ValueError: a header the email package refuses (it never should be, the
            # address is validated); the others: the server or the network.
            raise MailError(f"{type(err).__name__}: {err}") from err
