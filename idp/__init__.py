"""The identity provider's Flask application (see :func:`idp.app.create_app`)."""
