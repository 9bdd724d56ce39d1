"""Development tooling: stand-ins for upstream services, run locally and in tests.

Never packaged (pyproject only ships ``idp*``, ``policies*``, ``keys*``, ``providers*``).
"""
