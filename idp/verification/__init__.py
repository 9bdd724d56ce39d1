"""Verification codes (activation, recovery, contact change): issued, sent through
``idp.notify``, checked with a shared attempt budget."""
