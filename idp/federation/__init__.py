"""Logging in through an upstream identity federation (FranceConnect), as its relying party.

``provider`` builds the upstream client from ``[providers.franceconnect]``; ``linking``
decides which account an upstream identity is (already linked, matched on the identité
pivot and proven by a local login, or new); ``views`` are the pages of the journey.
"""
