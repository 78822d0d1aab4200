"""The Augment tab, driven through its real widgets: the per-class table, Export into a chosen folder,
the usefulness check with its verdict and charts, and a run without test images."""

import csv
import shutil
from collections import Counter

import pytest
from PySide6.QtWidgets import QFileDialog

from tests.gui.helpers import TRAIN_TIMEOUT_MS, click

COUNTS = {"circle": 30, "square": 30, "cross": 6}
TRAINING = {"circle": 27, "cross": 5, "square": 27}  # 10% of each class is held out for testing


@pytest.fixture(scope="module")
def imbalanced_run(tmp_path_factory):
    """A tiny conditional run on shape folders where 'cross' is rare, with 10% of every class held out."""
    from studio.core.config import RunConfig
    from studio.core.data import load_dataset
    from studio.core.training.jobs import new_run
    from studio.core.training.trainer import Trainer
    from tests.data_files import shapes_folder

    root = tmp_path_factory.mktemp("augment-panel")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GAN_STUDIO_HOME", str(root / "home"))
        config = RunConfig()
        config.data.source = str(shapes_folder(root / "data", COUNTS))
        config.data.resolution = 16
        config.model.latent_dim, config.model.g_width, config.model.d_width = 16, 8, 8
        config.train.steps, config.train.batch_size, config.train.eval_every = 30, 16, 0
        config.train.device = "cpu"
        dataset = load_dataset(config.data)
        run = new_run(root / "runs", config, dataset)
        Trainer(run, dataset).run()
    return run.path


def _approved(run_path):
    """The run's dataset approved in this test's studio home (each test has its own seal key)."""
    from studio.core.runs import Run

    run = Run.open(run_path)
    run.use_data_source(run.config.data.source, remember=True)
    return run_path


@pytest.fixture
def panel(qtbot):
    from studio.gui.augment.panel import AugmentPanel
    from studio.gui.tasks import ThreadHost

    host = ThreadHost()
    panel = AugmentPanel(host)
    qtbot.addWidget(panel, before_close_func=lambda _: host.shutdown())
    panel.resize(1200, 800)
    panel.show()
    return panel


def _open(qtbot, panel, run_path):
    with qtbot.waitSignal(panel.opened, timeout=TRAIN_TIMEOUT_MS):
        panel.set_run(run_path, training=False)


def _table(panel) -> dict[str, tuple[str, str, str]]:
    targets = panel.dataset_box.targets
    return {targets.cell(row, 0): tuple(targets.cell(row, column) for column in (1, 2, 3))
            for row in range(targets.table.rowCount())}


def _fast_check(monkeypatch):
    from studio.core.evaluation import usefulness_result

    monkeypatch.setattr(usefulness_result, "PROBE_STEPS", 30)


def test_without_a_run_the_tab_says_what_to_do_and_nothing_can_be_pressed(panel):
    from studio.gui.augment.panel import NO_RUN

    assert panel.header.text() == NO_RUN
    assert not panel.dataset_box.export_button.isEnabled()
    assert not panel.usefulness_box.run_button.isEnabled()


def test_the_table_tops_up_rare_classes_and_export_writes_them(panel, qtbot, imbalanced_run, tmp_path, monkeypatch):
    _open(qtbot, panel, _approved(imbalanced_run))
    assert imbalanced_run.name in panel.header.text()
    assert "kept apart for testing" in panel.header.text()
    assert _table(panel) == {"circle": ("27", "+0", "27"), "cross": ("5", "+22", "27"), "square": ("27", "+0", "27"),
                             "All classes": ("59", "+22", "81")}

    targets = panel.dataset_box.targets
    click(qtbot, targets.per_class)
    targets.per_class_value.setValue(30)
    assert _table(panel)["cross"] == ("5", "+25", "30") and _table(panel)["All classes"] == ("59", "+31", "90")
    click(qtbot, targets.balance)
    assert _table(panel)["cross"] == ("5", "+22", "27")

    chosen = tmp_path / "exports"
    chosen.mkdir()
    (chosen / "notes.txt").write_text("already here")
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *args, **kwargs: str(chosen))
    with qtbot.waitSignal(panel.exported, timeout=TRAIN_TIMEOUT_MS) as exported:
        click(qtbot, panel.dataset_box.export_button)
    out = chosen / "augmented"
    assert exported.args[0].out_dir == out
    with open(out / "manifest.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert Counter((row["origin"], row["class"]) for row in rows) == {
        ("real", "circle"): 27, ("real", "cross"): 5, ("real", "square"): 27, ("synthetic", "cross"): 22}
    assert len(list((out / "cross").glob("synthetic-*.png"))) == 22
    lines = panel.dataset_box.lines.toPlainText()
    assert "cross: 5 real + 22 synthetic (asked 22," in lines
    assert str(out) in panel.dataset_box.message.text()
    assert "held-out test images are left out" in panel.dataset_box.message.text()
    assert panel.dataset_box.open_folder.isVisible()
    assert panel.dataset_box.export_button.isEnabled() and not panel.dataset_box.cancel_button.isVisible()


