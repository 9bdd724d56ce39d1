"""``python -m devtools.fc_standin``: serve the FranceConnect v2 stand-in (for ``make run``)."""

from __future__ import annotations

import argparse
import logging

from werkzeug.serving import make_server

from devtools.fc_standin.app import create_app
from devtools.fc_standin.identities import load_identities


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m devtools.fc_standin",
                                     description="Simulateur local de FranceConnect v2 (fcp-low).")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5001)
    parser.add_argument("--issuer", help="default: http://HOST:PORT/api/v2")
    parser.add_argument("--client-id", required=True)
    parser.add_argument("--client-secret", required=True)
    parser.add_argument("--redirect-uri", action="append", required=True, dest="redirect_uris")
    parser.add_argument("--post-logout-redirect-uri", action="append", default=[],
                        dest="post_logout_redirect_uris")
    parser.add_argument("--identities", help="CSV of demo identities (default: identities.csv)")
    return parser.parse_args(argv)


def main(argv=None) -> None:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    issuer = args.issuer or f"http://{args.host}:{args.port}/api/v2"
    client = {"client_id": args.client_id, "client_secret": args.client_secret,
              "redirect_uris": args.redirect_uris, "post_logout_redirect_uris": args.post_logout_redirect_uris}
    identities = load_identities(args.identities) if args.identities else None
    app = create_app(issuer=issuer, clients=[client], identities=identities)
    server = make_server(args.host, args.port, app, threaded=True)
    print(f"FranceConnect (simulateur) : {issuer}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
