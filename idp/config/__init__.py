"""Configuration: typed settings (TOML and ``IDP_*`` variables), the tenants built from them,
``config.toml``'s bootstrap, and the production checks that refuse a development setup."""
