"""``/dev/outbox``: the development outbox, to read activation messages without a mailbox.
Registered only when ``[notify] dev_outbox_page`` is true."""

from __future__ import annotations

from flask import Blueprint, abort, render_template

from .notifier import notifier

bp = Blueprint("outbox", __name__, url_prefix="/dev/outbox")


@bp.route("/")
def index():
    return render_template("messaging/outbox.html", messages=notifier().outbox())


@bp.route("/<message_id>")
def show(message_id):
    found = [m for m in notifier().outbox() if m["id"] == message_id]
    if not found:
        abort(404)
    return render_template("messaging/message.html", message=found[0])
