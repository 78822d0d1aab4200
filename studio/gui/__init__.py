"""The desktop studio: PySide6 + pyqtgraph + superqt. Holds no training logic; talks to core through workers."""
