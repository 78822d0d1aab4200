"""How many synthetic images each class gets: the analyst's target, written once for the export and the
usefulness check."""

from __future__ import annotations

from dataclasses import dataclass

from studio.core.errors import StudioError

MODES = ("balance", "per_class", "factor", "count")
MAX_IMAGES = 1_000_000


@dataclass(frozen=True)
class Target:
    """``balance``: every class up to the largest class's count; ``per_class``: every class up to ``value``
    images; ``factor``: every class to ``value`` times its real count; ``count``: ``value`` synthetic images
    in all, for a model that does not know the classes."""

    mode: str = "balance"
    value: float = 0.0

    def check(self, conditional: bool) -> None:
        if self.mode not in MODES:
            raise StudioError(f"The target must be one of {', '.join(MODES)}, not '{self.mode}'.")
        if conditional and self.mode == "count":
            raise StudioError("This model knows its classes; choose a target per class (balance, a number per class "
                              "or a multiple of the real count).")
        if not conditional and self.mode != "count":
            raise StudioError("This model does not know the classes, so it cannot top up each class; ask for a number "
                              "of synthetic images instead.")
        if self.mode == "factor" and not 1.0 <= self.value <= 100.0:
            raise StudioError(f"The multiple of the real count must be between 1 and 100, not {self.value:g}.")
        if self.mode in ("per_class", "count") and not (self.value == int(self.value) and 1 <= self.value <= MAX_IMAGES):
            raise StudioError(f"The number of images must be a whole number from 1 to {MAX_IMAGES:,}, not {self.value:g}.")

    def describe(self) -> str:
        return {"balance": "every class topped up to the largest class's count",
                "per_class": f"every class topped up to {int(self.value):,} images",
                "factor": f"every class grown to {self.value:g}× its real count",
                "count": f"{int(self.value):,} synthetic images"}[self.mode]


def synthetic_targets(real_counts: dict[str, int], target: Target) -> dict[str, int]:
    """Synthetic images to add per class (a ``count`` target gives the total under the key '')."""
    if target.mode == "count":
        return {"": int(target.value)}
    largest = max(real_counts.values(), default=0)
    wanted = {"balance": lambda count: largest, "per_class": lambda count: int(target.value),
              "factor": lambda count: round(target.value * count)}[target.mode]
    return {name: max(0, wanted(count) - count) for name, count in real_counts.items()}
