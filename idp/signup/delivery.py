"""Sending signup messages through the notifier (email, SMS), with the tenant's name."""

from __future__ import annotations

from flask import g

from ..notify import notifier


def deliver(channel: str, destination: str, template: str, context: dict):
    return notifier().send_to(channel, destination, template, context,
                              tenant=g.tenant.slug, tenant_name=g.tenant.display_name)


def send_code(purpose: str, subject: str, channel: str, destination: str):
    """Issue and send a verification code; a new code to the same destination waits for the
    resend delay. Returns None when sent, else the French refusal."""
    from .. import verification

    previous = verification.pending(purpose, subject)
    if previous is not None and previous.destination == destination:
        allowed = verification.can_resend(previous)
        if not allowed.ok:
            return allowed.message
    _, code = verification.issue(purpose, subject, channel, destination)
    deliver(channel, destination, "activation_code", {"code": code})
    return None
