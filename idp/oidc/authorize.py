"""Authorization endpoint (OIDC Core §3.1.2): Authlib validates, small checks decide.

Authlib validates the client, the exact redirect_uri, response_type, scope and PKCE. Then
the checks below run in this order, each a small function that may raise a protocol error
(:mod:`.errors`) or ask for an interaction (login or consent). Errors carry a
``redirect_uri`` only once the client and its redirect_uri are trusted
(:meth:`Attempt.error`); before that they become an error page. An error Authlib raises
while it validates becomes ours (:func:`.errors.as_protocol_error`).
"""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass, field

from authlib.oauth2.rfc6749 import OAuth2Request
from authlib.oauth2.rfc6749.errors import OAuth2Error
from authlib.oauth2.rfc6749.requests import BasicOAuth2Payload
from flask import current_app, g

from idp.oidc import consent, levels, sessions
from idp.oidc.claims import parse_claims_parameter, requested_subjects
from idp.oidc.context import AuthContext
from idp.oidc.errors import (
    AccessDenied, ConsentRequired, InteractionRequired, InvalidRequest, LoginRequired, ProtocolError,
    RequestNotSupported, RequestURINotSupported, as_protocol_error,
)
from idp.oidc.id_token_hint import InvalidHint, hinted_claims
from idp.oidc.subjects import sub_for
from idp.security.audit import audit
from idp.web.params import describable

log = logging.getLogger("idp.authorize")
RESPONSE_MODES = ("query", "form_post")
PROMPTS = {"none", "login", "consent", "select_account"}


class InteractionNeeded(Exception):
    def __init__(self, step: str):
        self.step = step


@dataclass
class Attempt:
    grant: object
    redirect_uri: str
    params: dict
    session: object = None
    interaction: object = None
    claims_request: dict | None = None
    subjects: frozenset | None = None   # the ``sub`` values the claims request accepts
    prompts: set = field(default_factory=set)

    @property
    def client(self):
        return self.grant.request.client

    def error(self, cls: type[ProtocolError], description=None) -> ProtocolError:
        """A ``cls`` for the client: its redirect_uri is trusted from here on."""
        description = describable(description) if description else None  # may quote the request
        return cls(description, redirect_uri=self.redirect_uri, state=self.params.get("state"))

    def done(self, step: str) -> bool:
        return self.interaction is not None and step in (self.interaction.prompt_done or [])


def check_request_object(a: Attempt):
    """OIDC Core §6: request objects are not supported, and say so (never ignored)."""
    if "request" in a.params:
        raise a.error(RequestNotSupported, "Request objects are not supported.")
    if "request_uri" in a.params:
        raise a.error(RequestURINotSupported, "'request_uri' is not supported.")


def check_response_mode(a: Attempt):
    mode = a.params.get("response_mode", "query")
    if mode not in RESPONSE_MODES:
        raise a.error(InvalidRequest, f"Unsupported 'response_mode': {mode}.")


def check_prompt(a: Attempt):
    a.prompts = set((a.params.get("prompt") or "").split())
    if "none" in a.prompts and len(a.prompts) > 1:
        raise a.error(InvalidRequest, "'prompt=none' cannot be combined with other values.")


def check_claims_parameter(a: Attempt):
    """OIDC Core §5.5, limited to the claims the client is registered for (:mod:`.consent`).
    A ``sub`` value that is not a string is refused here, with the request alone, so that a
    pushed request (:mod:`.par`) is refused at ``/par`` as ``/authorize`` would refuse it;
    whose session it names is :func:`check_requested_subject`'s, once there is a session."""
    try:
        a.claims_request = parse_claims_parameter(a.params.get("claims"))
    except ValueError:
        raise a.error(InvalidRequest, "'claims' must be a JSON object.") from None
    a.claims_request = consent.limit_to_registered(a.claims_request, a.client)
    try:
        a.subjects = requested_subjects(a.claims_request)
    except ValueError:
        raise a.error(InvalidRequest, "The 'sub' value of 'claims' must be a string.") from None


def check_max_age(a: Attempt):
    raw = a.params.get("max_age")
    if raw is None:
        return
    if not re.fullmatch("[0-9]{1,10}", str(raw)):  # ASCII digits: '²'.isdigit() is true
        raise a.error(InvalidRequest, "'max_age' must be a non-negative integer.")
    if a.session is None or a.done("login"):
        return
    if time.time() - a.session.auth_time > int(raw):
        a.session = None  # too old: the person must authenticate again


def check_id_token_hint(a: Attempt):
    """The hint must be an ID token of this issuer for this client (:mod:`.id_token_hint`);
    when it names someone else than the person logged in, that person must log in again."""
    hint = a.params.get("id_token_hint")
    if not hint:
        return
    try:
        claims = hinted_claims(hint, a.client.get_client_id())
    except InvalidHint as refused:
        raise a.error(InvalidRequest, refused.description) from None
    if a.session is not None and sub_for(a.client, a.session.account_id) != claims.get("sub"):
        a.session = None


def check_requested_subject(a: Attempt):
    """OIDC Core §5.5.1: a ``claims`` request naming a ``sub`` is answered for that person
    only. Another person's session logs in again (``login_required`` with ``prompt=none``, as
    for an ``id_token_hint``); a login, in this request, as someone else is refused."""
    wanted = a.subjects   # its shape checked with the claims parameter
    if wanted is None or a.session is None or sub_for(a.client, a.session.account_id) in wanted:
        return
    if a.done("login"):
        raise a.error(AccessDenied, "The end-user is not the one the 'claims' request names.")
    a.session = None


