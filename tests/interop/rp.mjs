// An independent relying party: panva's certified openid-client drives the provider the way
// a relying service would, and logs in through the HTML pages like a browser without
// JavaScript (cookie jar, hidden CSRF field, manual redirects).
//
//   node rp.mjs '<json>'   with {"issuer", "client_id", "client_secret"?, "redirect_uri",
//                                 "post_logout_redirect_uri", "identifier", "password", "label"}
// Prints one line per step and a final "N passed, M failed"; exits 1 on any failure.
import * as client from "openid-client";

const input = JSON.parse(process.argv[2]);
const results = [];
const jar = new Map(); // name -> {value, path}

function log(ok, step, detail = "") {
  results.push(ok);
  console.log(`${ok ? "ok  " : "FAIL"} [${input.label}] ${step}${detail ? " – " + detail : ""}`);
}

async function step(name, fn) {
  try {
    const detail = await fn();
    log(true, name, detail || "");
    return true;
  } catch (error) {
    log(false, name, error && (error.stack || error.message || String(error)));
    return false;
  }
}

function cookieHeader(url) {
  const path = new URL(url).pathname;
  return [...jar.entries()].filter(([, c]) => path.startsWith(c.path)).map(([n, c]) => `${n}=${c.value}`).join("; ");
}

function storeCookies(response) {
  for (const raw of response.headers.getSetCookie()) {
    const [pair, ...attributes] = raw.split(";").map((s) => s.trim());
    const [name, ...value] = pair.split("=");
    const pathAttr = attributes.find((a) => a.toLowerCase().startsWith("path="));
    const expired = attributes.some((a) => /^max-age=0$/i.test(a) || /expires=thu, 01 jan 1970/i.test(a));
    if (expired) jar.delete(name);
    else jar.set(name, { value: value.join("="), path: pathAttr ? pathAttr.slice(5) : "/" });
  }
}

async function browse(url, options = {}) {
  const response = await fetch(url, { ...options, redirect: "manual",
    headers: { ...(options.headers || {}), cookie: cookieHeader(url) } });
  storeCookies(response);
  return response;
}

function hiddenFields(html, actionPart) {
  const forms = [...html.matchAll(/<form method="post" action="([^"]+)"([\s\S]*?)<\/form>/g)];
  const form = forms.find((f) => f[1].includes(actionPart));
  if (!form) throw new Error(`no form posting to ${actionPart}`);
  const fields = {};
  for (const m of form[2].matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)) fields[m[1]] = m[2];
  return { action: form[1].replaceAll("&amp;", "&"), fields };
}

// Follows the provider's redirects (login, consent, resume) until it points at the client.
async function login(authorizationUrl) {
  let url = authorizationUrl.href;
  for (let hops = 0; hops < 10; hops++) {
    if (url.startsWith(input.redirect_uri)) return url;
    const response = await browse(url);
    if (response.status >= 300 && response.status < 400) {
      url = new URL(response.headers.get("location"), url).href;
      continue;
    }
    const html = await response.text();
    if (response.status !== 200) throw new Error(`HTTP ${response.status} at ${url}: ${html.slice(0, 200)}`);
    let posted;
    if (url.endsWith("/consent")) {
      const { action, fields } = hiddenFields(html, "/consent");
      posted = await browse(new URL(action, url).href, { method: "POST",
        body: new URLSearchParams({ ...fields, decision: "allow" }) });
    } else {
      const { action, fields } = hiddenFields(html, "/interaction/");
      posted = await browse(new URL(action, url).href, { method: "POST",
        body: new URLSearchParams({ ...fields, identifier: input.identifier, password: input.password }) });
    }
    if (posted.status < 300 || posted.status >= 400) throw new Error(`form refused: HTTP ${posted.status}`);
    url = new URL(posted.headers.get("location"), url).href;
  }
  throw new Error("too many redirects");
}

const confidential = Boolean(input.client_secret);
const auth = confidential ? client.ClientSecretBasic(input.client_secret) : client.None();
let config, tokens, refreshed;

await step("discovery", async () => {
  config = await client.discovery(new URL(input.issuer), input.client_id, undefined, auth,
    { execute: [client.allowInsecureRequests] });
  const meta = config.serverMetadata();
  if (meta.issuer !== input.issuer) throw new Error(`issuer ${meta.issuer}`);
  return `issuer ${meta.issuer}`;
});

if (config) {
  await step("code flow with PKCE and nonce, ID token validated by openid-client", async () => {
    const verifier = client.randomPKCECodeVerifier();
    const nonce = client.randomNonce();
    const state = client.randomState();
    const authorizationUrl = client.buildAuthorizationUrl(config, {
      redirect_uri: input.redirect_uri, scope: "openid profile email offline_access", state, nonce,
      code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: "S256",
    });
    const callback = await login(authorizationUrl);
    tokens = await client.authorizationCodeGrant(config, new URL(callback),
      { pkceCodeVerifier: verifier, expectedNonce: nonce, expectedState: state, idTokenExpected: true });
    const claims = tokens.claims();
    if (!claims.sid || !claims.auth_time) throw new Error("sid or auth_time missing");
    return `sub ${claims.sub}`;
  });
}

if (tokens) {
  await step("userinfo", async () => {
    const info = await client.fetchUserInfo(config, tokens.access_token, tokens.claims().sub);
    if (!info.email) throw new Error("no email claim");
    return info.email;
  });
  await step("refresh (rotation)", async () => {
    refreshed = await client.refreshTokenGrant(config, tokens.refresh_token);
    if (refreshed.refresh_token === tokens.refresh_token) throw new Error("refresh token not rotated");
  });
  if (confidential) {
    await step("introspection", async () => {
      const result = await client.tokenIntrospection(config, refreshed.access_token);
      if (!result.active || result.client_id !== input.client_id) throw new Error(JSON.stringify(result));
    });
    await step("revocation then introspection says inactive", async () => {
      await client.tokenRevocation(config, refreshed.access_token);
      const result = await client.tokenIntrospection(config, refreshed.access_token);
      if (result.active) throw new Error("still active after revocation");
    });
  }
  await step("RP-initiated logout, state returned", async () => {
    const state = client.randomState();
    const endUrl = client.buildEndSessionUrl(config, { id_token_hint: tokens.id_token,
      post_logout_redirect_uri: input.post_logout_redirect_uri, state });
    const response = await browse(endUrl.href);
    const location = response.headers.get("location");
    if (location !== `${input.post_logout_redirect_uri}?state=${state}`) throw new Error(`redirected to ${location}`);
  });
}

const failed = results.filter((ok) => !ok).length;
console.log(`${results.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
