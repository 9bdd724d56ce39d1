"""Rule-based password policies with parameters, and the named presets of the seeds.

Sources: seeds 001 (mairie), 002 (ameli), 004 (caf); tenants.md (caf login 8–64);
CNIL délibération n° 2022-100 du 21 juillet 2022 (case 1: password alone, ~80 bits, e.g.
12 characters from four classes; case 2: ~50 bits plus throttling, e.g. 8 characters).
A policy is a value: :meth:`PasswordPolicy.check` returns a :class:`Result`, it never raises
for a refused password.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Callable, Sequence

from policies import password_rules as rules
from policies.errors import PolicyConfigError
from policies.results import Message, Requirement, Result
from policies.strength import Strength, estimate, level_number

# Longest password ever hashed when a policy sets no maximum (keeps Argon2 cheap to call).
HARD_MAX_LENGTH = 1024


@dataclass(frozen=True)
class PasswordPolicy:
    """Parameters of a password policy; ``preset`` only records where they came from."""

    min_length: int = 12
    max_length: int | None = 64
    min_upper: int = 0
    min_lower: int = 0
    min_digit: int = 0
    min_special: int = 0
    alphabet: str = "any"  # "any" | "latin" | "ascii" | "ascii_letters_digits"
    min_strength: int | str | None = None  # a level name ("Moyen") or number 0..4
    forbid_identifier: bool = True
    forbid_names: bool = True
    history_size: int = 0
    forbid_common: bool = True
    throttled: bool = True  # CNIL 2022-100 case 2 (login throttling) rather than case 1
    login_min_length: int | None = None  # default: min_length
    login_max_length: int | None = None  # default: max_length
    preset: str | None = None

    def __post_init__(self) -> None:
        _validate(self)

    # --- checking ----------------------------------------------------------------------
    def check(
        self,
        password: str,
        *,
        identifier: str | None = None,
        names: Sequence[str] = (),
        history: Sequence[str] = (),
        verify: Callable[[str, str], bool] | None = None,
    ) -> Result:
        """Check a new password; ``history`` holds previous hashes, newest first."""
        ctx = rules.Context(identifier, tuple(names), tuple(history), verify)
        return Result.from_messages(self._failures(password or "", ctx))

    def _failures(self, password: str, ctx: rules.Context) -> list[Message]:
        found = rules.length_failures(password, self.min_length, self.effective_max_length)
        found += rules.alphabet_failures(password, self.alphabet)
        found += rules.class_failures(password, self._minimums())
        if self.forbid_identifier:
            found += rules.identifier_failures(password, ctx.identifier)
        if self.forbid_names:
            found += rules.name_failures(password, ctx.names)
        if self.forbid_common:
            found += rules.common_failures(password)
        if self.min_strength is not None:
            inputs = [i for i in (ctx.identifier, *ctx.names) if i]
            found += rules.strength_failures(password, self.strength_level, inputs)
        found += rules.history_failures(password, ctx, self.history_size)
        return found

    def accepts_at_login(self, password: str) -> bool:
        """Whether a password typed at login is worth verifying (length bounds only)."""
        return self.login_bounds[0] <= len(password or "") <= self.login_bounds[1]

    def strength(self, password: str, user_inputs: Sequence[str] = ()) -> Strength:
        """The meter's estimate (``.level`` 0..4, ``.label`` "Faible", "Moyen", "Fort"...)."""
        return estimate(password, user_inputs)

    # --- describing ----------------------------------------------------------------------
    def requirements(self) -> list[Requirement]:
        """The live checklist, in the order the seeds show it."""
        return [requirement for requirement, _ in self._items()]

    def checklist(self, password: str, **context: Any) -> list[tuple[Requirement, bool]]:
        """Each requirement with whether ``password`` meets it (to tick items as one types)."""
        failing = set(self.check(password, **context).codes)
        return [(req, not (codes & failing)) for req, codes in self._items()]

    def _items(self) -> list[rules.Item]:
        items: list[rules.Item] = []
        if self.min_strength is not None:  # seed 001 lists the level first
            items += rules.strength_items(self.strength_level)
        items += rules.length_items(self.min_length, self.max_length)
        items += rules.class_items(self._minimums())
        items += rules.alphabet_items(self.alphabet)
        if self.forbid_identifier:
            items.append((Requirement.of("password.not_identifier"), frozenset({"password.contains_identifier"})))
        if self.forbid_names:
            items.append((Requirement.of("password.not_names"), frozenset({"password.contains_name"})))
        if self.forbid_common:
            items.append((Requirement.of("password.not_common"), frozenset({"password.common"})))
        if self.history_size:
            items.append((Requirement.of("password.not_reused", count=self.history_size), frozenset({"password.reused"})))
        return items

    def describe(self) -> dict[str, Any]:
        """A JSON-ready description (for ``idp policies describe``)."""
        return {
            "preset": self.preset,
            "parameters": dataclasses.asdict(self),
            "cnil_case": self.cnil_case,
            "warnings": self.warnings(),
            "requirements": [r.as_dict() for r in self.requirements()],
        }

    # --- derived values --------------------------------------------------------------------
    @property
    def strength_level(self) -> int:
        return level_number(self.min_strength) if self.min_strength is not None else 0

    @property
    def effective_max_length(self) -> int:
        return self.max_length if self.max_length is not None else HARD_MAX_LENGTH

    @property
    def login_bounds(self) -> tuple[int, int]:
        low = self.login_min_length if self.login_min_length is not None else self.min_length
        high = self.login_max_length if self.login_max_length is not None else self.effective_max_length
        return low, high

    @property
    def cnil_case(self) -> int:
        """1: the password alone protects the account; 2: throttling completes it."""
        return 2 if self.throttled else 1

    def warnings(self) -> list[str]:
        """Operator warnings: a case-1 policy weaker than CNIL 2022-100's case-1 examples."""
        if self.throttled:
            return []
        classes = sum(1 for n in self._minimums().values() if n > 0)
        if (self.min_length >= 12 and classes == 4) or (self.min_length >= 14 and classes >= 3):
            return []
        return ["throttled = false but the policy is weaker than CNIL 2022-100 case 1 "
                "(12 characters and 4 classes, or 14 characters and 3 classes)"]

    def _minimums(self) -> dict[str, int]:
        return {"upper": self.min_upper, "lower": self.min_lower,
                "digit": self.min_digit, "special": self.min_special}

    def replace(self, **changes: Any) -> "PasswordPolicy":
        return dataclasses.replace(self, **changes)


