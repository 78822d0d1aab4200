"""Balanced and augmented datasets: real training images plus synthetic ones, in the source's class-folder
layout, with quality gates and a provenance record for every file."""
