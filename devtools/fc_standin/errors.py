"""The one error type of the stand-in: an OAuth 2.0 / OIDC error and where it may go.

As in node-oidc-provider, an error says whether it may be redirected to the client
(``allow_redirect``), never true before client_id and redirect_uri are trusted; those
rendered as a page carry FC's error code (``Y030007`` bad parameters, ``Y04EA6EF`` unknown
client, ``Y04C013C`` unregistered redirect_uri: design note §2 and §10).
"""

from __future__ import annotations


class StandinError(Exception):
    def __init__(self, error: str, description: str, *, status: int = 400,
                 allow_redirect: bool = False, fc_code: str | None = None):
        super().__init__(f"{error}: {description}")
        self.error = error
        self.description = description
        self.status = status
        self.allow_redirect = allow_redirect
        self.fc_code = fc_code

    def as_json(self) -> dict:
        return {"error": self.error, "error_description": self.description}


def redirectable(error: str, description: str) -> StandinError:
    return StandinError(error, description, allow_redirect=True)
