"""The engine: datasets, models, training, runs and export. Never imports Qt."""
