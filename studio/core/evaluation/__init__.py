"""Judging a model: feature spaces, metrics, findings and the report model."""
