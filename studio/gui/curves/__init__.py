"""The curves dock: losses, discriminator outputs and quality metrics as they are logged."""
