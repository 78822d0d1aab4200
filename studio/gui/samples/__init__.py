"""The samples tab: the fixed-noise grid that sharpens while a model trains."""
