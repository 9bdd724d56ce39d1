"""A signup in progress: pending state (:mod:`idp.store.pending`) behind a cookie scoped to
the tenant. Its ``step`` is the last step answered, not a kind: any signup row is one."""

from __future__ import annotations

from dataclasses import dataclass

from flask import request

from idp.store import pending
from idp.web.cookies import clear_tenant_cookie, set_tenant_cookie

COOKIE = "idp_signup"


@dataclass
class SignupState(pending.Pending):
    @property
    def done(self) -> list[str]:
        return self.data.setdefault("_done", [])

    @property
    def answers(self) -> dict:
        return self.data.setdefault("answers", {})


def start(ttl: int, interaction_handle: str | None) -> tuple[SignupState, str]:
    kept, handle = pending.keep({"_done": [], "answers": {}}, ttl, interaction_handle=interaction_handle)
    return SignupState(kept.row, kept.data), handle


def load() -> SignupState | None:
    # the answers to one signup take turns (a double click, two tabs): each sees what the
    # one before it committed (the account it wrote, the signup it ended), and none
    # overwrites a signup another has changed or finished meanwhile
    found = pending.find(request.cookies.get(COOKIE), lock=request.method == "POST")
    return SignupState(found.row, found.data) if found else None


def discard(state: SignupState, commit: bool = True) -> None:
    """Erase the signup; already erased is fine (a twin request of a double click did it)."""
    pending.discard(state, commit)


def set_cookie(response, handle: str, ttl: int) -> None:
    set_tenant_cookie(response, COOKIE, handle, ttl)


def clear_cookie(response) -> None:
    clear_tenant_cookie(response, COOKIE)
