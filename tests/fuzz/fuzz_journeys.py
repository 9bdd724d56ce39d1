"""Each tenant's signup, step by step, with valid answers (those of tests/flows), so that the
property test sends its malformed answers to every step and not only to the first."""

from __future__ import annotations

import re

from fuzz_site import Request
from fuzz_values import mutated

MAIRIE = [
    ("profil", {"profile_type": "citoyen"}),
    ("identite", {"civility": "madame", "birth_name": "Durand", "usage_name": "", "given_name": "Élodie",
                  "birthdate": "1990-04-12", "email": "elodie.durand@example.fr", "phone": "01.01.01.01.01",
                  "mobile": "06.12.34.56.78", "opt_in_email": "on"}),
    ("identifiant", {"identifier": "elodie.durand"}),
    ("mot-de-passe", {"password": "Citoyenne2026", "password_repeat": "Citoyenne2026"}),
    ("conditions", {"cgu": "on", "rgpd": "on"}),
    ("activation", {"channel": "sms"}),
    ("activation/code", {"code": "000000"}),
]
CAF = [
    ("etat-civil", {"nir": "2 90 05 69 123 456", "civility": "madame", "birth_name": "Moreau",
                    "given_names": "Julie Anne", "birthdate": "1990-05-17", "birthplace": "Lyon"}),
    ("foyer", {"household_role": "responsable"}),
    ("piece-identite", {"document_kind": "cni", "document_number": "AB12CD34E"}),
    ("contact", "code:julie.moreau@example.fr"),   # a code sent to it, read from the outbox
    ("mot-de-passe", {"password": "Allocataire2026", "password_repeat": "Allocataire2026"}),
    ("conditions", {"cgu": "on", "rgpd": "on"}),
    ("recapitulatif", {}),
]
AMELI = [
    ("identite", {"birth_name": "Martin", "nir": "1 85 02 33 063 042", "birthdate": "14/02/1985",
                  "postal_code": "33000"}),
    ("acces", {"iban_last7": "0604 312", "vitale_serial": "12345678901"}),
    ("conditions", {"cgu": "on", "rgpd": "on"}),
    ("code-personnel", {"password": "Securite-2026", "password_repeat": "Securite-2026"}),
    ("email", {"email": "pierre.martin@example.fr"}),
    ("activation", {"channel": "email"}),
]
JOURNEYS = {"mairie": MAIRIE, "caf": CAF, "ameli": AMELI}
EXTRA_NAMES = ["action", "code", "contact", "channel", "no_nir"]


class Journey:
    """One browser going through ``tenant``'s signup."""

    def __init__(self, site, tenant: str):
        self.site, self.tenant = site, tenant
        self.browser = site.app.test_client()
        self.csrf = site.csrf(self.browser, tenant)   # one per browser session, valid for every form
        self.steps = JOURNEYS[tenant]

    def path(self, step: str) -> str:
        return f"/{self.tenant}/signup/{step}"

    def reach(self, number: int, fresh: bool = False) -> bool:
        """Is step ``number``'s page shown? Walks the journey again when a malformed answer
        ended the signup (cancelled it, finished it with a provisional identifier) or when
        asked; False once the step was passed for good (the account exists, its identity is
        taken)."""
        path = self.path(self.steps[number][0])
        if self.site.get(self.browser, path).status_code == 200 and not fresh:
            return True
        self.site.get(self.browser, f"/{self.tenant}/signup?restart=1")
        for step, answers in self.steps[:number]:
            if self.answer(step, answers).status_code not in (302, 303):
                return False
        return self.site.get(self.browser, path).status_code == 200

    def answer(self, step: str, answers):
        if step == "activation":
            self._resend_delay_passed()
        form = {"csrf_token": self.csrf, **self._valid(step, answers)}
        return self.site.send(Request(self.browser, "POST", self.path(step), form=form))

    def _resend_delay_passed(self) -> None:
        """A malformed answer with a valid channel already sent the activation code: the
        valid one would wait [verification] resend_interval (429), as a person would."""
        from datetime import timedelta

        from idp.store.db import db
        from idp.store.models import Verification

        delay = timedelta(seconds=self.site.app.config["IDP_SETTINGS"].verification.resend_interval)
        with self.site.app.app_context():
            for row in db.session.execute(db.select(Verification).where(
                    Verification.tenant == self.tenant, Verification.purpose == "activation")).scalars():
                row.last_sent_at -= delay
            db.session.commit()

    def send_malformed(self, draw, number: int) -> None:
        step, answers = self.steps[number]
        # a contact step gets codes sent elsewhere: its own code's attempts are kept for the end
        valid = {"action": "send", "contact": "fuzz@example.fr"} if isinstance(answers, str) else dict(answers)
        pairs = mutated(draw, {**valid, "csrf_token": self.csrf}, sorted(valid) + EXTRA_NAMES)
        self.reach(number)
        self.site.send(Request(self.browser, "POST", self.path(step), form=pairs))

    def _valid(self, step: str, answers) -> dict:
        """The valid answers of a step; for a contact step, a code sent to the contact now."""
        if not isinstance(answers, str):
            return answers
        contact = answers.removeprefix("code:")
        self.site.send(Request(self.browser, "POST", self.path(step),
                               form={"csrf_token": self.csrf, "action": "send", "contact": contact}))
        outbox = self.site.app.extensions["idp_notifier"].outbox()
        message = next(m for m in outbox if m["to"] == contact)
        return {"code": re.search(r"\b(\d{6})\b", message["text"]).group(1)}
