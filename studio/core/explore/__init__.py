"""Exploring a trained model: latent specs, rendering, directions, favourites, walks and image exports."""
