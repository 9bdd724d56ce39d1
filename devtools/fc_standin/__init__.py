"""A local stand-in for FranceConnect v2 (platform ``fcp-low``, eIDAS low) as an OpenID Provider.

It answers the endpoints an FS uses under ``/api/v2`` (discovery, jwks, authorize,
token, userinfo, session/end) with FC's parameter checks, formats and lifetimes, as
listed in ``/work/shared/design/franceconnect.md``; the user is a demo identity picked
on a plain HTML page. Development and tests only: see ``app.create_app`` and
``server.running_standin``.

Run it next to the IdP::

    python -m devtools.fc_standin --port 5001 --client-id ID --client-secret SECRET \
        --redirect-uri http://127.0.0.1:5000/<tenant>/franceconnect/callback \
        --post-logout-redirect-uri http://127.0.0.1:5000/<tenant>/franceconnect/logout-callback
"""

from devtools.fc_standin.app import create_app
from devtools.fc_standin.identities import load_identities, pairwise_sub
from devtools.fc_standin.server import choose_identity, running_standin

__all__ = ["choose_identity", "create_app", "load_identities", "pairwise_sub", "running_standin"]
