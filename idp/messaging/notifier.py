"""The notifier: one ``send_to`` for every channel, and the development outbox.

- email: SMTP (STARTTLS or implicit TLS, optional login), plain text, when ``[notify.email]``
  is enabled;
- sms: ``POST {gateway_url}`` with ``{"to", "from", "text"}`` and a bearer token, when
  ``[notify.sms]`` is enabled;
- letter: one JSON line per letter appended to the day's batch file in ``letters.batch_dir``.

With ``outbox_dir`` set (development), every message is also written there as one JSON
file, whatever the channel's outcome. The outbox holds codes and links in clear: never set it
in production.
"""

from __future__ import annotations

import json
import logging
import smtplib
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

import requests
from flask import current_app

from .templates import render

log = logging.getLogger("idp.messaging")


@dataclass
class Delivery:
    id: str
    channel: str
    status: str            # "sent" | "failed" | "outbox" (channel disabled: written to the outbox only)
    error: str | None = None


class Notifier:
    def __init__(self, settings, code_ttl: int = 600, link_ttl: int = 86400, letter_days: int = 30):
        self.settings = settings
        self.defaults = {"minutes": code_ttl // 60, "hours": link_ttl // 3600, "days": letter_days}

    def send_to(self, channel: str, destination, template: str, context: dict, *, tenant: str,
                tenant_name: str) -> Delivery:
        subject, text = render(template, {**self.defaults, **context, "tenant_name": tenant_name})
        message_id = uuid.uuid4().hex
        record = {"id": message_id, "tenant": tenant, "channel": channel, "to": destination,
                  "template": template, "subject": subject, "text": text,
                  "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds")}
        delivery = self._deliver(channel, destination, subject, text, record)
        record["status"] = delivery.status
        self._outbox(record)
        log.info("message_sent tenant=%s channel=%s template=%s status=%s", tenant, channel, template, delivery.status)
        return delivery

    def _deliver(self, channel, destination, subject, text, record) -> Delivery:
        try:
            if channel == "email" and self.settings.email.enabled:
                self._smtp(destination, subject, text)
            elif channel == "sms" and self.settings.sms.enabled:
                self._sms(destination, text)
            elif channel == "letter" and self.settings.letters.batch_dir:
                self._letter(record)
            else:
                return Delivery(record["id"], channel, "outbox")
        except (OSError, smtplib.SMTPException, requests.RequestException, DeliveryError) as exc:
            log.warning("message_failed channel=%s reason=%s", channel, type(exc).__name__)
            return Delivery(record["id"], channel, "failed", type(exc).__name__)
        return Delivery(record["id"], channel, "sent")

    def _smtp(self, to: str, subject: str, text: str) -> None:
        cfg = self.settings.email
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = cfg.sender, to, subject
        message["Date"] = format_datetime(datetime.now(timezone.utc))
        message["Message-ID"] = make_msgid(domain=cfg.sender.rsplit("@", 1)[-1].rstrip(">"))
        message.set_content(text)
        smtp_cls = smtplib.SMTP_SSL if cfg.ssl else smtplib.SMTP
        with smtp_cls(cfg.host, cfg.port, timeout=cfg.timeout) as smtp:
            if cfg.starttls and not cfg.ssl:
                smtp.starttls()
            if cfg.username:
                smtp.login(cfg.username, cfg.password)
            smtp.send_message(message)

    def _sms(self, to: str, text: str) -> None:
        cfg = self.settings.sms
        response = requests.post(cfg.gateway_url, timeout=cfg.timeout,
                                 headers={"Authorization": f"Bearer {cfg.api_token}"},
                                 json={"to": to, "from": cfg.sender_id, "text": text})
        if not 200 <= response.status_code < 300:
            raise DeliveryError(f"gateway answered {response.status_code}")

    def _letter(self, record: dict) -> None:
        folder = Path(self.settings.letters.batch_dir)
        folder.mkdir(parents=True, exist_ok=True)
        batch = folder / f"letters-{datetime.now(timezone.utc):%Y%m%d}.jsonl"
        with batch.open("a", encoding="utf-8") as f:
            f.write(json.dumps(record, ensure_ascii=False) + "\n")

    def _outbox(self, record: dict) -> None:
        if not self.settings.outbox_dir:
            return
        folder = Path(self.settings.outbox_dir)
        folder.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%f")
        (folder / f"{stamp}-{record['id']}.json").write_text(json.dumps(record, ensure_ascii=False, indent=2),
                                                              encoding="utf-8")

    def outbox(self) -> list[dict]:
        """Messages in the outbox, newest first (development)."""
        folder = Path(self.settings.outbox_dir or "")
        if not self.settings.outbox_dir or not folder.is_dir():
            return []
        return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.json"), reverse=True)]


class DeliveryError(Exception):
    pass


def notifier() -> Notifier:
    return current_app.extensions["idp_notifier"]
