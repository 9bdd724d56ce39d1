"""``make bench``: the provider under load, side by side with node-oidc-provider and its limits.

Starts the provider as production runs it (``idp serve``: Granian, N workers; PostgreSQL and
Redis when their URLs are given, SQLite otherwise), drives it from separate load-generating
processes on loopback (wrk for scenarios 1, 2, 5; ``bench/journeys.py`` for the browser
journeys 3, 4), measures node-oidc-provider on scenarios 1, 2, 5 in the same run, measures the
unavoidable work (Argon2id, ES256, RS256), then prints one table and writes a JSON file under
``bench/results/``. See bench/README.md.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import platform
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
PY = sys.executable
IDP = [str(Path(PY).parent / "idp")]  # the console script of the venv running the bench
REDIRECT_URI = "http://127.0.0.1:9/cb"
KEYCLOAK = {  # Keycloak's published sizing, per vCPU (Keycloak docs, "Concepts for sizing CPU and memory")
    "client_credentials": 120, "refresh": 120, "login": 15,
}
SCENARIOS = {
    "client_credentials": "1 client_credentials (basic)",
    "refresh": "2 refresh_token (rotation)",
    "login": "3 journey, password login",
    "sso": "4 journey, live SSO session",
    "discovery": "5 discovery + JWKS",
}
TICK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


class ScenarioFailed(RuntimeError):
    """A scenario whose operations did not answer as a client expects: its figure would
    measure errors, so the run stops with the error instead of printing a number."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, timeout: float = 60.0, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode} before answering {url}")
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"no answer from {url} after {timeout}s")


# -- process accounting through /proc ---------------------------------------------------------

def children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as fh:
            return [int(x) for x in fh.read().split()]
    except OSError:
        out = []
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open(f"/proc/{entry}/stat") as fh:
                        if int(fh.read().rsplit(")", 1)[1].split()[1]) == pid:
                            out.append(int(entry))
                except (OSError, IndexError, ValueError):
                    pass
        return out


