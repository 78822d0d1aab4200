"""Hyperparameter sweeps: many short runs with settings chosen by Optuna, one after another.

A sweep is a folder (no torch needed to read it)::

    <sweep>/sweep.json                 what to search, the budget, the dataset, device and base config
    <sweep>/study.journal              the Optuna study (a JournalStorage file): every trial and its FD curve
    <sweep>/trials/trial-000/          one ordinary run folder per trial
    <sweep>/features/                  the classifier feature space, trained once and shared by every trial

- :mod:`.space` the search space (:class:`~.space.Parameter`) and the ``--param`` text;
- :mod:`.spec` ``sweep.json`` (:class:`~.spec.SweepSpec`), written atomically and read with validation;
- :mod:`.study` the Optuna study in the folder: storage, sampler, pruner;
- :mod:`.events` the plain events a running sweep reports;
- :mod:`.runner` :class:`~.runner.SweepRunner`, trials one after another, resumable;
- :mod:`.results` the trials table, curves, importances and the best trial (no torch);
- :mod:`.jobs` the functions the GUI and CLI call.
"""
