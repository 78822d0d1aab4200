"""The dataset dock: choose a source, see its summary, thumbnails and skipped files."""
