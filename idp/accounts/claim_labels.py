"""Each claim in words, as the consent page shows what a service will receive.

In the order a person reads an identity: names, birth, contact, then the rest.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

CLAIM_LABELS = {
    "name": _l("Votre nom complet"),
    "given_name": _l("Vos prénoms"),
    "middle_name": _l("Vos autres prénoms"),
    "family_name": _l("Votre nom de famille"),
    "preferred_username": _l("Votre nom d'usage ou nom d'utilisateur"),
    "nickname": _l("Votre surnom"),
    "gender": _l("Votre sexe"),
    "birthdate": _l("Votre date de naissance"),
    "birthplace": _l("Votre lieu de naissance"),
    "birthcountry": _l("Votre pays de naissance"),
    "email": _l("Votre adresse électronique"),
    "email_verified": _l("Si votre adresse électronique a été vérifiée"),
    "phone_number": _l("Votre numéro de téléphone"),
    "phone_number_verified": _l("Si votre numéro de téléphone a été vérifié"),
    "address": _l("Votre adresse postale"),
    "household": _l("Votre dossier familial et vos droits sur ce dossier"),
    "picture": _l("Votre photo"),
    "profile": _l("L'adresse de votre page de profil"),
    "website": _l("Votre site web"),
    "locale": _l("Votre langue"),
    "zoneinfo": _l("Votre fuseau horaire"),
    "updated_at": _l("La date de la dernière mise à jour de vos informations"),
}


def in_reading_order(names) -> list[str]:
    order = list(CLAIM_LABELS)
    return sorted(names, key=lambda name: (order.index(name) if name in order else len(order), name))
