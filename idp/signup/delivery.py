"""Sending signup messages through the notifier (email, SMS), with the tenant's name."""

from __future__ import annotations

from flask import current_app, g


def deliver(channel: str, destination: str, template: str, context: dict):
    notifier = current_app.extensions["idp_notifier"]
    return notifier.send_to(channel, destination, template, {**context, "tenant_name": g.tenant.display_name},
                            tenant=g.tenant.slug, tenant_name=g.tenant.display_name)
