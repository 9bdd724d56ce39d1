"""The store: the database handle and its tenant-scoped access (``db``), the models, the
pending-state store (``pending``: signups, the FranceConnect journey), the migrations, the
signing-key storage, and ``idp purge``."""
