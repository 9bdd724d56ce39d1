"""Audit events: one JSON line per security-relevant event on the ``idp.audit`` logger.

Operators route that logger to their SIEM (it is a plain ``logging`` logger). Events carry
the tenant, the event name, an outcome and short machine codes; never a password, a code,
a token, a NIR or an upstream identity's personal data (OWASP ASVS V7.1).
"""

from __future__ import annotations

import json
import logging
import time

from flask import g, has_request_context, request

log = logging.getLogger("idp.audit")


def audit(event: str, outcome: str = "success", **fields) -> dict:
    """Log ``event`` and return the record (tests read it back through ``caplog``)."""
    record = {"event": event, "outcome": outcome, "time": int(time.time())}
    if has_request_context():
        tenant = getattr(g, "tenant", None)
        if tenant is not None:
            record["tenant"] = tenant.slug
        record["ip"] = request.remote_addr
    record.update({k: v for k, v in fields.items() if v is not None})
    log.log(logging.WARNING if outcome == "failure" else logging.INFO, "%s", json.dumps(record, sort_keys=True))
    return record
