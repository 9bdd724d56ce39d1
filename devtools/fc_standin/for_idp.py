"""``python -m devtools.fc_standin.for_idp config.toml``: the stand-in registered with the
IdP's own FranceConnect client (``[providers.franceconnect]``), for every tenant that
offers FranceConnect, so that ``make run`` needs no copy of the generated secret."""

from __future__ import annotations

import sys
from urllib.parse import urlsplit

from devtools.fc_standin.__main__ import main as serve


def standin_arguments(config_path: str) -> list[str]:
    from idp.config.settings import load_settings

    settings = load_settings(config_path)
    section = settings.providers.franceconnect
    if section is None:
        raise SystemExit(f"{config_path}: no [providers.franceconnect]: nothing to simulate")
    if not section.discovery_url:
        raise SystemExit(f"{config_path}: [providers.franceconnect] points at FranceConnect itself, "
                         "not at the local simulator")
    where = urlsplit(section.discovery_url)
    args = ["--host", where.hostname or "127.0.0.1", "--port", str(where.port or 5001),
            # "--key=value": a generated secret may start with "-", which argparse would take
            # for an option (1 configuration in 64)
            f"--client-id={section.client_id}", f"--client-secret={section.client_secret}"]
    for slug, tenant in settings.tenants.items():
        if tenant.franceconnect:
            issuer = settings.issuer(slug)
            args += ["--redirect-uri", f"{issuer}/franceconnect/callback",
                     "--post-logout-redirect-uri", f"{issuer}/franceconnect/logout-callback"]
    return args


def main(argv: list[str]) -> None:
    if len(argv) < 2:
        raise SystemExit("usage: python -m devtools.fc_standin.for_idp CONFIG")
    serve(standin_arguments(argv[1]))


if __name__ == "__main__":
    main(sys.argv)
