"""The Translate tab: train a style-transfer run on two image sets, watch it learn, apply it to images."""
