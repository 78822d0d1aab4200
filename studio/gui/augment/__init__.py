"""The augment tab: a balanced or augmented dataset from a run, and the check whether it helps a classifier."""
