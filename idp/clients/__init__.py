"""Relying-party clients: their registration and validation, the profiles of known kinds of
client, and the client as Authlib sees it (with the keyed hash of its secret)."""
