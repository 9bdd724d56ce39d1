"""Logging in through an upstream identity federation (FranceConnect), as its relying party.

``provider`` builds the upstream client from ``[providers.franceconnect]``; ``linking``
decides which account an upstream identity is (already linked, matched on the identité
pivot and everything the account knows, its NIR included, and proven by a local login, or
new); ``checks`` compares a NIR with the pivot; ``views``, ``new_account`` and
``account_link`` are the pages of the journey and of the link in /account.
"""
