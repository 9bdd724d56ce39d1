"""Sending signup messages through the notifier (email, SMS), with the tenant's name."""

from __future__ import annotations

from flask import g

from ..notify import notifier


def deliver(channel: str, destination: str, template: str, context: dict):
    return notifier().send_to(channel, destination, template, context,
                              tenant=g.tenant.slug, tenant_name=g.tenant.display_name)
