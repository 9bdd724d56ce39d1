"""Signup journeys, driven by tenant configuration: one step engine renders the steps a
tenant declares in ``[tenants.<slug>.signup]`` (which fields, which checks, which
verification). A new tenant is new configuration, not new Python."""
