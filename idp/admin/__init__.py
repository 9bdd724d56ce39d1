"""The admin API (issue 17): operator clients, their bearer tokens, the operations on the
tenants' clients, accounts, keys and audit trail, and its OpenAPI document.

- :mod:`idp.admin.operators`: operator clients and their tokens (``idp operators``,
  ``POST /admin/token``);
- :mod:`idp.admin.api`: the operations, under ``/admin/api/v1/``;
- :mod:`idp.admin.openapi`: their OpenAPI 3.1 document, at ``/admin/openapi.json``;
- :mod:`idp.admin.problems`: every error as RFC 9457 problem details.

The API holds no logic of its own: it calls the services the CLI calls
(:mod:`idp.clients.admin`, :mod:`idp.accounts.lifecycle`, :mod:`idp.store.keystore`).
"""
