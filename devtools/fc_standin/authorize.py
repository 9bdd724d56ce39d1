"""The authorization endpoint as fcp-low runs it (design note §2, §3), as small checks in order.

FC first validates the parameters against its DTO (missing parameter, nonce shorter than
22, prompt other than ``login``/``consent``/``login consent``: error page Y030007), then
the client and redirect_uri (error pages), then what oidc-provider and FC's middlewares
redirect back to the client: response_type, ``openid`` scope, acr (fcp-low only knows
``eidas1``), PKCE (RFC 7636, S256 only) and the ``claims`` parameter.
"""

from __future__ import annotations

import json
import re
import secrets

from devtools.fc_standin.errors import StandinError, redirectable
from devtools.fc_standin.identities import granted_scopes, pairwise_sub
from devtools.fc_standin.state import (
    CODE_TTL, INTERACTION_TTL, AuthorizationCode, Interaction, StandinState,
)

REQUIRED_PARAMS = ("client_id", "redirect_uri", "response_type", "scope", "acr_values", "state", "nonce")
NONCE_MIN_LENGTH = 22
ALLOWED_PROMPTS = ("login", "consent", "login consent")
KNOWN_ACRS = ("eidas1", "eidas2", "eidas3")  # lowest first, as FC's pickAcr orders them
SUPPORTED_ACRS = ("eidas1",)
_CODE_CHALLENGE = re.compile(r"^[A-Za-z0-9_-]{43,128}$")


def bad_parameters(description: str) -> StandinError:
    return StandinError("invalid_request", description, fc_code="Y030007")


def check_required_params(params: dict, standin: StandinState) -> None:
    missing = [name for name in REQUIRED_PARAMS if not params.get(name)]
    if missing:
        raise bad_parameters(f"missing required parameter(s): {', '.join(missing)}")


def check_nonce_length(params: dict, standin: StandinState) -> None:
    if len(params["nonce"]) < NONCE_MIN_LENGTH:
        raise bad_parameters(f"nonce must be at least {NONCE_MIN_LENGTH} characters long")


def check_prompt(params: dict, standin: StandinState) -> None:
    if "prompt" in params and params["prompt"] not in ALLOWED_PROMPTS:
        raise bad_parameters(f"prompt must be one of {', '.join(ALLOWED_PROMPTS)}")


def check_client(params: dict, standin: StandinState) -> None:
    if params["client_id"] not in standin.clients:
        raise StandinError("invalid_client", "unknown client_id", fc_code="Y04EA6EF")


def check_redirect_uri(params: dict, standin: StandinState) -> None:
    if params["redirect_uri"] not in standin.clients[params["client_id"]].redirect_uris:
        raise StandinError("invalid_redirect_uri", "redirect_uri is not registered for this client",
                           fc_code="Y04C013C")


def check_response_type(params: dict, standin: StandinState) -> None:
    if params["response_type"] != "code":
        raise redirectable("unsupported_response_type", "only response_type=code is supported")


def check_openid_scope(params: dict, standin: StandinState) -> None:
    if "openid" not in params["scope"].split():
        raise redirectable("invalid_request",
                           "openid scope must be requested when using the acr_values parameter")


def check_acr(params: dict, standin: StandinState) -> None:
    acr = pick_acr(params["acr_values"])
    if acr not in SUPPORTED_ACRS:
        raise redirectable("invalid_acr", "acr_value is not valid, should be equal one of these values, "
                                          f"expected {','.join(SUPPORTED_ACRS)}, got {acr}")


def check_pkce(params: dict, standin: StandinState) -> None:
    challenge, method = params.get("code_challenge"), params.get("code_challenge_method")
    if challenge is None and method is None:
        return
    if challenge is None or not _CODE_CHALLENGE.match(challenge):
        raise redirectable("invalid_request", "code_challenge must be a base64url SHA-256 digest")
    if method != "S256":
        raise redirectable("invalid_request", "code_challenge_method must be S256")


def check_claims(params: dict, standin: StandinState) -> None:
    if "claims" in params and not isinstance(_parsed_claims(params["claims"]), dict):
        raise redirectable("invalid_request", "claims parameter must be a JSON object")


AUTHORIZE_CHECKS = (
    check_required_params, check_nonce_length, check_prompt,   # FC's DTO: error page
    check_client, check_redirect_uri,                          # nothing to redirect to yet
    check_response_type, check_openid_scope, check_acr, check_pkce, check_claims,  # redirected
)


def pick_acr(acr_values: str) -> str:
    """FC's pickAcr: the lowest known value asked for; unknown values alone mean the default."""
    asked = [acr for acr in KNOWN_ACRS if acr in acr_values.split()]
    return asked[0] if asked else SUPPORTED_ACRS[0]


def begin_interaction(params: dict, standin: StandinState) -> Interaction:
    """Run every check in order, then keep the request until the user picks an identity."""
    for check in AUTHORIZE_CHECKS:
        check(params, standin)
    interaction = Interaction(
        uid=secrets.token_urlsafe(16),
        client_id=params["client_id"],
        redirect_uri=params["redirect_uri"],
        scopes=granted_scopes(params["scope"]),
        state=params["state"],
        nonce=params["nonce"],
        acr=pick_acr(params["acr_values"]),
        amr_requested=_asks_amr(params.get("claims")),
        code_challenge=params.get("code_challenge"),
        expires_at=standin.now() + INTERACTION_TTL,
    )
    standin.interactions[interaction.uid] = interaction
    return interaction


def issue_code(interaction: Interaction, identity: dict, standin: StandinState) -> AuthorizationCode:
    """The user chose ``identity``: open an FC session and issue a 30 s code."""
    now = standin.now()
    sub = pairwise_sub(interaction.client_id, identity)
    sid = secrets.token_urlsafe(16)
    standin.sessions[sid] = sub
    code = AuthorizationCode(code=secrets.token_urlsafe(32), interaction=interaction, identity=identity,
                             sub=sub, sid=sid, auth_time=int(now), expires_at=now + CODE_TTL)
    standin.codes[code.code] = code
    return code


def _parsed_claims(raw: str):
    try:
        return json.loads(raw)
    except ValueError:
        return None


def _asks_amr(raw: str | None) -> bool:
    claims = _parsed_claims(raw) if raw else None
    id_token = claims.get("id_token") if isinstance(claims, dict) else None
    return isinstance(id_token, dict) and "amr" in id_token
