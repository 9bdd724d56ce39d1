"""The registry of client profiles, and the profile of a client.

A client row names its profile (``idp clients create --profile NAME``); :func:`profile_of`
turns that name into the :class:`~idp.clients.profile.ClientProfile` the engine asks, the
default one for a client registered without a profile (or with a name no longer known).
:func:`apply_profile` fills in the profile's registration defaults. A new kind of client is
a new profile object added to :data:`PROFILES` (:func:`register_profile`), not a hunt through
the engine.
"""

from __future__ import annotations

from idp.clients.fapi2 import FAPI2
from idp.clients.franceconnect_fi import FRANCECONNECT
from idp.clients.profile import ClientProfile, ProfileError

DEFAULT = ClientProfile()
PROFILES: dict[str, ClientProfile] = {FRANCECONNECT.name: FRANCECONNECT, FAPI2.name: FAPI2}

__all__ = ("DEFAULT", "PROFILES", "ClientProfile", "ProfileError", "apply_profile", "profile_of",
           "register_profile")


def register_profile(profile: ClientProfile) -> ClientProfile:
    PROFILES[profile.name] = profile
    return profile


def profile_of(client) -> ClientProfile:
    """The profile of ``client`` (an :class:`~idp.clients.model.OAuthClient`, or None)."""
    name = getattr(getattr(client, "row", None), "profile", None)
    return PROFILES.get(name, DEFAULT) if name else DEFAULT


def apply_profile(profile: str | None, options: dict, franceconnect_host: str | None = None) -> dict:
    """``options`` completed by the registration defaults of the profile named ``profile``;
    :class:`ProfileError` when they contradict it, or when no profile has that name."""
    if profile is None:
        return DEFAULT.registration(options, franceconnect_host)
    if profile not in PROFILES:
        raise ProfileError(f"--profile: unknown profile {profile!r}; known: {', '.join(PROFILES)}")
    return PROFILES[profile].registration(options, franceconnect_host)
