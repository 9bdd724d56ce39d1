"""``/dev/outbox``: the development outbox in the browser, to read activation messages without
a mailbox or a phone. Registered only when ``[notify] dev_outbox_page`` is true."""

from __future__ import annotations

from flask import Blueprint, abort, render_template

from idp.notify.notifier import notifier
from idp.notify.templates import TEMPLATE_ROOT

LATEST = 200


def _no_store(response):
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


def dev_blueprint() -> Blueprint:
    """A new blueprint (endpoints ``notify_outbox.index`` and ``notify_outbox.show``)."""
    bp = Blueprint("notify_outbox", __name__, url_prefix="/dev/outbox", template_folder=str(TEMPLATE_ROOT))
    bp.after_request(_no_store)

    @bp.get("/")
    def index():
        return render_template("notify/outbox.html", messages=notifier().outbox(LATEST), latest=LATEST)

    @bp.get("/<message_id>")
    def show(message_id: str):
        message = notifier().outbox_message(message_id)
        if message is None:
            abort(404)
        return render_template("notify/message.html", message=message)

    return bp
