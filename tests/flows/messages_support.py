"""Reading the messages the provider sent, from the development outbox."""

from __future__ import annotations


def messages(app, channel: str | None = None, to: str | None = None) -> list[dict]:
    from idp.web.background import jobs

    jobs(app).wait(timeout=30)   # what the forgot pages send after their answer
    outbox = app.extensions["idp_notifier"].outbox()
    return [m for m in outbox if (channel is None or m["channel"] == channel) and (to is None or m["to"] == to)]


def last_message(app, channel: str, to) -> dict:
    found = messages(app, channel, to)
    assert found, f"no {channel} message to {to}; outbox: {[(m['channel'], m['to']) for m in messages(app)]}"
    return found[0]
