"""How to build a malformed request for each endpoint: a valid request of its kind (so that
what is malformed gets past the first checks), then :func:`fuzz_values.mutated`.

Endpoints without a recipe get the generic one (the page's own form fields, with a valid
CSRF token, on POST; extra query parameters on GET), so a new endpoint is fuzzed the day it
is added. :data:`PATH_VALUES` fills URL variables; a new variable name fails the test until
it is described here.
"""

from __future__ import annotations

import base64

from hypothesis import strategies as st

from fuzz_site import Request, claims_request, fill, variables
from helpers import REDIRECT
from fuzz_values import basic_header, header_text, mutated, values

OAUTH_NAMES = [
    "response_type", "client_id", "redirect_uri", "scope", "state", "nonce", "prompt", "max_age", "claims",
    "ui_locales", "response_mode", "id_token_hint", "login_hint", "acr_values", "display", "request",
    "request_uri", "code_challenge", "code_challenge_method", "grant_type", "code", "code_verifier",
    "refresh_token", "client_secret", "client_assertion", "client_assertion_type", "token", "token_type_hint",
    "access_token", "post_logout_redirect_uri", "logout_hint", "confirm", "csrf_token", "lang", "iss", "error",
    "error_description", "interaction", "restart", "identifier", "password", "email", "decision",
]
JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


def _basic(client: tuple[str, str | None]) -> str:
    return "Basic " + base64.b64encode(f"{client[0]}:{client[1]}".encode()).decode()


def _browser(draw, site, tenant):
    return site.logged_in(tenant) if draw(st.booleans()) else site.anonymous()


def authorize(draw, site, tenant, method, rule):
    browser = _browser(draw, site, tenant)
    kind = draw(st.sampled_from(("basic", "public", "consent")))
    base = {"response_type": "code", "client_id": site.clients[tenant, kind][0], "redirect_uri": REDIRECT,
            "scope": "openid profile email", "state": "st4te", "nonce": "n0nce",
            "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", "code_challenge_method": "S256"}
    optional = {"claims": claims_request(), "max_age": "3600", "prompt": "login", "ui_locales": "fr en",
                "response_mode": "form_post", "login_hint": "jean.dupont", "acr_values": "eidas1",
                "id_token_hint": site.tokens(tenant)["id_token"]}
    base.update({k: v for k, v in optional.items() if draw(st.booleans())})
    pairs = mutated(draw, base, OAUTH_NAMES)
    path = fill(rule, {"tenant": tenant})
    if method == "POST":
        return Request(browser, method, path, form=pairs)
    return Request(browser, method, path, query=pairs)


def resume(draw, site, tenant, method, rule):
    browser = _browser(draw, site, tenant)
    handle = site.interaction(browser, tenant, draw(st.sampled_from(("basic", "consent"))))
    return Request(browser, method, fill(rule, {"tenant": tenant, "handle": handle}),
                   query=mutated(draw, {}, OAUTH_NAMES))


def token(draw, site, tenant, method, rule):
    grant = draw(st.sampled_from(("authorization_code", "refresh_token", "client_credentials", "other")))
    auth = draw(st.sampled_from(("basic", "post", "public", "jwt", "malformed")))
    tokens = site.tokens(tenant)
    base = {"grant_type": grant if grant != "other" else draw(values())}
    if grant == "authorization_code":
        base.update(code=draw(st.sampled_from(("x", tokens["refresh_token"][:20]))), redirect_uri=REDIRECT,
                    code_verifier="v" * 43)
    elif grant == "refresh_token":
        base.update(refresh_token=tokens["refresh_token"], scope="openid")
    headers = {}
    kind = {"malformed": "basic"}.get(auth, auth)
    client = site.clients[tenant, kind]
    if auth == "basic":
        headers["Authorization"] = _basic(client)
    elif auth == "malformed":
        header = draw(basic_header(_basic(client)))
        if header is not None:
            headers["Authorization"] = header
    elif auth == "jwt":
        claims = draw(st.dictionaries(st.sampled_from(("iss", "sub", "aud", "exp", "iat", "jti", "nbf")),
                                      st.one_of(values(), st.integers(-(2 ** 40), 2 ** 40)), max_size=2))
        base.update(client_assertion=site.client_assertion(tenant, claims), client_assertion_type=JWT_BEARER)
    else:
        base["client_id"] = client[0]
        if auth == "post":
            base["client_secret"] = client[1]
    return Request(site.anonymous(), method, fill(rule, {"tenant": tenant}), form=mutated(draw, base, OAUTH_NAMES),
                   headers=headers)


