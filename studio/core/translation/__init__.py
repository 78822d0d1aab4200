"""Unpaired image-to-image translation (style transfer): CUT, FastCUT and CycleGAN runs on two image sets.

The run folder, checkpoints, validation gate, task state and trainer controls are the generation
engine's own; this package adds the translation models, losses, training loop and application.
"""
