"""What the signup pages show besides their fields: where each error of the summary leads,
the recap before the account is created, and the "compte créé" page."""

from __future__ import annotations

from flask import g, render_template
from flask_babel import lazy_gettext as _l

from idp.accounts.service import account_identifier
from idp.web.formats import long_date, phone
from idp.signup.fields import spec
from idp.signup.steps import visible_fields


def error_targets(fields, channels=None) -> dict[str, str]:
    """Where each error of the summary leads: a radio group's first choice, a date's day."""
    targets = {"document_kind": "document_kind-cni", "channel": f"channel-{(channels or ['sms'])[0]}",
               "birthdate": "birthdate-day"}
    for _, field_spec in fields:
        if field_spec.kind == "radio":
            targets[field_spec.name] = f"{field_spec.name}-{field_spec.choices[0][0]}"
        elif field_spec.kind == "date":
            targets[field_spec.name] = f"{field_spec.name}-day"
    return targets


def recap(steps, answers: dict) -> list[tuple[str, str]]:
    """Each answer in words, dates and phones as a French reader writes them, the NIR masked."""
    rows = []
    for step in steps:
        for chosen in visible_fields(step, answers):
            field_spec = spec(chosen.name)
            value = answers.get(chosen.name)
            if value in ("", None, False):
                continue
            shown = dict(field_spec.choices).get(value, "Oui" if value is True else value)
            if field_spec.kind == "date":
                shown = long_date(value)
            elif field_spec.kind == "tel":
                shown = phone(value)
            rows.append((field_spec.label, shown))
    identifier = answers.get("identifier")
    if identifier:
        masked = g.tenant.identifier_scheme.name.startswith("nir") and not answers.get("no_nir")
        label = _l("Identifiant provisoire") if answers.get("no_nir") else _l("Identifiant")
        rows.append((label, g.tenant.identifier_scheme.mask(identifier) if masked else identifier))
    return rows


def created_page(account, continue_url=None, service=None) -> str:
    """"Votre compte est créé": the identifier to log in with (a NIR masked, as everywhere
    on the pages; a provisional identifier or a username in full, since the person has
    nowhere else to read it), then on to the service, which the person was not shown before."""
    identifier = account_identifier(account)
    scheme = g.tenant.identifier_scheme
    if (account.profile or {}).get("provisional_identifier"):
        label, shown = _l("Votre identifiant provisoire"), identifier
        help_text = _l("Notez-le : il vous servira à vous connecter jusqu'à l'attribution de votre numéro de "
                       "sécurité sociale.")
    elif scheme.name.startswith("nir"):
        label, shown = _l("Votre identifiant : votre numéro de sécurité sociale"), scheme.mask(identifier)
        help_text = _l("Saisissez ses 13 premiers chiffres, tels qu'ils figurent sur votre carte Vitale ou votre "
                       "attestation de droits.")
    else:
        label, shown = _l("Votre identifiant"), identifier
        help_text = _l("Notez-le : il vous servira à vous connecter.")
    return render_template("signup/done.html", identifier=shown, identifier_label=label, identifier_help=help_text,
                           continue_url=continue_url, service=service)
