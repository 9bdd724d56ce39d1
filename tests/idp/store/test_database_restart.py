"""PostgreSQL restarted under a running provider (issue 12: full service right after it is
back): while it is down, requests get the 503 "try again"; the first request once it is
back is served, by the same process, without a restart. The connections pooled before the
restart are dead: each is tested when taken from the pool, and replaced.

On a PostgreSQL cluster of this test's own (initdb in a temporary directory, another port,
run as the ``postgres`` user): the shared server is never stopped."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from helpers import make_client
from live import _free_port
from support import make_settings, reset_schema


class OwnPostgres:
    def __init__(self, bin_dir: Path, data: Path, port: int):
        self.bin_dir, self.data, self.port = bin_dir, data, port
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"

    def _run(self, tool: str, *args: str) -> None:
        subprocess.run(["runuser", "-u", "postgres", "--", str(self.bin_dir / tool), *args], check=True,
                       capture_output=True, timeout=120)

    def start(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-w", "-l", str(self.data / "log"), "-o",
                  f"-p {self.port} -k {self.data} -c listen_addresses=127.0.0.1 -c fsync=off", "start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-w", "-m", "fast", "stop")


@pytest.fixture(scope="module")
def own_postgres():
    binaries = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if not binaries or os.geteuid() != 0 or not shutil.which("runuser"):
        pytest.skip("needs PostgreSQL's binaries and root (to run them as the postgres user)")
    home = Path(tempfile.mkdtemp(prefix="idp-own-pg-"))
    shutil.chown(home, "postgres")
    server = OwnPostgres(binaries[-1].parent, home / "data", _free_port())
    server._run("initdb", "-D", str(server.data), "-U", "postgres", "--auth=trust", "--no-sync")
    server.start()
    try:
        yield server
    finally:
        subprocess.run(["runuser", "-u", "postgres", "--", str(server.bin_dir / "pg_ctl"), "-D", str(server.data),
                        "-m", "immediate", "stop"], capture_output=True, timeout=60)
        shutil.rmtree(home, ignore_errors=True)


def test_the_first_request_after_a_restart_is_served(own_postgres, tmp_path):
    from idp.app import create_app
    from idp.store.keystore import ensure_keys, forget_rings
    from idp.clients.model import forget_clients

    app = create_app({"TESTING": True}, settings=make_settings(tmp_path, database={"url": own_postgres.url}))
    reset_schema(app)
    with app.app_context():
        ensure_keys("caf")
    client_id, secret = make_client(app)
    http = app.test_client()

    def token():
        forget_clients(), forget_rings()    # read from the database at each request
        return http.post("/caf/token", data={"grant_type": "client_credentials"}, auth=(client_id, secret))

    assert token().status_code == 200        # a connection now sits in the pool
    own_postgres.stop()
    down = token()
    assert down.status_code == 503 and down.get_json()["error"] == "temporarily_unavailable"
    own_postgres.start()
    assert [token().status_code for _ in range(3)] == [200, 200, 200]
    own_postgres.stop()                      # restarted between two requests: the pooled one is dead
    own_postgres.start()
    assert token().status_code == 200
