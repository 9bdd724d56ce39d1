// An independent relying party: panva's certified openid-client drives the provider the way
// a relying service would, and logs in through the HTML pages like a browser without
// JavaScript (own cookie jar honouring cookie paths, hidden CSRF field, manual redirects).
//
//   node rp.mjs '<json>'   with {"issuer", "client_id", "client_secret"? (absent: public client),
//                                 "redirect_uri", "post_logout_redirect_uri", "identifier",
//                                 "password", "expect_consent"?, "label"?, "totp_secret"?,
//                                 "private_jwk"? (present: a FAPI 2.0 client: private_key_jwt
//                                 with it, PAR, DPoP-bound tokens, ES256 ID tokens)}
// With totp_secret (a TOTP enrolled for the account), the session then steps up to eidas2
// with the second factor only (acr_values=eidas2), and the ID token's acr/amr are checked.
// Prints one line per step and a final "N passed, M failed"; exits 1 on any failure.
import { createHmac } from "node:crypto";
import * as client from "openid-client";

const input = JSON.parse(process.argv[2]);
const label = input.label || input.issuer;
const results = [];
const jar = new Map(); // `${path} ${name}` -> {name, value, path}
const HTTP_TIMEOUT_MS = 10_000;

function log(ok, step, detail = "") {
  results.push(ok);
  console.log(`${ok ? "ok  " : "FAIL"} [${label}] ${step}${detail ? " - " + detail : ""}`);
}

async function step(name, fn) {
  try {
    log(true, name, (await fn()) || "");
    return true;
  } catch (error) {
    // openid-client errors carry a code and the offending response or claims as cause
    const code = error?.code ? ` [${error.code}]` : "";
    const cause = error?.cause !== undefined ? `\n    cause: ${JSON.stringify(error.cause)}` : "";
    const frames = (error?.stack || "").split("\n").filter((l) => l.trim().startsWith("at ")).slice(0, 3).join("\n");
    log(false, name, `${error?.name || "Error"}${code}: ${error?.message ?? error}${cause}${frames ? "\n" + frames : ""}`);
    return false;
  }
}

// RFC 6238 TOTP (SHA-1, 30 s, 6 digits), as an authenticator app computes it
function base32(text) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const c of text.replace(/=+$/, "")) bits += alphabet.indexOf(c).toString(2).padStart(5, "0");
  const bytes = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}

function totp(secret, now = Date.now()) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(now / 30_000)));
  const mac = createHmac("sha1", base32(secret)).update(counter).digest();
  const o = mac[mac.length - 1] & 15;
  const value = (((mac[o] & 127) << 24) | (mac[o + 1] << 16) | (mac[o + 2] << 8) | mac[o + 3]) % 1_000_000;
  return String(value).padStart(6, "0");
}

// --- a browser without JavaScript ---------------------------------------------------------

function pathMatches(requestPath, cookiePath) {
  // RFC 6265 §5.1.4
  return requestPath === cookiePath || (requestPath.startsWith(cookiePath)
    && (cookiePath.endsWith("/") || requestPath[cookiePath.length] === "/"));
}

function cookieHeader(url) {
  const path = new URL(url).pathname;
  return [...jar.values()].filter((c) => pathMatches(path, c.path)).map((c) => `${c.name}=${c.value}`).join("; ");
}

function storeCookies(response, url) {
  for (const raw of response.headers.getSetCookie()) {
    const [pair, ...attributes] = raw.split(";").map((s) => s.trim());
    const eq = pair.indexOf("=");
    const name = pair.slice(0, eq), value = pair.slice(eq + 1);
    const pathAttr = attributes.find((a) => /^path=/i.test(a));
    // default-path (RFC 6265 §5.1.4): the request path up to its last slash
    const requestPath = new URL(url).pathname;
    const path = pathAttr ? pathAttr.slice(5) : requestPath.slice(0, Math.max(1, requestPath.lastIndexOf("/")));
    const expired = attributes.some((a) => /^max-age=(0|-\d+)$/i.test(a))
      || attributes.some((a) => /^expires=/i.test(a) && Date.parse(a.slice(8)) <= Date.now());
    if (expired) jar.delete(`${path} ${name}`);
    else jar.set(`${path} ${name}`, { name, value, path });
  }
}

