"""Request parameters at the boundary: checked once, before anything stores or echoes them.

:func:`screen` runs before every view (a ``before_request`` hook, after the CSRF check).
What it refuses is refused whole, before a view, the database or Authlib sees it, with a
:class:`~idp.oidc.errors.ProtocolError`;
:func:`idp.web.errors.protocol_error` answers with the RFC error code on protocol endpoints
and a French page elsewhere. A refused authorization request is shown as a page, never
redirected: its client and redirect_uri were not verified (RFC 6749 §4.1.2.1), so these
errors carry no redirect_uri.

- **Control characters.** No parameter name or value (query, form, multipart field or
  file name, URL path segment) carries a C0 control, DEL or a lone surrogate: PostgreSQL
  refuses NUL in text, psycopg cannot encode a surrogate, and CR/LF have no business in a
  log line or an email header. Form pages still accept TAB, CR and LF (a pasted address).
- **Grammar** (RFC 6749 Appendix A) of the protocol parameters that identify the client,
  are echoed verbatim or are credentials: ``client_id``, ``state``, ``code``, tokens and
  secrets are visible ASCII, ``redirect_uri`` is made of URI characters, ``response_type`` and
  ``grant_type`` are names. So what Authlib echoes into an ``error_description``
  (``response_type``, ``redirect_uri``) fits RFC 6749 §4.1.2.1's character set: Authlib
  refuses to build the error otherwise.
- **Authorization requests are bounded** (Keycloak's limit): at most
  :data:`MAX_PARAMETER_LENGTH` characters a parameter (``id_token_hint`` and ``claims``,
  documents: :data:`MAX_DOCUMENT_LENGTH`), :data:`MAX_PARAMETERS` parameters, names of at most
  :data:`MAX_NAME_LENGTH`. The whole request is stored while the person logs in, so a 20 MB
  ``state`` is refused, never stored.
- **HTTP Basic client credentials** (RFC 6749 §2.3.1) are base64 of
  ``urlencode(client_id):urlencode(secret)`` in UTF-8; anything else is ``invalid_client``
  (RFC 6749 §5.2), before Authlib decodes them.

The *meaning* of well-formed authorization parameters (``claims`` is a JSON object,
``max_age`` a number, ``prompt`` values) is checked once the client and its redirect_uri are
trusted, by :mod:`idp.oidc.authorize`'s checks, so that the client gets its
``invalid_request`` back (RFC 6749 §4.1.2.1); they use :func:`strict_json` from here.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from urllib.parse import unquote

from flask import request

from idp.web.endpoints import AUTHORIZATION_ENDPOINTS, CLIENT_AUTHENTICATION_ENDPOINTS, PROTOCOL_ENDPOINTS
from idp.oidc.errors import InvalidClient, InvalidRequest, ProtocolError, of_code

MAX_PARAMETER_LENGTH = 2000
MAX_DOCUMENT_LENGTH = 8000
MAX_PARAMETERS = 50
MAX_NAME_LENGTH = 64
MAX_CLAIMS_DEPTH = 6

_PAGE_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
_PROTOCOL_FORBIDDEN = re.compile("[\x00-\x1f\x7f\ud800-\udfff]")

_VSCHAR = re.compile(r"[\x20-\x7e]*")
_NAMES = re.compile(r"[A-Za-z0-9_\- ]*")
_URI = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]*")      # RFC 3986 characters
_COMPACT_JOSE = re.compile(r"[A-Za-z0-9_\-.]*")

GRAMMAR = {
    "client_id": _VSCHAR, "client_secret": _VSCHAR, "state": _VSCHAR, "code": _VSCHAR,
    "refresh_token": _VSCHAR, "access_token": _VSCHAR, "token": _VSCHAR, "response_type": _NAMES,
    "redirect_uri": _URI, "post_logout_redirect_uri": _URI, "grant_type": _URI,
    "client_assertion_type": _URI, "id_token_hint": _COMPACT_JOSE, "client_assertion": _COMPACT_JOSE,
    "dpop_jkt": re.compile(r"[A-Za-z0-9_\-]{43}"),   # a SHA-256 JWK thumbprint, base64url (RFC 9449 §10)
}
DOCUMENTS = {"id_token_hint", "claims"}
# named in error descriptions (the client's own name for what was wrong); any other name is not
NAMED = set(GRAMMAR) | DOCUMENTS | {
    "nonce", "prompt", "max_age", "ui_locales", "claims_locales", "login_hint", "acr_values", "display",
    "response_mode", "code_challenge", "code_challenge_method", "code_verifier", "scope", "request",
    "request_uri", "token_type_hint", "logout_hint", "dpop_jkt",
}
# RFC 6749 §4.1.2.1 and §5.2: these two have their own error codes, invalid_request the others
MALFORMED_ERRORS = {"grant_type": "unsupported_grant_type", "response_type": "unsupported_response_type"}


_NOT_IN_DESCRIPTIONS = re.compile(r"[^\x20\x21\x23-\x5b\x5d-\x7e]")


def describable(text: str, limit: int = 200) -> str:
    """``text`` fit for an ``error_description`` (RFC 6749 §4.1.2.1: %x20-21 / %x23-5B /
    %x5D-7E), for messages that quote what a client sent."""
    return _NOT_IN_DESCRIPTIONS.sub("?", text)[:limit]


def _named(name: str) -> str:
    """The parameter's name as it may be echoed: only the protocol's own names are."""
    return f"'{name}'" if name in NAMED else "A parameter"


def _refuse(description: str) -> ProtocolError:
    return InvalidRequest(description)


def check_pairs(pairs, protocol: bool) -> None:
    """Names and values free of control characters; protocol values in their grammar."""
    forbidden = _PROTOCOL_FORBIDDEN if protocol else _PAGE_FORBIDDEN
    for name, value in pairs:
        if forbidden.search(name) or forbidden.search(value):
            raise _refuse(f"{_named(name)} contains characters that are not allowed.")
        grammar = GRAMMAR.get(name) if protocol else None
        if grammar is not None and not grammar.fullmatch(value):
            code = MALFORMED_ERRORS.get(name, InvalidRequest.error)
            raise of_code(code, f"{_named(name)} is malformed.")


def check_authorization_size(pairs) -> None:
    if len(pairs) > MAX_PARAMETERS:
        raise _refuse(f"At most {MAX_PARAMETERS} parameters are accepted.")
    for name, value in pairs:
        if len(name) > MAX_NAME_LENGTH:
            raise _refuse(f"Parameter names are at most {MAX_NAME_LENGTH} characters long.")
        limit = MAX_DOCUMENT_LENGTH if name in DOCUMENTS else MAX_PARAMETER_LENGTH
        if len(value) > limit:
            raise _refuse(f"{_named(name)} is longer than {limit} characters.")


def json_depth(text: str) -> int:
    """How deep arrays and objects nest in ``text``, counted without parsing it (so that a
    document nested thousands deep is refused before the parser recurses into it)."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            escaped, in_string = (False, True) if escaped else (char == "\\", char != '"')
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def _no_constant(name: str):
    raise ValueError(f"{name} is not JSON")