def test_the_usefulness_check_shows_a_verdict_charts_and_table_and_comes_back_on_open(
        panel, qtbot, imbalanced_run, monkeypatch):
    from studio.core.evaluation.usefulness_result import RESULT_FILE
    from studio.gui.augment.panel import AugmentPanel
    from studio.gui.augment.usefulness_box import verdict_html
    from studio.gui.tasks import ThreadHost

    _fast_check(monkeypatch)
    (imbalanced_run / RESULT_FILE).unlink(missing_ok=True)
    _open(qtbot, panel, _approved(imbalanced_run))
    box = panel.usefulness_box
    assert not box.verdict.isVisible() and not box.choose_test.isVisible()
    box.seeds.setValue(1)
    with qtbot.waitSignal(panel.checked, timeout=TRAIN_TIMEOUT_MS) as checked:
        click(qtbot, box.run_button)
    result = checked.args[0]
    assert result.seeds == 1 and len(result.ways) == 5
    assert result.verdict() and box.verdict.isVisible() and box.verdict.text() == verdict_html(result.verdict())
    assert len(box.accuracy_chart.bars.opts["width"]) == 5
    assert [bars.opts["name"] for bars in box.recall_chart.bars] == ["Real only", "Real + synthetic",
                                                                    "Rare classes repeated"]
    assert box.table.rowCount() == 5 and box.table.item(0, 0).text() == "Real only"
    assert "held-out test images" in box.caption.text() and "1 seed;" in box.caption.text()
    assert (imbalanced_run / RESULT_FILE).is_file()

    host = ThreadHost()
    again = AugmentPanel(host)
    qtbot.addWidget(again, before_close_func=lambda _: host.shutdown())
    again.show()
    _open(qtbot, again, imbalanced_run)
    assert again.usefulness_box.verdict.text() == verdict_html(result.verdict())
    assert len(again.usefulness_box.accuracy_chart.bars.opts["width"]) == 5


def test_cancel_stops_the_check_and_keeps_nothing(panel, qtbot, imbalanced_run):
    from studio.core.evaluation.usefulness_result import RESULT_FILE

    (imbalanced_run / RESULT_FILE).unlink(missing_ok=True)
    _open(qtbot, panel, _approved(imbalanced_run))
    box = panel.usefulness_box
    click(qtbot, box.run_button)
    assert box.cancel_button.isVisible() and not box.run_button.isVisible()
    qtbot.waitUntil(lambda: box.progress.value() > 0, timeout=TRAIN_TIMEOUT_MS)
    click(qtbot, box.cancel_button)
    qtbot.waitUntil(lambda: not panel.busy(), timeout=TRAIN_TIMEOUT_MS)
    assert "cancelled" in box.message.text()
    assert box.run_button.isVisible() and box.run_button.isEnabled() and not box.progress.isVisible()
    assert not (imbalanced_run / RESULT_FILE).exists()


def test_a_run_without_test_images_asks_for_a_folder_to_test_on(panel, qtbot, imbalanced_run, tmp_path, monkeypatch):
    from studio.core.runs import HELD_OUT_FILE
    from tests.data_files import shapes_folder

    _fast_check(monkeypatch)
    old = tmp_path / "old-run"
    shutil.copytree(imbalanced_run, old, ignore=shutil.ignore_patterns(HELD_OUT_FILE, "usefulness.json"))
    _open(qtbot, panel, _approved(old))
    assert "before the studio kept test images apart" in panel.header.text()
    assert _table(panel)["All classes"] == ("66", "+24", "90")
    box = panel.usefulness_box
    box.seeds.setValue(1)
    assert box.choose_test.isVisible()
    with qtbot.waitSignal(panel.failed, timeout=TRAIN_TIMEOUT_MS) as failed:
        click(qtbot, box.run_button)
    assert "no untouched test images" in failed.args[0] and box.message.text() == failed.args[0]
    assert box.choose_test.isVisible() and box.choose_test.isEnabled()

    test_images = shapes_folder(tmp_path / "test", {"circle": 4, "square": 4, "cross": 4})
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *args, **kwargs: str(test_images))
    with qtbot.waitSignal(panel.checked, timeout=TRAIN_TIMEOUT_MS) as checked:
        click(qtbot, box.choose_test)
    assert checked.args[0].test_source == str(test_images)
    assert sum(checked.args[0].test_counts) == 12
    assert str(test_images) in box.caption.text() and box.verdict.text()


def test_a_run_whose_data_this_studio_never_approved_says_so(panel, qtbot, imbalanced_run):
    _open(qtbot, panel, imbalanced_run)  # sealed in another studio home: its dataset counts as from elsewhere
    assert "outside the run folder" in panel.problem.text() and panel.problem.isVisible()
    assert _table(panel)["All classes"] == ("59", "+22", "81"), "the counts the run recorded"
    assert not panel.dataset_box.export_button.isEnabled()
    assert panel.dataset_box.export_button.toolTip() == panel.problem.text()
    assert not panel.usefulness_box.run_button.isEnabled()


def test_a_model_without_classes_offers_a_count_and_no_check(panel, qtbot, trained_run):
    _open(qtbot, panel, trained_run.path)
    targets = panel.dataset_box.targets
    assert targets.count_value.isVisible() and not targets.balance.isVisible()
    assert "without classes" in targets.note.text()
    targets.count_value.setValue(40)
    assert _table(panel)["All classes"][1] == "+40"
    assert panel.dataset_box.export_button.isEnabled()
    assert not panel.usefulness_box.run_button.isEnabled()
    assert "knows the classes" in panel.usefulness_box.message.text()


def test_the_window_tells_the_augment_tab_about_the_run_it_trained(window, qtbot):
    from tests.gui.helpers import train_to_end

    panel = window.augment_panel
    assert window.tabs.tabText(window.tabs.indexOf(panel)) == "Augment"
    run_path = train_to_end(window, qtbot)
    with qtbot.waitSignal(panel.opened, timeout=TRAIN_TIMEOUT_MS):
        window.tabs.setCurrentWidget(panel)
    assert run_path.name in panel.header.text() and "checkpoint at step 30" in panel.header.text()
    assert panel.dataset_box.export_button.isEnabled() and panel.usefulness_box.run_button.isEnabled()
