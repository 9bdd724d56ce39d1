"""An account that already exists for the identifier a signup gives: what the signup says,
when, and to whom.

Decision. Whoever holds a list of NIRs must not learn from a signup who is an allocataire
or an ameli account holder (OWASP ASVS 5 V6: valid users are not to be deduced, signup
included; Kratos answers a duplicate registration as a new one and tells the holder). So
the existence of an account for a NIR is said on the page only to a caller who has passed
every check that would let them create that account, so that each answer costs a whole
journey (a contact verified by a code on caf, the holder's bank and Vitale details on ameli):

- caf: at the end (recap), after the identity document and a contact verified by a code —
  no longer at the état civil step, which now checks only the number and the birthdate;
- ameli: after the immediate-access check (last IBAN characters and carte Vitale serial
  against the reference directory); the directory step says only "ne correspondent pas";
- ameli's code provisoire by post: never on the page, which is the same either way; the
  letter goes to the beneficiary's address in the directory and, for an existing account,
  says so instead of carrying a code.

Each of these answers counts against :func:`idp.signup.limits.check` (per address and per
number). The holder is also told by message (verified email, else verified mobile, else the
directory's postal address), at most once a day, so that someone trying their number is
noticed and the message cannot be used to flood them.
"""

from __future__ import annotations

import logging

from flask import current_app, g
from flask_babel import lazy_gettext as _l

from idp.accounts.service import find_account
from idp.security.audit import audit
from idp.store.models import Account
from idp.signup import limits
from idp.signup.delivery import deliver
from idp.web.outcome import Outcome

log = logging.getLogger("idp.signup")
TAKEN = {
    "password": _l("Un compte existe déjà avec ce numéro. Connectez-vous ou utilisez « Mot de passe oublié ? »."),
    "code": _l("Un compte existe déjà avec ce numéro. Connectez-vous ou utilisez « Code oublié ? »."),
}
IDENTIFIER_TAKEN = _l("Cet identifiant est déjà pris.")   # said on the identifier step's page again
NOTICE = "account_exists"


def is_number(state) -> bool:
    """The signup's identifier is a NIR (not a username, nor a provisional identifier we drew)."""
    return g.tenant.identifier_scheme.name.startswith("nir") and not state.answers.get("no_nir")


def wording() -> str:
    """ameli calls its password a "code personnel" (a signup checked against its directory)."""
    return "code" if any(step.kind == "directory" for step in g.tenant.config.signup.steps) else "password"


def check_free(state) -> Outcome:
    """At account creation: the identifier is still free (``next``), else the refusal. For a
    NIR the answer is counted (per address and number) and the holder told; a username was
    already shown free at its step, so a refusal here is a race and costs no limit."""
    identifier = state.answers.get("identifier")
    if not identifier or state.data.get("account_id"):
        return Outcome.next()
    if not is_number(state):
        taken = find_account(g.tenant.slug, identifier) is not None
        return Outcome.invalid({"identifier": IDENTIFIER_TAKEN}) if taken else Outcome.next()
    refused = limits.check(identifier)
    if refused:
        return Outcome.limited("identity", refused)
    account = find_account(g.tenant.slug, identifier)
    if account is None:
        return Outcome.next()
    tell_holder(account, state.data.get("address"))
    return Outcome.invalid({"nir": TAKEN[wording()]})


def tell_holder(account: Account, letter_to: list[str] | None = None) -> None:
    """Tell an account's holder that a signup gave their number, once a day at most."""
    counters = current_app.extensions["idp_counters"]
    if counters.incr(f"signup-holder-notice:{g.tenant.slug}:{account.id}", limits.DAY) > 1:
        return
    phone_verified = (account.profile or {}).get("phone_number_verified")
    if account.email and account.email_verified:
        deliver("email", account.email, NOTICE, {})
    elif account.phone_number and phone_verified:
        deliver("sms", account.phone_number, NOTICE, {})
    elif letter_to:
        name = " ".join(n for n in (account.given_name, account.family_name) if n)
        deliver("letter", {"name": name, "lines": letter_to}, NOTICE, {})
    else:
        audit("signup.existing_account", "failure", account=account.id, reason="unreachable")
        return
    audit("signup.existing_account", account=account.id)
