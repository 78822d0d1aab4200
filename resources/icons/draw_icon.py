"""The one source of GAN Studio's icon: draws the master image with Pillow.

A 3×3 grid of soft coloured tiles on a dark rounded square, read like the sample grid of a run as it
learns: the first tile is pure noise, each next one less noisy, the last a clean shape. Every size
and format (PNG set, .ico, .icns) is made from this drawing by ``packaging/make_icons.py``.
"""

from __future__ import annotations

import random

from PIL import Image, ImageDraw, ImageFilter

MASTER_SIZE = 1024
BACKGROUND = (30, 36, 48)
# One soft colour per tile, and the shape it sharpens into.
TILES = [((244, 162, 97), "circle"), ((233, 196, 106), "square"), ((138, 201, 162), "triangle"),
         ((110, 180, 214), "cross"), ((157, 142, 222), "circle"), ((236, 132, 150), "triangle"),
         ((120, 205, 200), "square"), ((247, 184, 120), "cross"), ((140, 170, 240), "circle")]


def _shape(draw: ImageDraw.ImageDraw, kind: str, box: tuple[int, int, int, int], colour) -> None:
    x0, y0, x1, y1 = box
    if kind == "circle":
        draw.ellipse(box, fill=colour)
    elif kind == "square":
        draw.rounded_rectangle(box, radius=(x1 - x0) // 8, fill=colour)
    elif kind == "triangle":
        draw.polygon([((x0 + x1) // 2, y0), (x1, y1), (x0, y1)], fill=colour)
    else:
        w = (x1 - x0) // 3
        draw.rectangle((x0 + w, y0, x1 - w, y1), fill=colour)
        draw.rectangle((x0, y0 + w, x1, y1 - w), fill=colour)


def _tile(size: int, colour, kind: str, clarity: float, rng: random.Random) -> Image.Image:
    """One tile: a soft tinted ground with its shape, blurred and speckled less as ``clarity`` goes to 1."""
    ground = tuple(int(c * 0.35 + 40) for c in colour)
    tile = Image.new("RGB", (size, size), ground)
    inset = size // 5
    _shape(ImageDraw.Draw(tile), kind, (inset, inset, size - inset, size - inset), colour)
    noise = 1.0 - clarity
    if noise > 0:
        cells = max(3, int(4 + 8 * clarity))  # coarse blotches first, like an untrained generator
        speckle = Image.new("RGB", (cells, cells))
        values = []
        for _ in range(cells * cells):  # mostly light and dark of the tile's colour, a little hue
            shade = rng.randint(-90, 90)
            values.append(tuple(max(0, min(255, c + shade + rng.randint(-35, 35))) for c in colour))
        speckle.putdata(values)
        speckle = speckle.resize((size, size), Image.Resampling.BICUBIC)
        tile = Image.blend(tile, speckle, 0.85 * noise).filter(ImageFilter.GaussianBlur(size * 0.06 * noise))
    mask = Image.new("L", (size, size), 0)
    ImageDraw.Draw(mask).rounded_rectangle((0, 0, size - 1, size - 1), radius=size // 6, fill=255)
    out = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    out.paste(tile, (0, 0), mask)
    return out


def draw_master(size: int = MASTER_SIZE) -> Image.Image:
    """The icon at ``size`` pixels (RGBA, transparent corners)."""
    rng = random.Random(7)
    icon = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    margin = size // 16
    ImageDraw.Draw(icon).rounded_rectangle((margin, margin, size - margin, size - margin),
                                           radius=size // 5, fill=BACKGROUND + (255,))
    inner = size - 2 * margin
    gap = inner // 22
    tile = (inner - 4 * gap) // 3
    for index, (colour, kind) in enumerate(TILES):
        row, column = divmod(index, 3)
        x = margin + gap + column * (tile + gap)
        y = margin + gap + row * (tile + gap)
        icon.alpha_composite(_tile(tile, colour, kind, index / (len(TILES) - 1), rng), (x, y))
    return icon


if __name__ == "__main__":
    draw_master().save("gan-studio-preview.png")
