"""The main window's training: Train, Pause and Stop, the trainer's events shown on the panels, and
samples and exports answered by the trainer while it trains (by the render worker and tasks otherwise).

A part of :class:`~studio.gui.main_window.MainWindow`, kept apart so the window's own module is about
what is open; it uses the window's panels, session and threads.
"""

from __future__ import annotations

from pathlib import Path

from studio.core.evaluation.vocabulary import quality_note
from studio.core.explore.jobs import export_batch
from studio.core.training.events import (CheckpointSaved, Finished, Paused, QualityMeasured, Recovered, SamplesReady,
                                         Started, StepLogged)
from studio.gui.render_worker import RenderResult
from studio.gui.training.worker import TrainWorker


class WindowTraining:
    """Training, steered from the window (mixed into ``MainWindow``)."""

    # --------------------------------------------------------------- training
    def is_training(self) -> bool:
        return self.session.training

    def start_training(self) -> None:
        if self.is_training() or self._block_reason():
            return
        config = self.current_config()
        worker = TrainWorker(config, self.session.dataset, resume_path=self.session.run_path)
        for signal, slot in ((worker.started, self._on_started), (worker.step_logged, self._on_step),
                             (worker.samples_ready, self._on_samples), (worker.checkpoint_saved, self._on_checkpoint),
                             (worker.quality_measured, self._on_quality), (worker.recovered, self._on_recovered),
                             (worker.paused, self._on_paused), (worker.finished, self._on_finished),
                             (worker.failed, self._on_failed),
                             (worker.done, self._on_training_done)):
            signal.connect(slot)
        if self.session.run_path is None:
            self.curves_panel.clear()
            self.samples_panel.clear()
        self.session.start_training(worker)
        self.training_panel.show_message("Starting…")
        self.threads.start(worker)
        self._refresh()

    def toggle_pause(self) -> None:
        session = self.session
        if session.trainer is None or session.stopping:
            return
        session.paused = session.trainer.toggle_pause()
        self.training_panel.show_message("Pausing after this step…" if session.paused else "Training.")
        self._refresh()

    def _on_paused(self, event: Paused) -> None:
        """The trainer holds: say where, and ``training_paused(step)``."""
        if self.session.paused:
            self.training_panel.show_message(f"Paused at step {event.step:,}.")
            self.training_paused.emit(event.step)

    def stop_training(self) -> None:
        if self.session.trainer is None or self.session.stopping:
            return
        self.session.trainer.stop()
        self.session.stopping = True
        self.training_panel.show_message("Stopping and saving a checkpoint…")
        self._refresh()

    def _on_started(self, event: Started) -> None:
        self.session.run_path, self.session.run_step = Path(event.run_dir), event.start_step
        if event.resumed:
            self.curves_panel.truncate(event.start_step)
        self._show_device(event.device)
        self.settings.add_recent_run(self.session.run_path)
        self.training_panel.show_message(
            f"{'Resumed' if event.resumed else 'Training'} {self.session.run_path.name} from step {event.start_step:,}.")
        self._refresh()

    def _on_step(self, event: StepLogged) -> None:
        self.session.last_log = event
        self.curves_panel.append({"step": event.step, "g_loss": event.g_loss, "d_loss": event.d_loss,
                                  "d_real": event.d_real, "d_fake": event.d_fake})
        self.training_panel.show_progress(event.step, event.total_steps, event.images_per_sec, event.eta_s, self.session.quality)
        self._refresh_status_line()

    def _on_samples(self, event: SamplesReady) -> None:
        self.samples_panel.show_samples(event.images, event.step, event.seed)

    def _on_checkpoint(self, event: CheckpointSaved) -> None:
        self.session.checkpoint_saved(event.step)
        if self.session.pending_export is not None:
            self._start_export(*self.session.pending_export)
            self.session.pending_export = None
        self._refresh()

    def _on_quality(self, event: QualityMeasured) -> None:
        self.curves_panel.append(event.record)
        self.session.quality = quality_note(event.record, event.best)
        self._refresh_status_line()

    def _on_recovered(self, event: Recovered) -> None:
        """The divergence guard rolled training back: the curves return to that step too."""
        self.curves_panel.truncate(event.rolled_back_to)
        self.training_panel.show_message(event.message)
        self.statusBar().showMessage(event.message)

    def _on_finished(self, event: Finished) -> None:
        self.session.run_step = event.step
        self.training_panel.show_message(
            event.reason or (f"Stopped at step {event.step:,}; a checkpoint was saved." if event.stopped
                             else f"Finished at step {event.step:,}."))

    def _on_failed(self, sentence: str) -> None:
        self.training_panel.show_message(sentence)
        self.statusBar().showMessage(sentence)

    def _on_training_done(self) -> None:
        session = self.session
        session.training_ended()
        if session.pending_export is not None and session.run_has_checkpoint:
            self._start_export(*session.pending_export)
        session.pending_export = None
        self._refresh()
        self.training_ended.emit()
        if session.close_when_stopped:
            self.close()

    # ------------------------------------------------------- samples / export
    def _new_noise(self, seed: int, count: int) -> None:
        session = self.session
        if session.trainer is not None:
            session.trainer.request_preview(seed)
            self.samples_panel.show_message("New noise: the next samples from training will use it.")
        elif session.run_path is not None and session.run_has_checkpoint:
            self.renderer.request(session.run_path, seed, count)

    def _on_rendered(self, result: RenderResult) -> None:
        if result.request.run_path == self.session.run_path and not self.is_training():
            self.samples_panel.show_samples(result.images, result.step, result.request.seed)

    def _export(self, folder: Path, count: int, seed: int) -> None:
        session = self.session
        if session.trainer is not None:
            session.pending_export = (folder, count, seed)
            session.trainer.request_checkpoint()
            self.samples_panel.show_message("Saving a checkpoint to export from…")
        elif session.run_path is not None and session.run_has_checkpoint:
            self._start_export(folder, count, seed)

    def _start_export(self, folder: Path, count: int, seed: int) -> None:
        self.threads.run(export_batch, self.session.run_path, folder, count, seed, 1.0, None, None,
                         doing="Exporting images", on_progress=self.samples_panel.show_export_progress,
                         on_result=self.samples_panel.show_export_done, on_error=self.samples_panel.show_export_failed)