def token_management(draw, site, tenant, method, rule):
    """Introspection and revocation: a confidential client about a token."""
    tokens = site.tokens(tenant)
    client = site.clients[tenant, draw(st.sampled_from(("basic", "post")))]
    base = {"token": draw(st.sampled_from((tokens["access_token"], tokens["refresh_token"], "x"))),
            "token_type_hint": draw(st.sampled_from(("access_token", "refresh_token", "other")))}
    headers = {}
    header = draw(basic_header(_basic(client)))
    if header is not None:
        headers["Authorization"] = header
    return Request(site.anonymous(), method, fill(rule, {"tenant": tenant}), form=mutated(draw, base, OAUTH_NAMES),
                   headers=headers)


def userinfo(draw, site, tenant, method, rule):
    access = site.tokens(tenant)["access_token"]
    headers = {}
    bearer = draw(st.one_of(st.none(), st.just(access), header_text()))
    if bearer is not None:
        headers["Authorization"] = f"Bearer {bearer}"
    form = mutated(draw, {"access_token": access}, OAUTH_NAMES) if method == "POST" else None
    return Request(site.anonymous(), method, fill(rule, {"tenant": tenant}), form=form, headers=headers,
                   query=mutated(draw, {}, OAUTH_NAMES))


def logout(draw, site, tenant, method, rule):
    browser = site.logged_in(tenant, fresh=draw(st.booleans()))
    base = {"id_token_hint": site.tokens(tenant)["id_token"], "post_logout_redirect_uri": "https://rp.example/bye",
            "client_id": site.clients[tenant, "basic"][0], "state": "st4te", "ui_locales": "fr"}
    base = {k: v for k, v in base.items() if draw(st.booleans())}
    path = fill(rule, {"tenant": tenant})
    if method == "POST":
        base.update(confirm="yes", csrf_token=site.csrf(browser, tenant))
        return Request(browser, method, path, form=mutated(draw, base, OAUTH_NAMES))
    return Request(browser, method, path, query=mutated(draw, base, OAUTH_NAMES))


def franceconnect_callback(draw, site, tenant, method, rule):
    browser = site.anonymous()
    base = {"code": "c0de", "state": site.franceconnect_state(browser, tenant), "iss": "x"}
    return Request(browser, method, fill(rule, {"tenant": tenant}), query=mutated(draw, base, OAUTH_NAMES))


LOGGED_IN = ("selfservice.", "passkeys.manage", "passkeys.add", "passkeys.re", "accounts.consent", "accounts.add_email", "oidc.resume")
DESTRUCTIVE = ("selfservice.delete_account", "selfservice.change_password", "selfservice.end_session")


COOKIES = ["idp_session", "idp_interaction", "idp_lang", "idp_signup", "idp_remember", "session"]


def _browser_extras(draw, logged: bool) -> tuple[dict, dict]:
    """Malformed cookies (on an anonymous browser) and Accept-Language."""
    cookies = {} if logged else draw(st.dictionaries(st.sampled_from(COOKIES), header_text(), max_size=2))
    language = draw(st.one_of(st.none(), header_text(), st.just("fr-FR,fr;q=NaN,en;q=1e309")))
    return cookies, ({"Accept-Language": language} if language is not None else {})


