"""Security primitives: password hashing, the identifier vault (blind indexes and sealing),
the shared short-lived counters (throttling, limits) and the audit events."""
