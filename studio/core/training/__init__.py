"""Training a model: the trainer, objectives and losses, EMA, DiffAugment, checkpoints, presets, devices, DDP and the events a run emits."""
