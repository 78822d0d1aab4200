"""What the window has open, as plain data: the dataset, the device, the run and the training in
progress. The main window only displays it; the rules that read it (may Train start now, what the
status line says) live here, so they can be checked without a window.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from studio.core.config import DataConfig, RunConfig
from studio.core.runs import continue_problem
from studio.core.training.events import StepLogged
from studio.gui.formatting import format_age, format_duration

WAIT_FOR_DATA = "Wait until the dataset has loaded."
ONE_LONG_JOB = ("Training and a sweep cannot run at the same time (the computer cannot do both at full speed); "
                "stop the one running to start the other.")


@dataclass
class StudioSession:
    dataset: Any = None  # the loaded ImageDataset
    dataset_config: DataConfig | None = None
    dataset_error: str = ""
    dataset_load: Any = None  # the Task loading a dataset, while it runs
    device_problem: str = ""
    run_path: Path | None = None
    run_step: int = 0
    run_has_checkpoint: bool = False
    trainer: Any = None  # the TrainWorker, while training
    sweeping: bool = False  # a sweep runs in the Sweep tab
    paused: bool = False
    stopping: bool = False
    close_when_stopped: bool = False
    last_log: StepLogged | None = None
    quality: str = ""  # the latest training-time measurement, in a few words
    last_checkpoint_at: float | None = None  # time.monotonic() of the last checkpoint saved while open
    pending_export: tuple[Path, int, int] | None = None  # (folder, count, seed) waiting for a checkpoint

    @property
    def training(self) -> bool:
        return self.trainer is not None

    @property
    def can_sample(self) -> bool:
        return self.training or self.run_has_checkpoint

    def start_loading(self, load: Any) -> None:
        self.dataset_load, self.dataset, self.dataset_config, self.dataset_error = load, None, None, ""

    def loaded(self, dataset: Any, config: DataConfig) -> None:
        self.dataset_load, self.dataset, self.dataset_config = None, dataset, config

    def load_failed(self, sentence: str) -> None:
        self.dataset_load, self.dataset_error = None, sentence

    def open_run(self, path: Path | None, step: int = 0, has_checkpoint: bool = False) -> None:
        """Show ``path`` (None: a new run) at ``step``; what was logged for another run is forgotten."""
        self.run_path, self.run_step, self.run_has_checkpoint = path, step, has_checkpoint
        self.last_checkpoint_at, self.last_log, self.quality = None, None, ""

    def start_training(self, trainer: Any) -> None:
        self.trainer, self.paused, self.stopping = trainer, False, False
        self.last_log, self.quality = None, ""
        if self.run_path is None:
            self.last_checkpoint_at = None

    def checkpoint_saved(self, step: int) -> None:
        self.last_checkpoint_at, self.run_step, self.run_has_checkpoint = time.monotonic(), step, True

    def training_ended(self) -> None:
        self.trainer, self.paused, self.stopping = None, False, False

    def sweep_block_reason(self) -> str:
        """Why a sweep cannot start now ('' when it can): training and a sweep never run together."""
        return ONE_LONG_JOB if self.training else ""

    def block_reason(self, config: RunConfig) -> str:
        """Why Train cannot start with the valid ``config`` now ('' when it can)."""
        if self.sweeping:
            return ONE_LONG_JOB
        if self.device_problem:
            return self.device_problem
        if self.dataset_error:
            return self.dataset_error
        if self.dataset is None or config.data != self.dataset_config:
            return WAIT_FOR_DATA
        return continue_problem(self.run_step, config.train.steps) if self.run_path is not None else ""

    def status_text(self) -> str:
        """The status line: step, speed and ETA while training, the open run otherwise, checkpoint age."""
        parts: list[str] = []
        log = self.last_log
        if log is not None:
            parts.append(f"step {log.step:,}/{log.total_steps:,}")
            if self.training:
                parts += [f"{log.images_per_sec:,.0f} img/s", f"ETA {format_duration(log.eta_s)}"]
            if self.quality:
                parts.append(self.quality)
        elif self.run_path is not None:
            parts.append(f"{self.run_path.name} · step {self.run_step:,}")
        if self.paused:
            parts.append("paused")
        if self.last_checkpoint_at is not None:
            parts.append(f"last checkpoint {format_age(time.monotonic() - self.last_checkpoint_at)}")
        return " · ".join(parts) if parts else "Ready"
