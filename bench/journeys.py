"""Load generator for the browser journeys (scenarios 3 and 4), and the refresh-token primer.

Runs as its own process (asyncio + aiohttp), started by ``bench/run.py``:

- ``login``: the whole authorization-code journey of a returning user with a fresh cookie
  jar each time: authorize → login page → POST identifier + password (Argon2id) → code
  (the login POST answers with the redirect to the client) → token (client_secret_basic, PKCE S256) → userinfo.
- ``sso``: the same journey for a user with a live SSO session: each virtual user logs in
  once before the measured window and keeps its cookie jar; then authorize (no prompt, no
  password) → code → token → userinfo.
- ``prime``: log in once, then run ``--count`` prompt-less code exchanges with
  ``offline_access`` and print the refresh tokens, one per line (for scenario 2).

Prints ``GO`` on stdout when the measured window starts, and writes a JSON report (journeys,
percentiles, errors by step, the generator's own CPU time) to ``--out``.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import json
import random
import re
import secrets
import sys
import time
from http.cookies import SimpleCookie
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

import aiohttp

CSRF = re.compile(r'name="csrf_token"\s+value="([^"]+)"')
# A redirect after a GET is 302; after a POST (the login form) the provider answers 303, so that
# the browser does not send the form again (RFC 9700 §4.12): a browser follows either.
REDIRECT = (302, 303)


class JourneyError(Exception):
    def __init__(self, step: str, detail: str):
        super().__init__(f"{step}: {detail}")
        self.step = step


class Browser:
    """A cookie jar (all our cookies are scoped to the tenant path or /) over a shared pool."""

    def __init__(self, http: aiohttp.ClientSession):
        self.http = http
        self.cookies: dict[str, str] = {}

    def _header(self) -> dict:
        if not self.cookies:
            return {}
        return {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}

    def _keep(self, resp: aiohttp.ClientResponse) -> None:
        for raw in resp.headers.getall("Set-Cookie", []):
            jar = SimpleCookie()
            jar.load(raw)
            for name, morsel in jar.items():
                if morsel["max-age"] == "0" or morsel.value == "":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value

    async def get(self, url: str, step: str, expect: tuple[int, ...]):
        async with self.http.get(url, headers=self._header(), allow_redirects=False) as resp:
            return await self._answer(resp, step, expect)

    async def post(self, url: str, data: dict, step: str, expect: tuple[int, ...]):
        async with self.http.post(url, data=data, headers=self._header(), allow_redirects=False) as resp:
            return await self._answer(resp, step, expect)

    async def _answer(self, resp: aiohttp.ClientResponse, step: str, expect: tuple[int, ...]):
        body = await resp.text()
        self._keep(resp)
        if resp.status not in expect:
            raise JourneyError(step, f"HTTP {resp.status} {body[:200]!r}")
        location = resp.headers.get("Location")
        if resp.status in REDIRECT and not location:
            raise JourneyError(step, f"HTTP {resp.status} without a Location")
        return location, body


class Journeys:
    def __init__(self, args, http: aiohttp.ClientSession):
        self.args = args
        self.http = http
        self.issuer = args.issuer.rstrip("/")
        self.basic = "Basic " + base64.b64encode(f"{args.client_id}:{args.client_secret}".encode()).decode()
        self.accounts = json.load(open(args.accounts)) if args.accounts else [[args.identifier, args.password]]
        self.step_time: dict[str, float] = {}
        self.step_count: dict[str, int] = {}

    def _timed(self, step: str, started: float) -> float:
        now = time.perf_counter()
        self.step_time[step] = self.step_time.get(step, 0.0) + (now - started)
        self.step_count[step] = self.step_count.get(step, 0) + 1
        return now

    async def authorize(self, browser: Browser, scope: str) -> tuple[str | None, str, str]:
        """GET /authorize; returns (interaction URL or None, code or "", verifier)."""
        verifier = secrets.token_urlsafe(48)
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        state = secrets.token_urlsafe(12)
        query = urlencode({
            "response_type": "code", "client_id": self.args.client_id, "redirect_uri": self.args.redirect_uri,
            "scope": scope, "state": state, "nonce": secrets.token_urlsafe(12),
            "code_challenge": challenge, "code_challenge_method": "S256",
        })
        location, _ = await browser.get(f"{self.issuer}/authorize?{query}", "authorize", REDIRECT)
        return location, state, verifier

    def _code_from(self, location: str, state: str) -> str:
        if not location or not location.startswith(self.args.redirect_uri):
            raise JourneyError("redirect", f"unexpected redirect {location!r}")
        params = parse_qs(urlsplit(location).query)
        if params.get("state") != [state] or "code" not in params:
            raise JourneyError("redirect", f"no code in {location!r}")
        return params["code"][0]

    async def login(self, browser: Browser, scope: str):
        """authorize → login page → password → code. Returns (code, verifier)."""
        t = time.perf_counter()
        location, state, verifier = await self.authorize(browser, scope)
        t = self._timed("authorize", t)
        page = urljoin(self.issuer + "/", location)
        if "/interaction/" not in page:
            raise JourneyError("authorize", f"expected the login page, got {location!r}")
        _, html = await browser.get(page, "login_page", (200,))
        t = self._timed("login_page", t)
        match = CSRF.search(html)
        if not match:
            raise JourneyError("login_page", "no csrf_token in the login form")
        identifier, password = random.choice(self.accounts)
        location, _ = await browser.post(page, {"csrf_token": match.group(1), "identifier": identifier,
                                                "password": password}, "login_post", REDIRECT)
        t = self._timed("login_post", t)
        if "/resume" in location:   # providers before 2026-11-30 resumed in a separate request
            location, _ = await browser.get(urljoin(page, location), "resume", REDIRECT)
            self._timed("resume", t)
        return self._code_from(location, state), verifier

    async def sso_code(self, browser: Browser, scope: str):
        t = time.perf_counter()
        location, state, verifier = await self.authorize(browser, scope)
        self._timed("authorize", t)
        return self._code_from(location, state), verifier

    async def token(self, code: str, verifier: str) -> dict:
        t = time.perf_counter()
        data = {"grant_type": "authorization_code", "code": code, "redirect_uri": self.args.redirect_uri,
                "code_verifier": verifier}
        async with self.http.post(f"{self.issuer}/token", data=data, headers={"Authorization": self.basic}) as resp:
            body = await resp.text()
            if resp.status != 200:
                raise JourneyError("token", f"HTTP {resp.status} {body[:200]!r}")
        self._timed("token", t)
        return json.loads(body)

    async def userinfo(self, access_token: str) -> dict:
        t = time.perf_counter()
        async with self.http.get(f"{self.issuer}/userinfo", headers={"Authorization": f"Bearer {access_token}"}) as resp:
            body = await resp.text()
            if resp.status != 200:
                raise JourneyError("userinfo", f"HTTP {resp.status} {body[:200]!r}")
        self._timed("userinfo", t)
        return json.loads(body)


async def run_load(args) -> dict:
    connector = aiohttp.TCPConnector(limit=0, force_close=False)
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout,
                                     cookie_jar=aiohttp.DummyCookieJar()) as http:
        j = Journeys(args, http)
        scope = "openid profile email"
        browsers: list[Browser] = []
        if args.mode == "sso":  # each virtual user logs in once, outside the measured window
            for _ in range(args.concurrency):
                b = Browser(http)
                await j.login(b, scope)
                browsers.append(b)
        if args.mode == "prime":
            b = Browser(http)
            await j.login(b, scope)
            tokens = []
            for _ in range(args.count):
                code, verifier = await j.sso_code(b, scope + " offline_access")
                tokens.append((await j.token(code, verifier))["refresh_token"])
            return {"tokens": tokens}
        j.step_time.clear()
        j.step_count.clear()

        latencies: list[float] = []
        errors: dict[str, int] = {}
        samples: list[str] = []
        cpu0, wall0 = time.process_time(), time.perf_counter()
        deadline = wall0 + args.duration
        budget = [args.max_journeys]
        print("GO", flush=True)

        async def user(n: int):
            while time.perf_counter() < deadline and budget[0] > 0:
                budget[0] -= 1
                started = time.perf_counter()
                try:
                    if args.mode == "login":
                        code, verifier = await j.login(Browser(http), scope)
                    else:
                        code, verifier = await j.sso_code(browsers[n], scope)
                    tokens = await j.token(code, verifier)
                    await j.userinfo(tokens["access_token"])
                except JourneyError as exc:
                    errors[exc.step] = errors.get(exc.step, 0) + 1
                    if len(samples) < 5:
                        samples.append(str(exc))
                    await asyncio.sleep(0.05)
                    continue
                except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
                    errors["connection"] = errors.get("connection", 0) + 1
                    if len(samples) < 5:
                        samples.append(repr(exc))
                    await asyncio.sleep(0.05)
                    continue
                latencies.append(time.perf_counter() - started)

        await asyncio.gather(*(user(n) for n in range(args.concurrency)))
        wall = time.perf_counter() - wall0
        cpu = time.process_time() - cpu0
    latencies.sort()

    def pct(p):
        return latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))] * 1000 if latencies else None

    return {
        "mode": args.mode, "concurrency": args.concurrency, "journeys": len(latencies),
        "duration_s": wall, "journeys_per_s": len(latencies) / wall,
        "latency_ms": {"p50": pct(50), "p90": pct(90), "p99": pct(99),
                       "max": latencies[-1] * 1000 if latencies else None},
        "errors": errors, "error_samples": samples,
        "step_mean_ms": {k: 1000 * v / j.step_count[k] for k, v in j.step_time.items()},
        "loadgen_cpu_s": cpu, "loadgen_cpu_pct": 100 * cpu / wall,
    }


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--mode", choices=("login", "sso", "prime"), required=True)
    p.add_argument("--issuer", required=True)
    p.add_argument("--client-id", required=True)
    p.add_argument("--client-secret", required=True)
    p.add_argument("--redirect-uri", default="http://127.0.0.1:9/cb")
    p.add_argument("--accounts", help="JSON file: [[identifier, password], ...]")
    p.add_argument("--identifier", default="1 84 03 12 345 678")
    p.add_argument("--password", default="Allocation2024")
    p.add_argument("--duration", type=float, default=10.0)
    p.add_argument("--max-journeys", type=int, default=1_000_000)
    p.add_argument("--concurrency", type=int, default=4)
    p.add_argument("--count", type=int, default=16, help="prime: refresh tokens to make")
    p.add_argument("--out", help="write the JSON report here (default: stdout)")
    args = p.parse_args(argv)
    result = asyncio.run(run_load(args))
    if args.mode == "prime":
        text = "\n".join(result["tokens"]) + "\n"
    else:
        text = json.dumps(result, indent=2)
    if args.out:
        with open(args.out, "w") as fh:
            fh.write(text)
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
