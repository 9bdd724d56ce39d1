"""Postal letters: one JSON line per letter in the day's batch file."""

from __future__ import annotations

import json
from datetime import datetime, timezone

from idp.notify import Message

from notify_support import ADDRESS, make_notifier

AMELI = {"tenant": "ameli", "tenant_name": "ameli – Compte assuré"}


def test_letters_are_appended_to_the_dated_batch(tmp_path):
    n = make_notifier(tmp_path, letters={"batch_dir": str(tmp_path / "letters")})
    day = datetime(2025, 3, 14, 9, 30, tzinfo=timezone.utc)
    first = n.send(Message(**AMELI, channel="letter", recipient=ADDRESS, template="provisional_code_letter",
                           context={"code": "AB12CD34", "days": 21}, created_at=day))
    second = n.send(Message(**AMELI, channel="letter", recipient={"name": "Paul Petit", "lines": ["1 place du Marché"],
                                                                   "postal_code": "33000", "city": "Bordeaux"},
                            template="provisional_code_letter", context={"code": "ZZ98YY76"}, created_at=day))
    assert first.status == second.status == "sent"
    batch = tmp_path / "letters" / "letters-20250314.jsonl"
    lines = [json.loads(line) for line in batch.read_text(encoding="utf-8").splitlines()]
    assert [line["id"] for line in lines] == [first.id, second.id]
    letter = lines[0]
    assert letter["to"] == ADDRESS and letter["tenant"] == "ameli"
    assert letter["subject"] == "Votre code provisoire ameli – Compte assuré"
    assert "Madame, Monsieur," in letter["text"]
    assert "pour accéder à votre compte ameli – Compte assuré : AB12CD34" in letter["text"]
    assert "valable 21 jours" in letter["text"] and "valable 30 jours" in lines[1]["text"]
    assert {m["to"]["city"] for m in n.outbox()} == {"Paris", "Bordeaux"}


def test_without_a_batch_folder_letters_only_reach_the_outbox(tmp_path):
    n = make_notifier(tmp_path)
    delivery = n.send_to("letter", ADDRESS, "provisional_code_letter", {"code": "AB12CD34"}, **AMELI)
    assert delivery.status == "queued"
    assert n.outbox()[0]["to"]["postal_code"] == "75011"


def test_an_unwritable_batch_folder_is_a_failed_delivery(tmp_path):
    (tmp_path / "letters").write_text("a file where the folder should be")
    n = make_notifier(tmp_path, letters={"batch_dir": str(tmp_path / "letters")})
    delivery = n.send_to("letter", ADDRESS, "provisional_code_letter", {"code": "AB12CD34"}, **AMELI)
    assert delivery.status == "failed" and delivery.error.startswith("letter batch ")
    assert n.outbox()[0]["status"] == "failed"
