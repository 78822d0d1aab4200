"""GAN Studio: train and sample generative adversarial networks on your own images."""

__version__ = "0.1.0"
