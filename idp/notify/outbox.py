"""The development outbox: every message, whatever its channel and outcome, as one JSON file
in ``notify.outbox_dir``, read back by ``/dev/outbox`` and by tests.

A development aid only. A record holds what the message itself shows (recipient, subject,
text, HTML: so codes and links in clear) and its outcome; never the template context, the
SMTP password or the gateway token. Leave ``outbox_dir`` empty in production.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timezone
from pathlib import Path

from idp.notify.message import MESSAGE_ID

log = logging.getLogger("idp.notify")


class Outbox:
    def __init__(self, folder: str | Path | None):
        self.folder = Path(folder) if folder else None

    @property
    def enabled(self) -> bool:
        return self.folder is not None

    def write(self, record: dict, created_at: datetime) -> None:
        """Write ``record`` (with an ``id``) as ``<UTC timestamp>-<id>.json``: names sort by age."""
        if self.folder is None:
            return
        stamp = created_at.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            path = self.folder / f"{stamp}-{record['id']}.json"
            path.write_text(json.dumps(record, ensure_ascii=False, indent=2), encoding="utf-8")
        except OSError as exc:  # a development aid never stops a message
            log.error("outbox_write_failed reason=%s", type(exc).__name__)

    def messages(self, limit: int | None = None) -> list[dict]:
        """Records, newest first."""
        if self.folder is None or not self.folder.is_dir():
            return []
        paths = sorted(self.folder.glob("*.json"), reverse=True)[:limit]
        return [json.loads(path.read_text(encoding="utf-8")) for path in paths]

    def get(self, message_id: str) -> dict | None:
        if self.folder is None or not MESSAGE_ID.match(message_id):
            return None
        found = list(self.folder.glob(f"*-{message_id}.json"))
        return json.loads(found[0].read_text(encoding="utf-8")) if found else None