def cpu_seconds(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICK
    except (OSError, IndexError):
        return 0.0


def rss_bytes(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as fh:
            return int(fh.read().split()[1]) * PAGE
    except (OSError, IndexError):
        return 0


class Watch:
    """Samples the server's workers while a scenario runs: peak RSS per worker, CPU used."""

    def __init__(self, master: int, workers_are_children: bool):
        self.master = master
        self.children = workers_are_children
        self.peak: dict[int, int] = {}
        self.first: dict[int, int] = {}   # RSS at the first and the last sample: is a worker growing?
        self.last: dict[int, int] = {}
        self._stop = threading.Event()

    def pids(self) -> list[int]:
        return children(self.master) if self.children else [self.master]

    def all_pids(self) -> list[int]:
        return [self.master, *children(self.master)]

    def __enter__(self):
        self.cpu0 = {p: cpu_seconds(p) for p in self.all_pids()}
        self.t0 = time.perf_counter()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()
        return self

    def _run(self):
        while not self._stop.is_set():
            for p in self.pids():
                rss = rss_bytes(p)
                self.peak[p] = max(self.peak.get(p, 0), rss)
                self.first.setdefault(p, rss)
                self.last[p] = rss
            self._stop.wait(0.1)

    def __exit__(self, *exc):
        self._stop.set()
        self.thread.join()
        self.wall = time.perf_counter() - self.t0
        pids = self.all_pids()
        self.cpu = sum(cpu_seconds(p) - self.cpu0.get(p, 0.0) for p in pids)

    @property
    def peak_rss_mib(self) -> float:
        return max(self.peak.values(), default=0) / 2**20

    @property
    def rss_growth_mib(self) -> float:
        """The largest growth of one worker's RSS from the first to the last sample."""
        return max((self.last[p] - self.first[p] for p in self.last), default=0) / 2**20


# -- CPU placement ----------------------------------------------------------------------------

def placement(workers: int) -> tuple[list[int] | None, list[int] | None]:
    """Server on the first ``workers`` cores, load generator on the others, when there are
    enough cores and taskset exists; otherwise everything shares (said in the report)."""
    cores = sorted(os.sched_getaffinity(0))
    if shutil.which("taskset") and len(cores) > workers:
        return cores[:workers], cores[workers:]
    return None, None


def pinned(cmd: list[str], cpus: list[int] | None) -> list[str]:
    if not cpus:
        return cmd
    return ["taskset", "-c", ",".join(map(str, cpus)), *cmd]


def run_child(cmd, env=None, cwd=None, stdout=None, stdin=None, timeout=None):
    """Run a load generator; return (returncode, rusage cpu seconds)."""
    proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=stdout, stderr=subprocess.PIPE, stdin=stdin)
    killer = threading.Timer(timeout, proc.kill) if timeout else None
    if killer:
        killer.start()
    _, status, usage = os.wait4(proc.pid, 0)
    if killer:
        killer.cancel()
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode(errors="replace")
    return proc.returncode, usage.ru_utime + usage.ru_stime, err


# -- the provider -----------------------------------------------------------------------------

class Provider:
    def __init__(self, args, workdir: Path):
        self.args = args
        self.workdir = workdir
        self.env = dict(os.environ)
        self.env.update(IDP_CONFIG=str(workdir / "config.toml"))
        self.proc = None

    def setup(self) -> dict:
        a, w = self.args, self.workdir
        if a.database_url:
            url = a.database_url
            if a.fresh_db and url.startswith("postgresql"):
                recreate_postgres(url)
        else:
            url = f"sqlite:///{w / 'idp.sqlite3'}"
            for suffix in ("", "-wal", "-shm"):
                Path(f"{w / 'idp.sqlite3'}{suffix}").unlink(missing_ok=True)
        # development, said explicitly: the bench serves the demo over loopback HTTP
        self.env.update(IDP_DATABASE_URL=url, IDP_REDIS_URL=a.redis_url or "", IDP_SERVER_ENVIRONMENT="development",
                        IDP_SERVER_OUTBOX_DIR=str(w / "outbox"), IDP_LOG_LEVEL="WARNING")
        self.database_url = url
        config = w / "config.toml"
        if url.startswith("postgresql"):
            # a kept database needs the secrets that sealed its keys and identifiers
            from sqlalchemy.engine import make_url

            config = Path(a.out) / f"config-{make_url(url).database}.toml"
            self.env["IDP_CONFIG"] = str(config)
        if a.fresh_db or not url.startswith("postgresql"):
            config.unlink(missing_ok=True)
        if not config.exists():
            subprocess.run([PY, "-m", "idp.config.bootstrap", "--development", str(ROOT / "config.example.toml"), str(config)],
                           check=True, cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL)
        self.port = free_port()
        self.env["IDP_SERVER_PUBLIC_URL"] = f"http://127.0.0.1:{self.port}"
        self.issuer = f"http://127.0.0.1:{self.port}/caf"
        demo = self._idp("init", "--demo", "--json")["demo"]["caf"]
        client = self._idp("clients", "create", "--tenant", "caf", "--name", "bench",
                           "--redirect-uri", REDIRECT_URI, "--grant-type", "client_credentials",
                           "--grant-type", "authorization_code", "--grant-type", "refresh_token",
                           "--first-party", "--scope", "openid profile email offline_access", "--json")
        self.client_id, self.client_secret = client["client_id"], client["client_secret"]
        self.accounts_file = w / "accounts.json"
        seeded = None
        if a.accounts > 0:
            out = subprocess.run([PY, str(BENCH / "seed_accounts.py"), "--count", str(a.accounts),
                                  "--accounts-out", str(self.accounts_file)],
                                 check=True, cwd=ROOT, env=self.env, capture_output=True, text=True)
            seeded = json.loads(out.stdout)
        else:
            self.accounts_file.write_text(json.dumps([[demo["identifier"], demo["password"]]]))
        return {"database": url.split("://")[0] + "://…" if "@" in url else url, "redis": a.redis_url or None,
                "seeded": seeded}

    def _idp(self, *cmd) -> dict:
        out = subprocess.run([*IDP, *cmd], check=True, cwd=ROOT, env=self.env, capture_output=True, text=True)
        return json.loads(out.stdout)

    def start(self, workers: int, cpus):
        self.workers = workers
        self.log = open(self.workdir / f"server-{workers}w.log", "w")
        cmd = pinned([*IDP, "serve", "--host", "127.0.0.1", "--port", str(self.port), "--workers", str(workers),
                      *shlex.split(self.args.serve_args)], cpus)
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT)
        wait_http(f"{self.issuer}/.well-known/openid-configuration", proc=self.proc)
        deadline = time.monotonic() + 30
        while len(children(self.proc.pid)) < workers and time.monotonic() < deadline:
            time.sleep(0.1)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None
        self.log.close()

    def watch(self):
        return Watch(self.proc.pid, workers_are_children=True)


def recreate_postgres(url: str) -> None:
    """Drop and create the bench database named in ``url`` (never another one)."""
    import psycopg

    from sqlalchemy.engine import make_url

    u = make_url(url)
    name = u.database
    if not name or name in ("postgres", "template0", "template1"):
        raise SystemExit(f"refusing to recreate database {name!r}: give the bench its own database")
    admin = u.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