def page(draw, site, tenant, method, rule, endpoint):
    """Any other endpoint: path variables from :data:`PATH_VALUES`; on POST, the fields the
    page's form shows, with a valid CSRF token, mutated."""
    logged = endpoint.startswith(LOGGED_IN) or draw(st.booleans())
    browser = site.logged_in(tenant, fresh=endpoint in DESTRUCTIVE) if logged else site.anonymous()
    kind = "consent" if endpoint == "accounts.consent" else "basic"
    path_values = {name: draw(PATH_VALUES[name](site, tenant, browser, kind)) for name in sorted(variables(rule))}
    path = fill(rule, path_values)
    cookies, headers = _browser_extras(draw, logged)
    if method != "POST":
        return Request(browser, method, path, query=mutated(draw, {}, OAUTH_NAMES), cookies=cookies, headers=headers)
    shown = site.fields(browser, _form_page(endpoint, path, tenant, path_values), key=(endpoint, tenant))
    base = {name: draw(st.sampled_from(("on", "allow", "yes", "jean.dupont", "Allocation2024", ""))) for name in shown}
    base["csrf_token"] = site.csrf(browser, tenant)
    body = draw(st.sampled_from(("form", "form", "form", "bytes", "multipart")))
    if body == "bytes":
        return Request(browser, method, path, form=b"csrf_token=" + base["csrf_token"].encode() + b"&a=%FF%FE\xff\x00",
                       content_type="application/x-www-form-urlencoded")
    pairs = mutated(draw, base, OAUTH_NAMES + shown)
    if body == "multipart":
        import io

        data = {name: value for name, value in pairs}
        data["document"] = (io.BytesIO(draw(st.sampled_from((b"%PDF-1.4 x", b"\x89PNG\r\n\x1a\n", b"")))),
                            draw(values()) or "f")
        return Request(browser, method, path, form=data, content_type="multipart/form-data")
    return Request(browser, method, path, form=pairs, cookies=cookies, headers=headers)


def _form_page(endpoint: str, path: str, tenant: str, path_values: dict) -> str:
    if endpoint.startswith("selfservice."):
        return f"/{tenant}/account"
    if endpoint.startswith("passkeys."):
        return f"/{tenant}/account/passkeys"
    if endpoint in ("mfa.remove", "mfa.recovery_codes"):   # POST-only: their forms are on /account/mfa
        return f"/{tenant}/account/mfa"
    return path if "handle" not in path_values else f"/{tenant}/interaction/{path_values['handle']}" + (
        "/consent" if endpoint == "accounts.consent" else "")


def _handle(site, tenant, browser, kind):
    return st.one_of(st.builds(lambda: site.interaction(browser, tenant, kind)), values())


def _client_id(site, tenant, browser, kind):
    return st.one_of(st.just(site.clients[tenant, "consent"][0]), values())


def _step_name(site, tenant, browser, kind):
    config = site.app.extensions["idp_tenants"][tenant].config.signup
    steps = [step.name for step in config.steps] if config else ["x"]
    return st.one_of(st.sampled_from(steps), values())


PATH_VALUES = {
    "tenant": lambda site, tenant, browser, kind: st.just(tenant),
    "handle": _handle,
    "name": _step_name,
    "client_id": _client_id,
    "verification_id": lambda *_: values(),
    "token": lambda *_: values(),
    "number": lambda *_: st.integers(0, 10 ** 12),
    "message_id": lambda *_: values(),
    "passkey_id": lambda *_: st.one_of(st.integers(0, 10 ** 12), values()),
    "filename": lambda *_: st.one_of(st.just("idp.css"), values()),
    "factor_id": lambda *_: values(),
    "user_id": lambda *_: values(),   # the admin API's account ids (idp/admin/api.py)
}

RECIPES = {
    "oidc.authorize": authorize, "oidc.resume": resume, "oidc.token": token,
    "oidc.introspect": token_management, "oidc.revoke": token_management, "oidc.userinfo": userinfo,
    "oidc.logout": logout, "franceconnect.callback": franceconnect_callback,
}


def request_for(draw, site, tenant, method, rule, endpoint) -> Request:
    recipe = RECIPES.get(endpoint)
    if recipe is not None:
        return recipe(draw, site, tenant, method, rule)
    return page(draw, site, tenant, method, rule, endpoint)

