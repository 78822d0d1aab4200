"""The headless command line, ``python -m studio ...``: one module per command group."""
