"""French message templates. ``{tenant_name}`` is always available; codes and links never
appear in a subject line (it shows on lock screens and in mail logs)."""

from __future__ import annotations

TEMPLATES: dict[str, dict[str, str]] = {
    "activation_code": {
        "subject": "{tenant_name} – votre code de confirmation",
        "text": "{tenant_name} : votre code de confirmation est {code}. Il expire dans {minutes} minutes. "
                "Ne le communiquez à personne.",
    },
    "activation_link": {
        "subject": "{tenant_name} – activez votre compte",
        "text": "Bonjour,\n\nPour activer votre compte {tenant_name}, ouvrez ce lien :\n{link}\n\n"
                "Il est valable {hours} heures. Si vous n'avez pas demandé la création d'un compte, "
                "ignorez ce message.\n",
    },
    "password_reset_code": {
        "subject": "{tenant_name} – changement de mot de passe",
        "text": "{tenant_name} : votre code pour choisir un nouveau mot de passe est {code}. "
                "Il expire dans {minutes} minutes. Si vous n'êtes pas à l'origine de cette demande, "
                "ignorez ce message.",
    },
    "identifier_reminder": {
        "subject": "{tenant_name} – votre identifiant",
        "text": "Bonjour,\n\nVous avez demandé votre identifiant {tenant_name} : {identifier}\n\n"
                "Si vous n'êtes pas à l'origine de cette demande, ignorez ce message.\n",
    },
    "provisional_code_letter": {
        "subject": "{tenant_name} – votre code provisoire",
        "text": "Madame, Monsieur,\n\nVoici votre code provisoire pour accéder à votre compte {tenant_name} : "
                "{code}\n\nIl est valable {days} jours. À la première connexion, avec votre numéro de sécurité "
                "sociale et ce code, vous choisirez votre code personnel.\n",
    },
    "email_change_code": {
        "subject": "{tenant_name} – confirmez votre nouvelle adresse",
        "text": "{tenant_name} : votre code de confirmation est {code}. Il expire dans {minutes} minutes.",
    },
}


def render(name: str, context: dict) -> tuple[str, str]:
    """(subject, text) of template ``name``; a missing value is a programming error."""
    template = TEMPLATES[name]
    return template["subject"].format(**context), template["text"].format(**context)