async function browse(url, options = {}) {
  const response = await fetch(url, { ...options, redirect: "manual", signal: AbortSignal.timeout(HTTP_TIMEOUT_MS),
    headers: { ...(options.headers || {}), cookie: cookieHeader(url), accept: "text/html" } });
  storeCookies(response, url);
  return response;
}

function unescapeHtml(text) {
  return text.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos|#39);/gi, (_, e) => {
    const named = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" }[e.toLowerCase()];
    if (named) return named;
    return String.fromCodePoint(e[1].toLowerCase() === "x" ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
  });
}

function attributes(tag) {
  const attrs = {};
  for (const m of tag.matchAll(/([a-zA-Z_:][-\w:.]*)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?/g)) {
    attrs[m[1].toLowerCase()] = unescapeHtml(m[2] ?? m[3] ?? m[4] ?? "");
  }
  return attrs;
}

// The POST forms of a page: [{action, fields (hidden inputs), buttons: [{name, value}]}]
function postForms(html, pageUrl) {
  const forms = [];
  for (const m of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)) {
    const attrs = attributes(m[1]);
    if ((attrs.method || "get").toLowerCase() !== "post") continue;
    const fields = {}, buttons = [];
    for (const input of m[2].matchAll(/<input\b([^>]*)>/gi)) {
      const a = attributes(input[1]);
      if ((a.type || "").toLowerCase() === "hidden" && a.name) fields[a.name] = a.value ?? "";
    }
    for (const button of m[2].matchAll(/<button\b([^>]*)>/gi)) {
      const a = attributes(button[1]);
      if (a.name) buttons.push({ name: a.name, value: a.value ?? "" });
    }
    forms.push({ action: new URL(attrs.action || pageUrl, pageUrl).href, fields, buttons });
  }
  return forms;
}

// A readable excerpt of an HTML page for failure messages: its title and any alert.
function excerpt(html) {
  const text = (re) => unescapeHtml((html.match(re)?.[1] || "").replace(/<[^>]+>/g, " ")).replace(/\s+/g, " ").trim();
  const title = text(/<title[^>]*>([\s\S]*?)<\/title>/i);
  const alert = text(/role="alert"[^>]*>([\s\S]*?)<\/(?:div|p)>/i) || text(/<main\b[^>]*>([\s\S]*?)<\/main>/i).slice(0, 300);
  return title || alert ? `"${title}" ${alert}` : html.replace(/\s+/g, " ").slice(0, 300);
}

async function submit(form, extra, expectRedirect = true) {
  const response = await browse(form.action, { method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ ...form.fields, ...extra }) });
  if (expectRedirect && !(response.status >= 300 && response.status < 400)) {
    throw new Error(`form ${form.action} answered HTTP ${response.status}: ${excerpt(await response.text())}`);
  }
  return response;
}

