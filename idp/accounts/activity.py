"""A person's own recent security events, on their /account page (issue 17).

Read from the audit trail (:class:`~idp.store.models.AuditEvent`, written by
:func:`idp.security.audit.audit`): the events of their account that they can recognise,
each with a French label. Events that only an operator reads (codes issued, internal
refusals) are not shown; nor is the IP address, which says nothing the person needs.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from idp.store.db import db, scoped
from idp.store.models import Account, AuditEvent

LABELS = {
    "login.success": _l("Connexion"),
    "franceconnect.login": _l("Connexion avec FranceConnect"),
    "session.ended": _l("Déconnexion"),
    "password.changed": _l("Changement de votre code ou mot de passe"),
    "password.reset": _l("Réinitialisation de votre code ou mot de passe"),
    "contact.changed": _l("Modification de votre adresse électronique ou de votre mobile"),
    "consent.given": _l("Accès autorisé à un service"),
    "consent.withdrawn": _l("Accès retiré à un service"),
    "account.activated": _l("Ouverture du compte"),
    "account.suspended": _l("Suspension du compte par le support"),
    "account.unlocked": _l("Rétablissement du compte par le support"),
    "sessions.revoked_by_operator": _l("Fermeture de vos sessions par le support"),
    "franceconnect.unlink": _l("Retrait du lien avec FranceConnect"),
}
SHOWN = 10


def recent_events(account: Account) -> list[tuple[object, str]]:
    """``(time, label)`` of the account's last ``SHOWN`` recognisable events, newest first."""
    query = scoped(AuditEvent, account.tenant, account_id=account.id).where(
        AuditEvent.event.in_(tuple(LABELS))).order_by(AuditEvent.id.desc()).limit(SHOWN)
    return [(row.time, LABELS[row.event]) for row in db.session.execute(query).scalars()]