def check_login(a: Attempt):
    login_forced = ("login" in a.prompts or "select_account" in a.prompts) and not a.done("login")
    if a.session is None or login_forced:
        if "none" in a.prompts:
            raise a.error(LoginRequired, "The end-user is not logged in.")
        raise InteractionNeeded("login")


def check_level(a: Attempt):
    """The level of assurance the request needs (:mod:`.levels`): a session below it, or
    whose second factor is older than ``max_age``, gives the second factor only (the
    ``mfa`` step: no second password); ``prompt=none`` cannot, and says so."""
    needed = levels.needed(a.params, a.claims_request, a.client.row.require_acr, g.tenant.config.mfa.required)
    if needed == "eidas1":
        return
    max_age = None if a.done("mfa") or a.params.get("max_age") is None else int(a.params["max_age"])
    if levels.holds(a.session, needed, max_age):
        return
    if "none" in a.prompts:
        raise a.error(InteractionRequired, f"A second factor is required ({needed}).")
    raise InteractionNeeded("mfa")


def check_required_email(a: Attempt):
    """A client profile may refuse an identity without an email (FranceConnect, from its
    identity providers: franceconnect.md §7): a person whose account has none gives one
    (confirmed by a code) before the answer goes back, rather than failing there. That email
    becomes a way to recover the account, so, as a contact change in /account, it is given
    only after a recent login (a session left open must not add its holder's address)."""
    profile = a.client.profile
    if not profile.requires_email:
        return
    account = sessions.session_account(a.session)
    if account is None or account.email:
        return
    if "none" in a.prompts:
        raise a.error(InteractionRequired, f"The account has no email, which {profile.title} requires.")
    raise InteractionNeeded("email" if sessions.recent(a.session) else "login")


def check_required_claims(a: Attempt):
    """A client profile may refuse an identity missing one claim (FranceConnect: a pivot
    claim, gender, birthdate, birthcountry, birthplace when born in France): an account that
    cannot give them all (no NIR to read them from, nothing in its profile) gets the client
    a clean ``access_denied`` naming what is missing, rather than a userinfo it would reject."""
    profile = a.client.profile
    if not profile.requires_claims:
        return
    account = sessions.session_account(a.session)
    missing = profile.missing_claims(account) if account is not None else []
    if missing:
        audit(profile.incomplete_event, "failure", client_id=a.client.get_client_id(),
              missing=",".join(missing))
        raise a.error(AccessDenied, f"The account lacks identity claims {profile.title} requires: "
                                         + ", ".join(missing) + ".")


def check_consent(a: Attempt):
    if a.client.row.first_party and "consent" not in a.prompts:
        return
    if "consent" in a.prompts and not a.done("consent"):
        raise InteractionNeeded("consent")
    needed = consent.asked(a.client, a.grant.request.scope, a.claims_request)
    granted = consent.granted_to(a.session.account_id, a.client)
    if not consent.covers(granted, needed, a.client, sessions.session_account(a.session)):
        if "none" in a.prompts:
            raise a.error(ConsentRequired, "The end-user has not consented to this client.")
        raise InteractionNeeded("consent")


# the checks of the request alone, without the person's session: also those of a pushed
# request (:mod:`.par`)
REQUEST_CHECKS = (
    check_request_object, check_response_mode, check_prompt, check_claims_parameter,
    check_max_age, check_id_token_hint,
)
CHECKS = REQUEST_CHECKS + (check_requested_subject, check_login, check_level, check_required_email,
                          check_required_claims, check_consent)


def oauth_request_from(params: dict, method: str = "GET") -> OAuth2Request:
    """Rebuild an Authlib request from stored parameters (when an interaction resumes)."""
    req = OAuth2Request(method, g.tenant.issuer + "/authorize")
    req.payload = BasicOAuth2Payload(params)
    return req


def begin(oauth_request: OAuth2Request, interaction=None) -> Attempt:
    """Validate with Authlib, then run :data:`CHECKS`. Raises a :class:`.errors.ProtocolError`
    or :class:`InteractionNeeded`."""
    server = current_app.extensions["idp_oauth"]
    params = {k: v for k, v in oauth_request.payload.data.items()}
    try:
        grant = server.get_authorization_grant(oauth_request)
        grant.validate_no_multiple_request_parameter(oauth_request)
        redirect_uri = grant.validate_authorization_request()
    except OAuth2Error as error:
        error = as_protocol_error(error)
        error.state = params.get("state")
        raise error from None
    attempt = Attempt(grant, redirect_uri, params, sessions.current_session(), interaction)
    for check in CHECKS:
        check(attempt)
    return attempt


def issue_code(a: Attempt) -> dict:
    """Create the code for the logged-in session; return the response parameters."""
    session = a.session
    account = sessions.session_account(session)
    ctx = AuthContext(account, session.auth_time, session.acr, session.amr, session.sid,
                      claims_request=a.claims_request)
    a.grant.request.user = ctx
    code = a.grant.generate_authorization_code()
    a.grant.save_authorization_code(code, a.grant.request)
    sessions.add_client(session, a.client.get_client_id())
    audit("code.issued", client_id=a.client.get_client_id())
    result = {"code": code}
    if a.params.get("state"):
        result["state"] = a.params["state"]
    return result


