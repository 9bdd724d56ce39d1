"""Finishing an interaction: the one way a page hands its result back to the engine.

As node-oidc-provider's ``interactionFinished(result)`` and Hydra's accept-login: a page
(the password form, the personal-code change, the FranceConnect callback, the end of a
signup) reports who logged in and how; only the engine starts the SSO session, sets its
cookie, marks the step done and resumes the relying party's request. A later step (the
consent, the email FranceConnect needs) reports with :func:`finish_step`.

Resuming is done in the same response (the login POST answers 303 straight to the client
when nothing else is due: one round trip fewer, and the session commits with the code), or,
when the page has its own answer to give first, by handing the page the ``/resume`` URL
(``respond``): the signup's "account created" page links to it, the personal-code page and
the FranceConnect callback redirect to it. Without a pending request, ``respond(None)`` is
the page's own destination (the account pages).

The session, the step and what the page changed commit together, once: ``start_session``
and ``mark_done`` never commit on their own.
"""

from __future__ import annotations

from typing import Callable

from flask import make_response, url_for

from idp.oidc import authorize as authz
from idp.oidc import interactions, sessions
from idp.oidc.views import handle_authorization
from idp.store.db import db
from idp.store.models import Account, Interaction

Respond = Callable[[str | None], object]


def finish(interaction: Interaction | None, account: Account, *, acr: str, amr: list[str],
           remember: bool = False, upstream: tuple[str, str] | None = None,
           respond: Respond | None = None):
    """The person logged in as ``account``: open the session and go on with ``interaction``.

    ``upstream`` is (provider, its ID token) for a login through FranceConnect (the logout
    ends that session too). Returns the response, with the session cookie set."""
    _, cookie = sessions.start_session(account, acr, amr, remember=remember, upstream=upstream)
    if interaction is not None:
        interactions.mark_done(interaction, "login")
    response = _go_on(interaction, respond)
    sessions.set_cookie(response, cookie, remember=remember)
    return response


def finish_step(interaction: Interaction, step: str, respond: Respond | None = None):
    """A step after the login was answered (``consent``, ``email``): what the page recorded
    and the step commit together, before the request goes on (resumed here, the person's
    answer stands whatever the resumed request does next)."""
    interactions.mark_done(interaction, step)
    if respond is None:
        db.session.commit()
    return _go_on(interaction, respond)


def resume_url(interaction: Interaction) -> str:
    return url_for("oidc.resume", handle=interactions.handle_of(interaction))


def _go_on(interaction: Interaction | None, respond: Respond | None):
    if respond is not None:
        db.session.commit()
        return make_response(respond(resume_url(interaction) if interaction is not None else None))
    return _resume_here(interaction)


def _resume_here(interaction: Interaction):
    """The relying party's request, resumed in this response and in this transaction: the
    code, the session and the end of the interaction commit at once (two commits let a
    crash between them leave a session whose cookie nobody received)."""
    handle = interactions.handle_of(interaction)
    response = make_response(handle_authorization(authz.oauth_request_from(interaction.params), interaction, handle))
    db.session.commit()
    return response
