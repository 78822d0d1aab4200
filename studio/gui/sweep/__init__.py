"""The Sweep tab: search training settings with Optuna, watch the trials, open or continue the best."""
