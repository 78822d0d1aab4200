"""The translation report and the measures it prints: read back from the written file."""

import numpy as np
import pytest
import torch

from studio.core.translation.quality import edge_correlation, ssim, true_answer_scores
from tests.cli.helpers import studio
from studio.core.errors import StudioError
from studio.reporting.translation import write_translation_report
from tests.cli.test_translation_cli import one_thread
from tests.translation_files import tiny_translation_config, translation_sets


def test_structure_measures_tell_kept_structure_from_noise():
    rng = np.random.default_rng(0)
    images = np.zeros((2, 24, 24, 3), np.uint8)
    images[:, 6:18, 6:18] = 200
    noise = rng.integers(0, 256, images.shape, dtype=np.uint8)
    assert ssim(images, images) == pytest.approx(1.0)
    assert edge_correlation(images, 255 - images) == pytest.approx(1.0)  # a new palette keeps the outlines
    assert edge_correlation(images, noise).mean() < 0.3 and ssim(images, noise).mean() < 0.3
    psnr, same = true_answer_scores(images, images)
    assert psnr == float("inf") and same == pytest.approx(1.0)


def test_the_report_of_a_translation_run_has_each_section_with_its_reading(tmp_path):
    from studio.core.translation.data import load_config_pair, new_translation_run
    from studio.core.translation.trainer import TranslationTrainer

    torch.set_num_threads(1)
    config = tiny_translation_config(*translation_sets(tmp_path / "sets"), steps=4)
    pair = load_config_pair(config)
    run = new_translation_run(tmp_path, config, pair, name="run")
    TranslationTrainer(run, pair).run()
    done = studio("translate-report", "--run", run.path, "--out", tmp_path / "report.md", env=one_thread())
    assert done.returncode == 0, done.stderr
    text = (tmp_path / "report.md").read_text()
    for heading in ("Training curves", "Before and after", "Distance to the target set", "Structure kept"):
        assert f"## {heading}" in text
    assert "FD to the target set, translated" in text and "lower means the translations look more like the target set" in text
    assert (tmp_path / "report-assets" / "translation_grid.png").is_file()
    with pytest.raises(StudioError, match="must end in .html, .pdf or .md"):
        write_translation_report(run.path, tmp_path / "report.txt")
