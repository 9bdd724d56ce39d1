"""Rotation plan: next → active → retired → removed.

A rotation, per algorithm: the ``next`` key becomes ``active`` (it has been published in
the JWKS since the previous rotation, so relying parties that cache the JWKS already know
it), the ``active`` key becomes ``retired``, a fresh ``next`` key is generated, and retired
keys older than ``retire_after`` (the longest lifetime of a token they may have signed) are
removed. The plan is a value; the application applies it in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from .records import SUPPORTED_ALGS, KeyRecord, KeyState


@dataclass
class RotationPlan:
    promote: list[str] = field(default_factory=list)   # kids next → active
    retire: list[str] = field(default_factory=list)    # kids active → retired
    remove: list[str] = field(default_factory=list)    # retired kids to delete
    create: list[tuple[str, KeyState]] = field(default_factory=list)  # (alg, state)

    @property
    def empty(self) -> bool:
        return not (self.promote or self.retire or self.remove or self.create)


def _by_alg(records: list[KeyRecord], alg: str, state: KeyState) -> list[KeyRecord]:
    return [r for r in records if r.alg == alg and r.state is state]


def plan_initial(records: list[KeyRecord], algs=SUPPORTED_ALGS) -> RotationPlan:
    """What a tenant lacks to have one ``active`` and one ``next`` key per algorithm."""
    plan = RotationPlan()
    for alg in algs:
        if not _by_alg(records, alg, KeyState.ACTIVE):
            nexts = _by_alg(records, alg, KeyState.NEXT)
            if nexts:
                plan.promote.append(nexts[0].kid)
                plan.create.append((alg, KeyState.NEXT))
                continue
            plan.create.append((alg, KeyState.ACTIVE))
        if not _by_alg(records, alg, KeyState.NEXT):
            plan.create.append((alg, KeyState.NEXT))
    return plan


def plan_rotation(
    records: list[KeyRecord], now: datetime, retire_after: timedelta, algs=SUPPORTED_ALGS
) -> RotationPlan:
    """The plan of one rotation for every algorithm."""
    plan = RotationPlan()
    for alg in algs:
        active = _by_alg(records, alg, KeyState.ACTIVE)
        nexts = _by_alg(records, alg, KeyState.NEXT)
        plan.retire += [r.kid for r in active]
        if nexts:
            plan.promote.append(nexts[0].kid)
        else:
            plan.create.append((alg, KeyState.ACTIVE))
        plan.create.append((alg, KeyState.NEXT))
        plan.remove += [
            r.kid for r in _by_alg(records, alg, KeyState.RETIRED)
            if r.retired_at is not None and now - r.retired_at >= retire_after
        ]
    return plan
