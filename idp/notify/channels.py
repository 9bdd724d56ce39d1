"""The delivery channels, behind one small interface: ``deliver(message, rendered)`` hands the
message over or raises :class:`DeliveryError` with a reason that is safe to log.

- :class:`SmtpEmail`: RFC 5322 email over SMTP (``smtplib``), plain text with an HTML
  alternative, STARTTLS or implicit TLS, optional login;
- :class:`HttpSms`: ``POST {gateway_url}`` with ``{"to", "from", "text"}`` and a bearer token;
- :class:`LetterBatch`: one JSON line per letter appended to the day's batch file.
"""

from __future__ import annotations

import json
import smtplib
import ssl
import threading
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from pathlib import Path
from typing import Protocol

import requests

from idp.notify.message import DeliveryError, Message
from idp.notify.settings import EmailSettings, LetterSettings, NotifySettings, SmsSettings
from idp.notify.templates import Rendered


class Channel(Protocol):
    name: str

    def deliver(self, message: Message, rendered: Rendered) -> None:
        """Hand the message over, or raise :class:`DeliveryError`."""


class SmtpEmail:
    name = "email"

    def __init__(self, settings: EmailSettings):
        self.settings = settings
        self.domain = parseaddr(settings.sender)[1].rpartition("@")[2] or "localhost"

    def compose(self, message: Message, rendered: Rendered) -> EmailMessage:
        email = EmailMessage()
        email["From"] = self.settings.sender
        email["To"] = message.recipient
        email["Subject"] = rendered.subject
        email["Date"] = format_datetime(message.created_at)
        email["Message-ID"] = make_msgid(idstring=message.id, domain=self.domain)
        email["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies
        email["Content-Language"] = "fr"
        email.set_content(rendered.text)
        if rendered.html:
            email.add_alternative(rendered.html, subtype="html")
        return email

    def deliver(self, message: Message, rendered: Rendered) -> None:
        email = self.compose(message, rendered)
        try:
            with self._connect() as smtp:
                if self.settings.username:
                    smtp.login(self.settings.username, self.settings.password)
                smtp.send_message(email)
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryError(f"SMTP {type(exc).__name__}") from exc

    def _connect(self) -> smtplib.SMTP:
        cfg = self.settings
        if cfg.ssl:
            return smtplib.SMTP_SSL(cfg.host, cfg.port, timeout=cfg.timeout, context=ssl.create_default_context())
        smtp = smtplib.SMTP(cfg.host, cfg.port, timeout=cfg.timeout)
        if cfg.starttls:
            try:
                smtp.starttls(context=ssl.create_default_context())
            except BaseException:
                smtp.close()
                raise
        return smtp


class HttpSms:
    name = "sms"

    def __init__(self, settings: SmsSettings, session: requests.Session | None = None):
        self.settings = settings
        self.session = session or requests.Session()

    def deliver(self, message: Message, rendered: Rendered) -> None:
        cfg = self.settings
        try:
            response = self.session.post(cfg.gateway_url, timeout=cfg.timeout, allow_redirects=False,
                                         headers={"Authorization": f"Bearer {cfg.api_token}"},
                                         json={"to": message.recipient, "from": cfg.sender_id, "text": rendered.text})
        except requests.Timeout as exc:
            raise DeliveryError("SMS gateway timeout") from exc
        except requests.RequestException as exc:
            raise DeliveryError(f"SMS gateway unreachable ({type(exc).__name__})") from exc
        if not 200 <= response.status_code < 300:
            raise DeliveryError(f"SMS gateway answered {response.status_code}")


class LetterBatch:
    """Letters for the printing provider: ``letters-YYYYMMDD.jsonl`` (UTC date of the message)
    in ``batch_dir``, one JSON object per line: id, tenant, tenant_name, template,
    created_at, to (the postal address), subject, text."""

    name = "letter"
    _lock = threading.Lock()

    def __init__(self, settings: LetterSettings):
        self.folder = Path(settings.batch_dir)

    def batch_file(self, message: Message) -> Path:
        return self.folder / f"letters-{message.created_at:%Y%m%d}.jsonl"

    def deliver(self, message: Message, rendered: Rendered) -> None:
        line = json.dumps({"id": message.id, "tenant": message.tenant, "tenant_name": message.tenant_name,
                           "template": message.template, "created_at": message.created_at.isoformat(),
                           "to": dict(message.recipient), "subject": rendered.subject, "text": rendered.text},
                          ensure_ascii=False)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            # one short line per write in append mode: lines from several workers do not interleave
            with self._lock, self.batch_file(message).open("a", encoding="utf-8") as batch:
                batch.write(line + "\n")
        except OSError as exc:
            raise DeliveryError(f"letter batch {type(exc).__name__}") from exc


def enabled_channels(settings: NotifySettings) -> dict[str, Channel]:
    """The channels ``[notify]`` enables, by name; the others only reach the outbox."""
    channels: dict[str, Channel] = {}
    if settings.email.enabled:
        channels["email"] = SmtpEmail(settings.email)
    if settings.sms.enabled:
        channels["sms"] = HttpSms(settings.sms)
    if settings.letters.batch_dir:
        channels["letter"] = LetterBatch(settings.letters)
    return channels