def _check_strings(value) -> None:
    if isinstance(value, str):
        if _PROTOCOL_FORBIDDEN.search(value):
            raise ValueError("control characters in a JSON string")
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_strings(key)
            _check_strings(item)
    elif isinstance(value, list):
        for item in value:
            _check_strings(item)


def strict_json(text: str, max_depth: int = MAX_CLAIMS_DEPTH):
    """RFC 8259 JSON only: no ``NaN`` / ``Infinity`` (PostgreSQL's JSON refuses them), no
    deeper than ``max_depth``, no control character or lone surrogate in a string (escaped
    as ``\\u0000`` they would reach the database). ``ValueError`` otherwise."""
    if json_depth(text) > max_depth:
        raise ValueError("nested too deeply")
    value = json.loads(text, parse_constant=_no_constant)
    _check_strings(value)
    return value


def basic_credentials(header: str) -> tuple[str, str] | None:
    """``(client_id, secret)`` of an HTTP Basic ``Authorization`` header, None for another
    scheme; :class:`~idp.oidc.errors.InvalidClient` (401) when it cannot be decoded."""
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        client_id, secret = (unquote(part, errors="strict") for part in decoded.split(":", 1))
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise _bad_client() from None
    if not (_VSCHAR.fullmatch(client_id) and not _PROTOCOL_FORBIDDEN.search(secret)):
        raise _bad_client()
    return client_id, secret


def _bad_client() -> ProtocolError:
    return InvalidClient.basic("The HTTP Basic credentials are malformed (RFC 6749 section 2.3.1).")


def _pairs() -> list[tuple[str, str]]:
    pairs = list(request.args.items(multi=True))
    pairs += [(name, str(value)) for name, value in (request.view_args or {}).items()]
    if request.method in ("POST", "PUT", "PATCH"):
        pairs += list(request.form.items(multi=True))
        pairs += [(name, upload.filename or "") for name, upload in request.files.items(multi=True)]
    # a multipart part whose name Werkzeug could not read (``name="\"``) has None for a name
    return [(name or "", value or "") for name, value in pairs]


def screen() -> None:
    """The ``before_request`` hook: raise a :class:`~idp.oidc.errors.ProtocolError` for what
    is refused."""
    endpoint = request.endpoint or ""
    pairs = _pairs()
    protocol = endpoint in PROTOCOL_ENDPOINTS
    if endpoint in AUTHORIZATION_ENDPOINTS:
        check_authorization_size(pairs)
    check_pairs(pairs, protocol)
    if endpoint in CLIENT_AUTHENTICATION_ENDPOINTS and request.headers.get("Authorization"):
        basic_credentials(request.headers["Authorization"])


def setup_screening(app) -> None:
    """After the CSRF check (registered earlier), before every view."""
    app.before_request(screen)
