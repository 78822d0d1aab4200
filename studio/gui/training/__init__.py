"""The training dock: presets, model and hyperparameter forms, Train/Pause/Stop."""