_INT_FIELDS = ("min_length", "min_upper", "min_lower", "min_digit", "min_special", "history_size")
_OPTIONAL_INT_FIELDS = ("max_length", "login_min_length", "login_max_length")
_BOOL_FIELDS = ("forbid_identifier", "forbid_names", "forbid_common", "throttled")


def _validate(policy: PasswordPolicy) -> None:
    """Raise :class:`PolicyConfigError` naming the first bad parameter."""
    for name in _INT_FIELDS + _OPTIONAL_INT_FIELDS:
        value = getattr(policy, name)
        if value is None and name in _OPTIONAL_INT_FIELDS:
            continue
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise PolicyConfigError(name, f"must be a non-negative integer, got {value!r}")
    for name in _BOOL_FIELDS:
        if not isinstance(getattr(policy, name), bool):
            raise PolicyConfigError(name, f"must be true or false, got {getattr(policy, name)!r}")
    _validate_consistency(policy)


def _validate_consistency(policy: PasswordPolicy) -> None:
    if policy.min_length < 1:
        raise PolicyConfigError("min_length", "must be at least 1")
    if policy.max_length is not None and policy.max_length < policy.min_length:
        raise PolicyConfigError("max_length", f"must be at least min_length ({policy.min_length})")
    if sum(policy._minimums().values()) > policy.effective_max_length:
        raise PolicyConfigError("max_length", "is smaller than the required characters added up")
    if policy.alphabet not in rules.ALPHABETS:
        raise PolicyConfigError("alphabet", f"must be one of {', '.join(rules.ALPHABETS)}, got {policy.alphabet!r}")
    if policy.alphabet == "ascii_letters_digits" and policy.min_special:
        raise PolicyConfigError("min_special", "contradicts alphabet = \"ascii_letters_digits\"")
    if policy.min_strength is not None:
        try:
            level_number(policy.min_strength)
        except ValueError as error:
            raise PolicyConfigError("min_strength", str(error)) from None
    low, high = policy.login_bounds  # every password a policy accepts must still log in
    if low > policy.min_length:
        raise PolicyConfigError("login_min_length", f"must not exceed min_length ({policy.min_length})")
    if high < policy.effective_max_length:
        raise PolicyConfigError("login_max_length", f"must be at least max_length ({policy.effective_max_length})")
