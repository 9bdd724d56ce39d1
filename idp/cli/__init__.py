"""The ``idp`` operator command line: :func:`idp.cli.main.main`, one module per group."""