class profiling:
    """With --profile: py-spy samples the (single) worker during the measured window and the
    summary goes next to the results. Sampling stops the process briefly: profiled runs are
    for finding hot spots, their throughput is not the figure to quote."""

    def __init__(self, target, args, workdir: Path, tag: str):
        self.on = bool(args.profile) and isinstance(target, Provider) and target.workers == 1
        self.target, self.args, self.workdir, self.tag = target, args, workdir, tag

    def __enter__(self):
        if self.on:
            worker = children(self.target.proc.pid)[0]
            self.raw = self.workdir / f"profile-{self.tag}.raw"
            spy = str(Path(PY).parent / "py-spy")
            self.proc = subprocess.Popen([spy, "record", "--pid", str(worker), "--rate", "200", "--format", "raw",
                                          "--duration", str(max(1, round(self.args.duration))), "-o", str(self.raw)],
                                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return self

    def __exit__(self, *exc):
        if self.on:
            try:
                self.proc.wait(self.args.duration + 30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            if self.raw.exists():
                sys.path.insert(0, str(BENCH))
                from profile_summary import summarise

                text = summarise(str(self.raw), 40)
                (self.workdir / f"profile-{self.tag}.txt").write_text(text)
                log(f"  profile: {self.workdir / f'profile-{self.tag}.txt'}")


# -- the peer ---------------------------------------------------------------------------------

class Peer:
    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.client_id, self.client_secret = "bench", base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip("=")

    def start(self, cpus, mint: int):
        self.port = free_port()
        self.issuer = f"http://127.0.0.1:{self.port}"
        self.tokens_json = self.workdir / "peer-refresh.json"
        self.log = open(self.workdir / "peer.log", "w")
        cmd = pinned(["node", str(BENCH / "peer" / "server.mjs"), "--port", str(self.port),
                      "--client-id", self.client_id, "--client-secret", self.client_secret,
                      "--mint", str(mint), "--mint-out", str(self.tokens_json),
                      # same work as ours: our refresh answer carries no ID token (OIDC Core
                      # §12.2 leaves it optional), so the peer's must not sign one either
                      "--refresh-scope", "offline_access api"], cpus)
        env = dict(os.environ, NODE_ENV="production")
        self.proc = subprocess.Popen(cmd, cwd=BENCH, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        wait_http(f"{self.issuer}/.well-known/openid-configuration", proc=self.proc)
        self.version = json.loads((BENCH / "node_modules" / "oidc-provider" / "package.json").read_text())["version"]

    def refresh_tokens(self, path: Path):
        path.write_text("\n".join(json.loads(self.tokens_json.read_text())) + "\n")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()

    def watch(self):
        return Watch(self.proc.pid, workers_are_children=False)


# -- scenarios --------------------------------------------------------------------------------

def wrk(script: str, url: str, env: dict, duration: float, connections: int, cpus, workdir: Path,
        tag: str) -> tuple[dict, float]:
    report = workdir / f"wrk-{tag}.json"
    report.unlink(missing_ok=True)
    env = dict(os.environ, BENCH_LUA_DIR=str(BENCH / "wrk"), BENCH_REPORT=str(report), **env)
    cmd = pinned(["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(duration))}s", "--timeout", "10s",
                  "-s", str(BENCH / "wrk" / script), url], cpus)
    code, cpu, err = run_child(cmd, env=env, stdout=subprocess.DEVNULL, timeout=duration + 30)
    if code != 0 or not report.exists():
        raise RuntimeError(f"wrk failed ({code}): {err.strip()[:500]}")
    return json.loads(report.read_text()), cpu


def wrk_scenario(name, target, args, cpus, workdir, tag, env, path, connections):
    url = target.issuer + path
    if args.warmup > 0:
        wrk(*_wrk_args(name), url, env, args.warmup, connections, cpus, workdir, tag + "-warm")
    with target.watch() as w, profiling(target, args, workdir, tag):
        rep, cpu = wrk(*_wrk_args(name), url, env, args.duration, connections, cpus, workdir, tag)
    check_wrk(name, rep, lambda: probe(name, target, env))
    secs = rep["duration_us"] / 1e6
    errors = sum(rep["errors"].values())
    return {
        "scenario": name, "unit": "req", "ops": rep["requests"], "ops_per_s": rep["requests"] / secs,
        "ok_per_s": (rep["requests"] - rep["errors"]["status"]) / secs,
        "p50_ms": rep["latency_us"]["p50"] / 1000, "p99_ms": rep["latency_us"]["p99"] / 1000,
        "errors": errors, "error_detail": rep["errors"], "connections": connections,
        "peak_rss_mib_per_worker": w.peak_rss_mib, "rss_growth_mib": w.rss_growth_mib, "server_cpu_s": w.cpu,
        "server_cpu_ms_per_op": 1000 * w.cpu / max(1, rep["requests"]),
        "loadgen": "wrk", "loadgen_cpu_s": cpu, "loadgen_cpu_pct": 100 * cpu / w.wall,
    }


def check_wrk(name: str, rep: dict, explain=None) -> None:
    """Stop the run when wrk got no answer or any HTTP error (wrk counts status ≥ 400): the
    script no longer matches the server. ``explain`` makes one request the way the script
    does, to show the answer."""
    failed = rep["errors"]["status"]
    if rep["requests"] and not failed:
        return
    detail = f"; e.g. {explain()}" if explain else ""
    raise ScenarioFailed(f"scenario {name}: {failed} of {rep['requests']} requests answered HTTP ≥ 400 "
                         f"(wrk errors {rep['errors']}){detail}")


def probe(name: str, target, env: dict) -> str:
    """One request as the wrk script of ``name`` makes it (not refresh: its tokens are spent)."""
    if name == "discovery":
        origin = "{0.scheme}://{0.netloc}".format(urlsplit(target.issuer))
        req = urllib.request.Request(origin + env["BENCH_JWKS_PATH"])
    elif name == "client_credentials":
        req = urllib.request.Request(target.issuer + "/token", data=b"grant_type=client_credentials",
                                     headers={"Authorization": "Basic " + env["BENCH_BASIC"],
                                              "Content-Type": "application/x-www-form-urlencoded"})
    else:
        return "rotated refresh tokens lost: see the server log"
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return f"HTTP {resp.status}"
    except urllib.error.HTTPError as error:
        return f"{req.full_url}: HTTP {error.code} {error.read()[:200]!r}"
    except OSError as error:
        return f"{req.full_url}: {error!r}"


def _wrk_args(name):
    return ({"client_credentials": "client_credentials.lua", "refresh": "refresh.lua",
             "discovery": "discovery.lua"}[name],)


def journey_scenario(mode, prov: Provider, args, cpus, workdir, tag, concurrency):
    out = workdir / f"journeys-{tag}.json"
    cmd = pinned([PY, str(BENCH / "journeys.py"), "--mode", mode, "--issuer", prov.issuer,
                  f"--client-id={prov.client_id}", f"--client-secret={prov.client_secret}",
                  "--accounts", str(prov.accounts_file), "--duration", str(args.duration),
                  "--concurrency", str(concurrency), "--out", str(out)], cpus)
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    killer = threading.Timer(args.duration + 120, proc.kill)
    killer.start()
    try:
        line = proc.stdout.readline()  # "GO": the measured window starts (after any warm-up logins)
        if line.strip() != "GO":
            proc.wait()
            raise ScenarioFailed(f"scenario {mode}: journeys.py failed before the measured window: "
                                 f"{_last_line(proc.stderr.read())}")
        with prov.watch() as w, profiling(prov, args, workdir, tag):
            proc.wait()
    finally:
        killer.cancel()
    if proc.returncode != 0:
        raise ScenarioFailed(f"scenario {mode}: journeys.py failed: {_last_line(proc.stderr.read())}")
    rep = json.loads(out.read_text())
    check_journeys(mode, rep)
    errors = sum(rep["errors"].values())
    return {
        "scenario": "login" if mode == "login" else "sso", "unit": "journey", "ops": rep["journeys"],
        "ops_per_s": rep["journeys_per_s"], "ok_per_s": rep["journeys_per_s"],
        "p50_ms": rep["latency_ms"]["p50"], "p99_ms": rep["latency_ms"]["p99"],
        "errors": errors, "error_detail": rep["errors"], "connections": concurrency,
        "step_mean_ms": rep["step_mean_ms"],
        "peak_rss_mib_per_worker": w.peak_rss_mib, "rss_growth_mib": w.rss_growth_mib, "server_cpu_s": w.cpu,
        "server_cpu_ms_per_op": 1000 * w.cpu / max(1, rep["journeys"]),
        "loadgen": "journeys.py (aiohttp)", "loadgen_cpu_s": rep["loadgen_cpu_s"],
        "loadgen_cpu_pct": rep["loadgen_cpu_pct"],
    }


def check_journeys(mode: str, rep: dict) -> None:
    """Stop the run when any journey failed, or none finished: a browser that cannot go
    through the journey measures nothing (before 2026-12-01 the run printed 0.0 j/s)."""
    failed = sum(rep["errors"].values())
    if failed or not rep["journeys"]:
        raise ScenarioFailed(f"scenario {mode}: {failed} of {failed + rep['journeys']} journeys failed "
                             f"{rep['errors']}, e.g. {' | '.join(rep['error_samples'][:2])}")


def prime_refresh_tokens(target, count: int, out: Path) -> None:
    """Log in once and make ``count`` refresh tokens (journeys.py --mode prime)."""
    done = subprocess.run([PY, str(BENCH / "journeys.py"), "--mode", "prime", "--issuer", target.issuer,
                           f"--client-id={target.client_id}", f"--client-secret={target.client_secret}",
                           "--accounts", str(target.accounts_file), "--count", str(count), "--out", str(out)],
                          capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        raise ScenarioFailed(f"scenario refresh: priming the refresh tokens failed: {_last_line(done.stderr)}")


def _last_line(stderr: str) -> str:
    """The exception a load generator died of (the last line of its traceback)."""
    return (stderr.strip().splitlines() or ["no output"])[-1][:600]


def basic(client_id, secret) -> str:
    return base64.b64encode(f"{client_id}:{secret}".encode()).decode()


def bench_provider(prov: Provider, workers: int, args, workdir: Path) -> list[dict]:
    server_cpus, load_cpus = placement(workers)
    log(f"provider: {workers} worker(s), server cpus {server_cpus or 'shared'}, load cpus {load_cpus or 'shared'}")
    prov.start(workers, server_cpus)
    try:
        results = scenarios(prov, workers, args, load_cpus, workdir)
    finally:
        prov.stop()
    for r in results:
        r.update(server="ours", workers=workers, pinned=bool(server_cpus))
    return results


def scenarios(prov, workers: int, args, load_cpus, workdir: Path) -> list[dict]:
    """Every selected scenario against a running provider (``prov``: issuer, client, accounts,
    ``watch()``); tests/bench runs this against a served instance."""
    results = []
    auth = {"BENCH_BASIC": basic(prov.client_id, prov.client_secret)}
    c = args.connections or 8
    tag = f"ours-{workers}w"
    selected = args.scenarios
    if "discovery" in selected:
        log("  5 discovery + JWKS")
        results.append(wrk_scenario("discovery", prov, args, load_cpus, workdir, f"{tag}-discovery",
                                    {"BENCH_DISCOVERY_PATH": "/caf/.well-known/openid-configuration",
                                     "BENCH_JWKS_PATH": "/caf/jwks.json"}, "/", c))
    if "client_credentials" in selected:
        log("  1 client_credentials")
        results.append(wrk_scenario("client_credentials", prov, args, load_cpus, workdir, f"{tag}-cc",
                                    auth, "/token", c))
    if "refresh" in selected:
        log("  2 refresh_token: priming refresh tokens")
        tokens = workdir / f"refresh-{tag}.txt"
        for part in ("warm", "run"):   # a pool of tokens for the warm-up, another for the measured run
            prime_refresh_tokens(prov, 2 * c, Path(f"{tokens}.{part}"))
        log("  2 refresh_token")
        results.append(refresh_scenario(prov, args, load_cpus, workdir, tag, auth, tokens, c))
    if "sso" in selected:
        log("  4 journey with a live SSO session")
        results.append(journey_scenario("sso", prov, args, load_cpus, workdir, f"{tag}-sso",
                                        args.journey_concurrency or 4 * workers))
    if "login" in selected:
        log("  3 journey with a password login")
        results.append(journey_scenario("login", prov, args, load_cpus, workdir, f"{tag}-login",
                                        args.journey_concurrency or 3 * workers))
    return results


def refresh_scenario(target, args, load_cpus, workdir, tag, auth, tokens: Path, c):
    url = target.issuer + "/token"
    if args.warmup > 0:
        wrk("refresh.lua", url, {**auth, "BENCH_TOKENS": str(tokens) + ".warm"}, args.warmup, c, load_cpus,
            workdir, f"{tag}-refresh-warm")
    env = {**auth, "BENCH_TOKENS": str(tokens) + ".run"}
    with target.watch() as w, profiling(target, args, workdir, f"{tag}-refresh"):
        rep, cpu = wrk("refresh.lua", url, env, args.duration, c, load_cpus, workdir, f"{tag}-refresh")
    check_wrk("refresh", rep, lambda: probe("refresh", target, env))
    secs = rep["duration_us"] / 1e6
    return {
        "scenario": "refresh", "unit": "req", "ops": rep["requests"], "ops_per_s": rep["requests"] / secs,
        "ok_per_s": (rep["requests"] - rep["errors"]["status"]) / secs,
        "p50_ms": rep["latency_us"]["p50"] / 1000, "p99_ms": rep["latency_us"]["p99"] / 1000,
        "errors": sum(rep["errors"].values()), "error_detail": rep["errors"], "connections": c,
        "peak_rss_mib_per_worker": w.peak_rss_mib, "rss_growth_mib": w.rss_growth_mib, "server_cpu_s": w.cpu,
        "server_cpu_ms_per_op": 1000 * w.cpu / max(1, rep["requests"]),
        "loadgen": "wrk", "loadgen_cpu_s": cpu, "loadgen_cpu_pct": 100 * cpu / w.wall,
    }


def bench_peer(args, workdir: Path) -> tuple[list[dict], dict]:
    server_cpus, load_cpus = placement(1)
    peer = Peer(workdir)
    c = args.connections or 8
    log(f"peer: node-oidc-provider, 1 process, cpus {server_cpus or 'shared'}")
    peer.start(server_cpus, mint=4 * c)
    results = []
    try:
        auth = {"BENCH_BASIC": basic(peer.client_id, peer.client_secret)}
        if "discovery" in args.scenarios:
            log("  5 discovery + JWKS (peer)")
            results.append(wrk_scenario("discovery", peer, args, load_cpus, workdir, "peer-discovery",
                                        {"BENCH_DISCOVERY_PATH": "/.well-known/openid-configuration",
                                         "BENCH_JWKS_PATH": "/jwks"}, "/", c))
        if "client_credentials" in args.scenarios:
            log("  1 client_credentials (peer)")
            results.append(wrk_scenario("client_credentials", peer, args, load_cpus, workdir, "peer-cc",
                                        auth, "/token", c))
        if "refresh" in args.scenarios:
            log("  2 refresh_token (peer)")
            tokens = workdir / "refresh-peer.txt"
            minted = json.loads(peer.tokens_json.read_text())
            Path(str(tokens) + ".warm").write_text("\n".join(minted[: 2 * c]) + "\n")
            Path(str(tokens) + ".run").write_text("\n".join(minted[2 * c:]) + "\n")
            results.append(refresh_scenario(peer, args, load_cpus, workdir, "peer", auth, tokens, c))
    finally:
        peer.stop()
    for r in results:
        r.update(server="node-oidc-provider", workers=1, pinned=bool(server_cpus))
    return results, {"version": peer.version, "node": subprocess.run(["node", "--version"], capture_output=True,
                                                                      text=True).stdout.strip()}


def floors(prov: Provider) -> dict:
    out = subprocess.run([PY, str(BENCH / "floors.py")], check=True, cwd=ROOT, env=prov.env,
                         capture_output=True, text=True)
    return json.loads(out.stdout)


# -- the table --------------------------------------------------------------------------------

def fmt(v, spec=".0f", none="–"):
    return none if v is None else format(v, spec)


def render(report: dict) -> str:
    rows = report["results"]
    fl = report["floors"]
    peer = {r["scenario"]: r for r in rows if r["server"] != "ours"}
    ours1 = {r["scenario"]: r for r in rows if r["server"] == "ours" and r["workers"] == 1}
    head = ["scenario", "server", "w", "ops/s", "p50 ms", "p99 ms", "RSS/w MiB", "srv CPU ms/op",
            "err", "gen CPU", "÷ peer", "per w ÷ KC/vCPU"]
    table = []
    order = list(SCENARIOS)
    for r in sorted(rows, key=lambda r: (order.index(r["scenario"]), r["server"] != "ours", r["workers"])):
        is_ours = r["server"] == "ours"
        ratio = None
        if is_ours and r["scenario"] in peer and peer[r["scenario"]]["ok_per_s"]:
            ratio = r["ok_per_s"] / r["workers"] / peer[r["scenario"]]["ok_per_s"]
        kc = KEYCLOAK.get(r["scenario"])
        unit = "/s" if r["unit"] == "req" else " j/s"
        table.append([
            SCENARIOS[r["scenario"]], "ours" if is_ours else "node-oidc-provider", str(r["workers"]),
            fmt(r["ok_per_s"], ".1f" if r["ok_per_s"] < 100 else ".0f") + unit,
            fmt(r["p50_ms"], ".1f"), fmt(r["p99_ms"], ".1f"), fmt(r["peak_rss_mib_per_worker"], ".0f"),
            fmt(r["server_cpu_ms_per_op"], ".2f"), str(r["errors"]), fmt(r["loadgen_cpu_pct"], ".0f") + " %",
            fmt(ratio, ".2f") + ("×" if ratio is not None else ""),
            (fmt(r["ok_per_s"] / r["workers"] / kc, ".2f") + "×") if kc else "–",
        ])
    widths = [max(len(h), *(len(t[i]) for t in table)) for i, h in enumerate(head)]
    line = lambda cells: "  ".join(c.ljust(widths[i]) if i < 3 else c.rjust(widths[i]) for i, c in enumerate(cells))
    out = [line(head), line(["-" * w for w in widths])] + [line(t) for t in table]

    a = fl["argon2"]
    out += ["", f"Floors (same machine, same run): Argon2id verify {a['verify_ms']:.1f} ms "
                f"(m={a['memory_cost_kib']} KiB, t={a['time_cost']}, p={a['parallelism']}); "
                f"ES256 sign {fl['es256_sign_ms']:.3f} ms; RS256-{fl['rsa_bits']} sign {fl['rs256_sign_ms']:.3f} ms "
                f"(joserfc JWT encode: ES256 {fl['es256_jwt_encode_ms']:.3f} ms, RS256 {fl['rs256_jwt_encode_ms']:.3f} ms)"]
    for w in sorted({r["workers"] for r in rows if r["server"] == "ours"}):
        by = {r["scenario"]: r for r in rows if r["server"] == "ours" and r["workers"] == w}
        if "login" in by:
            k = by["login"]["ok_per_s"] / w * a["verify_ms"] / 1000
            out.append(f"Scenario 3, {w} worker(s): logins/s per worker × Argon2id time = "
                       f"{by['login']['ok_per_s'] / w:.1f} × {a['verify_ms'] / 1000:.4f} s = {k:.2f}  (target ≥ 0.80)")
        if "client_credentials" in by:
            cc = by["client_credentials"]
            out.append(f"Scenario 1, {w} worker(s): {1000 * w / cc['ok_per_s']:.2f} ms per token per worker "
                       f"(server CPU {cc['server_cpu_ms_per_op']:.2f} ms) vs ES256 signature {fl['es256_sign_ms']:.3f} ms "
                       f"(JWT encode {fl['es256_jwt_encode_ms']:.3f} ms)")
    if "client_credentials" in ours1 and "client_credentials" in peer:
        rt = ours1["client_credentials"]["ok_per_s"] / peer["client_credentials"]["ok_per_s"]
        out.append(f"Scenario 1 vs peer, 1 worker vs 1 Node process: {rt:.2f}×  (target ≥ 0.50)")
    ws = sorted({r["workers"] for r in rows if r["server"] == "ours"})
    if 1 in ws and len(ws) > 1:
        for w in ws[1:]:
            byw = {r["scenario"]: r for r in rows if r["server"] == "ours" and r["workers"] == w}
            parts = [f"{s} {byw[s]['ok_per_s'] / ours1[s]['ok_per_s']:.2f}×" for s in SCENARIOS
                     if s in byw and s in ours1 and ours1[s]["ok_per_s"]]
            out.append(f"Scaling {w} workers / 1 worker (target ≥ 1.8× for 2 on 2 cores): " + ", ".join(parts))
    growth = [f"{r['scenario']} {r['workers']}w {r['rss_growth_mib']:+.1f}" for r in rows
              if r["server"] == "ours" and "rss_growth_mib" in r]
    if growth:
        out.append(f"RSS growth per worker over each measured window, MiB (target: not growing): {', '.join(growth)}")
    out.append("Keycloak's published sizing per vCPU, for reference: 15 password logins/s, "
               "120 client_credentials/s, 120 refresh/s (last column: our per-worker figure ÷ that).")
    m = report["machine"]
    out.append(f"Machine: {m['cpus']} CPUs ({m['cpu_model']}), {m['mem_gib']:.0f} GiB; database {report['setup']['database']}; "
               f"redis {report['setup']['redis'] or 'none'}; accounts seeded {report['args']['accounts']}; "
               f"duration {report['args']['duration']} s per scenario; wrk connections {report['args']['connections'] or 8}; "
               f"idp serve {report['args'].get('serve_args') or '(defaults)'}.")
    if any(not r["pinned"] for r in rows):
        out.append("Note: with as many workers as cores, server and load generator share the cores (no pinning): "
                   "the multi-worker figures include the generator's CPU use on the same cores.")
    return "\n".join(out)


def machine() -> dict:
    model = ""
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {"cpus": len(os.sched_getaffinity(0)), "cpu_model": model, "mem_gib": mem,
            "python": platform.python_version(), "kernel": platform.release(),
            "wrk": subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.split("\n")[0].strip()}


def private_redis(workers: list[int], args) -> subprocess.Popen | None:
    """Several workers share their counters through Redis, as in production (idp serve
    serves one worker without it): a private redis-server on loopback when none is given."""
    if max(workers) <= 1 or args.redis_url:
        return None
    if not shutil.which("redis-server"):
        raise SystemExit("several workers need Redis: give --redis-url (REDIS_URL=...) or install redis-server")
    port = free_port()
    proc = subprocess.Popen(["redis-server", "--bind", "127.0.0.1", "--port", str(port), "--save", "",
                             "--appendonly", "no"], stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.05)
    args.redis_url = f"redis://127.0.0.1:{port}/0"
    log(f"private Redis on {args.redis_url} for the multi-worker runs")
    return proc


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description="Benchmark the identity provider (see bench/README.md).")
    p.add_argument("--workers", default="1 2", help="worker counts to measure, e.g. '1 2' (default)")
    p.add_argument("--duration", type=float, default=10.0, help="seconds per measured scenario")
    p.add_argument("--warmup", type=float, default=2.0, help="seconds of warm-up before wrk scenarios")
    p.add_argument("--connections", type=int, default=0, help="wrk connections (default 8)")
    p.add_argument("--journey-concurrency", type=int, default=0,
                   help="concurrent browsers in scenarios 3 and 4 (default 3 or 4 per worker)")
    p.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", ""),
                   help="e.g. postgresql+psycopg://postgres@127.0.0.1:5432/idp_bench (default: SQLite)")
    p.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", ""),
                   help="e.g. redis://127.0.0.1:6379/14 (default: none, in-memory counters)")
    p.add_argument("--no-fresh-db", dest="fresh_db", action="store_false",
                   help="keep an existing PostgreSQL bench database (and its seeded accounts)")
    p.add_argument("--accounts", type=int, default=1000, help="accounts to seed in the tenant (bulk insert)")
    p.add_argument("--scenarios", default="client_credentials,refresh,login,sso,discovery")
    p.add_argument("--no-peer", dest="peer", action="store_false")
    p.add_argument("--profile", action="store_true",
                   help="sample the 1-worker server with py-spy during each scenario (slows it a little)")
    p.add_argument("--serve-args", default="",
                   help="more options of `idp serve`, e.g. '--server gunicorn --worker-class sync'")
    p.add_argument("--out", default=str(BENCH / "results"))
    args = p.parse_args(argv)
    args.scenarios = [s.strip() for s in args.scenarios.split(",") if s.strip()]
    unknown = set(args.scenarios) - set(SCENARIOS)
    if unknown:
        p.error(f"unknown scenarios {sorted(unknown)}; choose from {list(SCENARIOS)}")
    workers = [int(w) for w in args.workers.replace(",", " ").split()]
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed: apt-get install -y wrk (Debian) or see bench/README.md")

    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    outdir = Path(args.out)
    workdir = outdir / f"run-{stamp}"
    workdir.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    redis_proc = private_redis(workers, args)
    try:
        return _run(args, workers, stamp, outdir, workdir, started)
    except ScenarioFailed as failure:
        log(f"STOPPED: {failure}")
        return 1
    finally:
        if redis_proc is not None:
            redis_proc.terminate()
            redis_proc.wait(10)


def _run(args, workers, stamp, outdir, workdir, started) -> int:
    prov = Provider(args, workdir)
    log(f"setting up the provider in {workdir} (database, keys, client, {args.accounts} accounts)")
    setup = prov.setup()
    log("measuring the floors (Argon2id, ES256, RS256)")
    fl = floors(prov)
    results = []
    for w in workers:
        results += bench_provider(prov, w, args, workdir)
    peer_info = None
    if args.peer and {"client_credentials", "refresh", "discovery"} & set(args.scenarios):
        if not (BENCH / "node_modules" / "oidc-provider").exists():
            raise SystemExit("node-oidc-provider is not installed: cd bench && npm ci (or use --no-peer)")
        peer_results, peer_info = bench_peer(args, workdir)
        results += peer_results
    report = {
        "started": stamp, "elapsed_s": round(time.monotonic() - started, 1),
        "args": {k: v for k, v in vars(args).items() if k not in ("database_url",)} | {"workers": workers},
        "machine": machine(), "setup": setup, "peer": peer_info, "floors": fl,
        "keycloak_per_vcpu": KEYCLOAK, "results": results,
    }
    report["table"] = render(report)
    (workdir / "report.json").write_text(json.dumps(report, indent=2))
    (outdir / "latest.json").write_text(json.dumps(report, indent=2))
    print(report["table"])
    log(f"JSON: {outdir / 'latest.json'} (and {workdir / 'report.json'}); total {report['elapsed_s']} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
