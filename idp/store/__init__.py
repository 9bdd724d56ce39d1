"""The store: the database handle and its tenant-scoped access, the models, the migrations,
the signing-key storage, and ``idp purge``."""
