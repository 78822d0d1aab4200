"""The Optuna study of a sweep: a JournalStorage file in the folder, its sampler and its pruner.

Works with Optuna 3.6 to 5.x (the journal file backend moved between them). Optuna's own log
lines are silenced; anything wrong with the journal (garbage bytes, another study's journal,
a line Optuna cannot replay) is one sentence. Before Optuna reads it, the journal passes the
validation gate: a regular file inside the sweep folder, at most ``GAN_STUDIO_MAX_JOURNAL_MB``
(default 256 MiB, some hundred thousand trials), no line over :data:`MAX_JOURNAL_LINE` (Optuna
would hold such a line whole).
"""

from __future__ import annotations

import logging
import os
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from studio.core.errors import Cancelled, StudioError
from studio.core.sweep.spec import SweepSpec
from studio.core.sweep.space import starting_point
from studio.core.validation import MIB, check_inside, check_line_lengths, check_size

JOURNAL_FILE = "study.journal"
STARTUP_TRIALS = 5  # random trials before TPE models the results
PRUNER_STARTUP_TRIALS = 3  # trials that always finish, so the median means something
PRUNE_STRIKES = 2  # measurements in a row below the median before a trial is pruned
JOURNAL_LIMIT = ("GAN_STUDIO_MAX_JOURNAL_MB", 256)
MAX_JOURNAL_LINE = MIB  # the studio's entries are a few hundred bytes


def optuna_module() -> Any:
    """Optuna, imported on first use (about half a second) with its log lines and warnings quiet."""
    import optuna

    optuna.logging.set_verbosity(logging.WARNING)
    warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)
    warnings.filterwarnings("ignore", module="optuna")
    return optuna


def _storage(path: Path) -> Any:
    optuna = optuna_module()
    try:
        from optuna.storages.journal import JournalFileBackend, JournalFileOpenLock  # Optuna 4 and later
    except ImportError:
        from optuna.storages import JournalFileOpenLock, JournalFileStorage as JournalFileBackend  # Optuna 3
    return optuna.storages.JournalStorage(JournalFileBackend(str(path), lock_obj=JournalFileOpenLock(str(path))))


@contextmanager
def study_errors(folder: Path) -> Iterator[None]:
    """Turn anything Optuna raises on a damaged or foreign journal into one sentence."""
    try:
        yield
    except (StudioError, Cancelled, KeyboardInterrupt):
        raise
    except OSError as error:
        raise StudioError(f"The sweep's study '{Path(folder) / JOURNAL_FILE}' could not be used "
                          f"({error.strerror or error}).") from None
    except Exception as error:  # what Optuna raises on a journal it cannot replay varies by version
        raise StudioError(f"The sweep's study '{Path(folder) / JOURNAL_FILE}' is damaged or was not written by this "
                          f"sweep ({type(error).__name__}), so the sweep cannot be read.") from None


def open_study(folder: Path, spec: SweepSpec, create: bool = False, sampler_offset: int = 0) -> Any:
    """The sweep's study; with ``create`` a new one when the journal has none yet. A journal of another
    study, or a damaged one, is refused in one sentence. ``sampler_offset`` shifts the sampler's
    seed (by the trials already run) so a resumed sweep does not repeat its first random trials."""
    optuna = optuna_module()
    folder = Path(folder)
    path = folder / JOURNAL_FILE
    if not create and not path.is_file():
        raise StudioError(f"The sweep '{folder}' has no {JOURNAL_FILE}; it has not run a trial yet.")
    check_journal(folder)
    with study_errors(folder):
        storage = _storage(path)
        names = [summary.study_name for summary in storage.get_all_studies()]
        if spec.study_name not in names:
            if names or not create:
                raise StudioError(f"The sweep's study '{path}' belongs to another sweep ({len(names)} other "
                                  f"stud{'y' if len(names) == 1 else 'ies'}), so it cannot be continued here.")
            study = optuna.create_study(study_name=spec.study_name, storage=storage, direction="minimize",
                                        sampler=make_sampler(spec, sampler_offset), pruner=make_pruner(spec))
            study.enqueue_trial(starting_point(spec.base, spec.space))  # trial 0: the settings a run would use
            return study
        study = optuna.load_study(study_name=spec.study_name, storage=storage,
                                  sampler=make_sampler(spec, sampler_offset), pruner=make_pruner(spec))
        if study.direction != optuna.study.StudyDirection.MINIMIZE:
            raise StudioError(f"The sweep's study '{path}' maximises its value, so it was not written by this sweep.")
        return study


def check_journal(folder: Path) -> None:
    """Refuse the sweep's journal in one sentence unless it is a regular file inside ``folder``, within its
    size limit and made of lines of at most :data:`MAX_JOURNAL_LINE` bytes (a missing one passes: it is made)."""
    path = Path(folder) / JOURNAL_FILE
    if not os.path.lexists(path):
        return
    check_inside(path, folder)
    check_size(path, JOURNAL_LIMIT)
    check_line_lengths(path, MAX_JOURNAL_LINE)


def make_sampler(spec: SweepSpec, offset: int = 0) -> Any:
    """TPE from the sweep's seed: a few random trials first, then a model of all parameters together."""
    optuna = optuna_module()
    seed = (spec.seed + offset) % 2**31
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return optuna.samplers.TPESampler(seed=seed, n_startup_trials=STARTUP_TRIALS, multivariate=True)
        except TypeError:
            return optuna.samplers.TPESampler(seed=seed, n_startup_trials=STARTUP_TRIALS)


def make_pruner(spec: SweepSpec) -> Any:
    """The median rule: a trial whose FD is worse than the median of earlier trials at the same step,
    once three trials finished and about a third of its steps are trained. GAN measurements are
    noisy, so the runner prunes only when this says so at two measurements in a row
    (:data:`PRUNE_STRIKES`)."""
    optuna = optuna_module()
    return optuna.pruners.MedianPruner(n_startup_trials=PRUNER_STARTUP_TRIALS, n_warmup_steps=spec.pruner_warmup())
