"""Sending signup messages through the notifier (email, SMS), with the tenant's name."""

from __future__ import annotations

from flask import g

from idp.notify import notifier
from idp.verification import codes as verification


def deliver(channel: str, destination: str, template: str, context: dict):
    return notifier().send_to(channel, destination, template, context,
                              tenant=g.tenant.slug, tenant_name=g.tenant.display_name)


def send_code(purpose: str, subject: str, channel: str, destination: str):
    """Issue and send a verification code within the limits of :mod:`idp.verification.codes` (per
    subject: resend delay, sends and tries of the window; per client address). Returns None
    when sent, else the French refusal."""
    if not verification.address_allows():
        return verification.MESSAGES["too_many_requests"]
    outcome = verification.request_code(purpose, subject, channel, destination)
    if not outcome.ok:
        return outcome.message
    deliver(channel, destination, "activation_code", {"code": outcome.secret})
    return None
