"""Validators for the signup forms: plain functions ``value -> Result``.

Each module names its sources. They are registered by name in :mod:`policies.registry`
("phone", "mobile_phone", "postal_code", "birthdate", "iban", "iban_last7", "vitale",
"identity_document", "siren", "siret", "rna", "insee_commune", "insee_country",
"insee_birthplace", "email").
"""