// Follows the provider's pages from the authorization URL until it redirects to the client;
// returns the callback URL and the pages met on the way.
async function signIn(authorizationUrl) {
  let url = authorizationUrl.href;
  const pages = [];
  for (let hops = 0; hops < 15; hops++) {
    if (url.startsWith(input.redirect_uri)) return { callback: url, pages };
    const response = await browse(url);
    if (response.status >= 300 && response.status < 400) {
      url = new URL(response.headers.get("location"), url).href;
      continue;
    }
    const html = await response.text();
    if (response.status !== 200) throw new Error(`HTTP ${response.status} at ${url}: ${excerpt(html)}`);
    const forms = postForms(html, url);
    const loginForm = /name=["']?password/i.test(html) && forms.find((f) => "csrf_token" in f.fields && !/franceconnect/i.test(f.action));
    const consentForm = forms.find((f) => f.buttons.some((b) => b.name === "decision" && b.value === "allow"));
    const factorForm = /autocomplete="one-time-code"/.test(html) && input.totp_secret
      && forms.find((f) => "csrf_token" in f.fields && new URL(f.action).pathname.endsWith("/mfa"));
    let posted;
    if (factorForm) {
      pages.push("second factor");
      posted = await submit(factorForm, { code: totp(input.totp_secret) });
    } else if (loginForm) {
      pages.push("login form");
      posted = await submit(loginForm, { identifier: input.identifier, password: input.password });
    } else if (consentForm) {
      if (!("csrf_token" in consentForm.fields)) throw new Error("consent form without csrf_token");
      pages.push("consent (allow)");
      posted = await submit(consentForm, { decision: "allow" });
    } else {
      throw new Error(`unexpected page at ${url}: ${excerpt(html)}`);
    }
    url = new URL(posted.headers.get("location"), url).href;
  }
  throw new Error("too many redirects");
}

// --- the relying party ----------------------------------------------------------------------

const fapi = Boolean(input.private_jwk);
const confidential = Boolean(input.client_secret) || fapi;
const auth = fapi
  ? client.PrivateKeyJwt({ kid: input.private_jwk.kid, key: await crypto.subtle.importKey("jwk", input.private_jwk,
    { name: "ECDSA", namedCurve: "P-256" }, false, ["sign"]) })
  : confidential ? client.ClientSecretBasic(input.client_secret) : client.None();
let config, tokens, refreshed, DPoP;

// a FAPI 2.0 client pushes its authorization requests (RFC 9126); the others send them
async function authorizationUrl(parameters) {
  // the DPoP proof at /par binds the code to the key (RFC 9449 §10): the token request proves it
  return fapi ? client.buildAuthorizationUrlWithPAR(config, parameters, { DPoP }) : client.buildAuthorizationUrl(config, parameters);
}

await step("discovery", async () => {
  config = await client.discovery(new URL(input.issuer), input.client_id,
    fapi ? { id_token_signed_response_alg: "ES256" } : undefined, auth, {
    timeout: HTTP_TIMEOUT_MS / 1000,
    // plain HTTP on loopback; ID token JWS signatures checked against the provider's jwks_uri
    execute: [client.allowInsecureRequests, client.enableNonRepudiationChecks],
  });
  const meta = config.serverMetadata();
  if (meta.issuer !== input.issuer) throw new Error(`issuer ${meta.issuer}, expected ${input.issuer}`);
  if (!meta.code_challenge_methods_supported?.includes("S256")) throw new Error("S256 PKCE not advertised");
  if (fapi) {
    if (!meta.pushed_authorization_request_endpoint || !meta.dpop_signing_alg_values_supported?.includes("ES256")) {
      throw new Error("PAR or DPoP not advertised");
    }
    DPoP = client.getDPoPHandle(config, await client.randomDPoPKeyPair("ES256"));
  }
  return `issuer ${meta.issuer}`;
});

if (config) {
  await step("code flow with PKCE S256 and nonce via the HTML pages; ID token (signature and claims) validated by openid-client", async () => {
    const verifier = client.randomPKCECodeVerifier();
    const nonce = client.randomNonce();
    const state = client.randomState();
    const url = await authorizationUrl({
      redirect_uri: input.redirect_uri, scope: "openid profile email offline_access", state, nonce,
      code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: "S256",
    });
    if (fapi && !url.searchParams.get("request_uri")) throw new Error(`not a pushed request: ${url}`);
    const { callback, pages } = await signIn(url);
    if (input.expect_consent !== undefined && pages.includes("consent (allow)") !== input.expect_consent) {
      throw new Error(`consent page ${input.expect_consent ? "expected" : "not expected"}; pages: ${pages.join(", ")}`);
    }
    tokens = await client.authorizationCodeGrant(config, new URL(callback),
      { pkceCodeVerifier: verifier, expectedNonce: nonce, expectedState: state, idTokenExpected: true },
      undefined, { DPoP });
    if (fapi && tokens.token_type?.toLowerCase() !== "dpop") throw new Error(`token_type ${tokens.token_type}`);
    const claims = tokens.claims();
    if (!claims.sid || !claims.auth_time) throw new Error("sid or auth_time missing from the ID token");
    if (!tokens.refresh_token) throw new Error("no refresh token for offline_access");
    return `pages: ${pages.join(", ")}; sub ${claims.sub}`;
  });
}

if (tokens && input.totp_secret) {
  await step("step up to eidas2 (acr_values) with the second factor only; acr and amr in the ID token", async () => {
    const verifier = client.randomPKCECodeVerifier();
    const nonce = client.randomNonce();
    const state = client.randomState();
    const authorizationUrl = client.buildAuthorizationUrl(config, {
      redirect_uri: input.redirect_uri, scope: "openid", state, nonce, acr_values: "eidas2",
      code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: "S256",
    });
    const { callback, pages } = await signIn(authorizationUrl);
    if (pages.join(", ") !== "second factor") throw new Error(`pages: ${pages.join(", ")}`);
    const stepped = await client.authorizationCodeGrant(config, new URL(callback),
      { pkceCodeVerifier: verifier, expectedNonce: nonce, expectedState: state, idTokenExpected: true });
    const claims = stepped.claims();
    if (tokens.claims().acr !== "eidas1") throw new Error(`first login acr ${tokens.claims().acr}`);
    if (claims.acr !== "eidas2") throw new Error(`acr ${claims.acr}`);
    for (const value of ["pwd", "otp", "mfa"]) {
      if (!claims.amr?.includes(value)) throw new Error(`amr ${JSON.stringify(claims.amr)} lacks ${value}`);
    }
    if (claims.sid !== tokens.claims().sid) throw new Error("the step up changed the session");
    return `acr ${claims.acr}, amr ${claims.amr.join(" ")}`;
  });
}

if (tokens) {
  await step("userinfo", async () => {
    const info = await client.fetchUserInfo(config, tokens.access_token, tokens.claims().sub, { DPoP });
    if (!info.email) throw new Error(`no email claim: ${JSON.stringify(info)}`);
    return info.email;
  });
  await step("refresh (rotation)", async () => {
    refreshed = await client.refreshTokenGrant(config, tokens.refresh_token, undefined, { DPoP });
    if (!refreshed.access_token) throw new Error("no access token");
    if (refreshed.refresh_token === tokens.refresh_token) throw new Error("refresh token not rotated");
    if (refreshed.id_token && refreshed.claims().sub !== tokens.claims().sub) throw new Error("sub changed");
  });
  if (confidential && refreshed) {
    await step("introspection", async () => {
      const result = await client.tokenIntrospection(config, refreshed.access_token);
      if (!result.active || result.client_id !== input.client_id) throw new Error(JSON.stringify(result));
      if (fapi && !result.cnf?.jkt) throw new Error(`DPoP-bound token without cnf: ${JSON.stringify(result)}`);
      return `active, sub ${result.sub}`;
    });
    await step("revocation, then introspection says inactive", async () => {
      await client.tokenRevocation(config, refreshed.access_token);
      const result = await client.tokenIntrospection(config, refreshed.access_token);
      if (result.active) throw new Error(`still active after revocation: ${JSON.stringify(result)}`);
    });
  }
  await step("RP-initiated logout with id_token_hint, state echoed", async () => {
    const state = client.randomState();
    const endUrl = client.buildEndSessionUrl(config, { id_token_hint: tokens.id_token,
      post_logout_redirect_uri: input.post_logout_redirect_uri, state });
    let response = await browse(endUrl.href);
    let confirmed = "";
    if (response.status === 200) {
      // a confirmation page is allowed by the spec; a user would press the button
      const form = postForms(await response.text(), endUrl.href).find((f) => f.buttons.some((b) => b.name === "confirm"));
      if (!form) throw new Error("HTTP 200 without a confirmation form");
      const button = form.buttons.find((b) => b.name === "confirm");
      response = await submit(form, { [button.name]: button.value });
      confirmed = " (after the confirmation page)";
    }
    const location = response.headers.get("location");
    if (!location) throw new Error(`HTTP ${response.status} without a redirect`);
    const target = new URL(location);
    if (`${target.origin}${target.pathname}` !== input.post_logout_redirect_uri) throw new Error(`redirected to ${location}`);
    if (target.searchParams.get("state") !== state) throw new Error(`state not echoed: ${location}`);
    return `redirected to the post_logout_redirect_uri${confirmed}`;
  });
  await step("session ended: prompt=none answers login_required", async () => {
    const state = client.randomState();
    const url = await authorizationUrl({ redirect_uri: input.redirect_uri, scope: "openid",
      state, prompt: "none", code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()),
      code_challenge_method: "S256" });
    const response = await browse(url.href);
    const location = response.headers.get("location") || "";
    if (!location.startsWith(input.redirect_uri)) throw new Error(`HTTP ${response.status}, location ${location}`);
    const params = new URL(location).searchParams;
    if (params.get("error") !== "login_required" || params.get("state") !== state) throw new Error(`redirected to ${location}`);
  });
}

const failed = results.filter((ok) => !ok).length;
console.log(`${results.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
