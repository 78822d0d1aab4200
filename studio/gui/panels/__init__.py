"""One widget per dock or tab; each can be run alone with ``python -m studio.gui.panels.<name>``."""
