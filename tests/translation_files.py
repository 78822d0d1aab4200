"""Two tiny image sets for translation tests: demo shapes (the source) and the same kind of shapes with
their colours inverted (the target), as PNG folders."""

from pathlib import Path

from PIL import Image

from tests.data_files import shapes_folder


def translation_sets(root: Path, per_class: int = 4, resolution: int = 16) -> tuple[Path, Path]:
    source = shapes_folder(root / "source", {"circle": per_class, "square": per_class}, resolution)
    target = shapes_folder(root / "target", {"circle": per_class, "square": per_class}, resolution)
    for path in sorted(target.rglob("*.png")):
        with Image.open(path) as image:
            inverted = Image.eval(image.convert("RGB"), lambda value: 255 - value)
        inverted.save(path)
    return source, target


def tiny_translation_config(source: Path, target: Path, model: str = "cut", steps: int = 6):
    from studio.core.translation.config import TranslationConfig, choose_model

    config = TranslationConfig()
    choose_model(config, model)
    config.data.source, config.data.target = str(source), str(target)
    config.data.resolution = 16
    config.data.held_out = 0.25
    config.model.g_width, config.model.d_width, config.model.blocks = 4, 4, 1
    config.train.steps, config.train.batch_size = steps, 2
    config.train.log_every, config.train.sample_every, config.train.checkpoint_every = 2, 3, 3
    config.train.nce_patches = 8
    return config
