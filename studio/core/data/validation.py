"""The validation report: what was used, what was skipped and why, duplicates, sizes and shapes.

It is plain JSON-ready data, shown in the Dataset panel, printed by ``data inspect`` and written
to ``dataset_report.json`` in every run.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence

SIZE_BINS = [(0, 32, "under 32 px"), (32, 64, "32–63 px"), (64, 128, "64–127 px"), (128, 256, "128–255 px"),
             (256, 512, "256–511 px"), (512, 1024, "512–1023 px"), (1024, 10**9, "1024 px and more")]
ASPECT_BINS = [(0, 0.5, "tall (taller than 1:2)"), (0.5, 0.8, "portrait"), (0.8, 1.25, "about square"),
               (1.25, 2.0, "landscape"), (2.0, 10**9, "wide (2:1 or wider)")]
MAX_DUPLICATE_GROUPS = 200
MAX_HIDDEN_SHOWN = 20


def build_report(
    *,
    source: str,
    kind: str,
    options: dict,
    class_names: list[str],
    labels: Sequence[int],
    names: Sequence[str],
    sizes: Sequence[tuple[int, int]],
    digests: Sequence[str],
    skipped: Sequence[tuple[str, str]],
    hidden_folders: Sequence[str] = (),
) -> dict:
    """``names``, ``sizes`` and ``digests`` describe the used images, in the order of ``labels``."""
    counts = Counter(labels)
    groups = defaultdict(list)
    for name, digest in zip(names, digests):
        groups[digest].append(name)
    duplicates = [members for members in groups.values() if len(members) > 1]
    return {
        "source": source,
        "kind": kind,
        "options": options,
        "images": len(labels),
        "classes": {name: counts.get(index, 0) for index, name in enumerate(class_names)},
        "skipped": [{"path": path, "reason": reason} for path, reason in skipped],
        "hidden_folders": list(hidden_folders),
        "duplicate_groups": len(duplicates),
        "duplicates": duplicates[:MAX_DUPLICATE_GROUPS],
        "sizes": _histogram((min(w, h) for w, h in sizes), SIZE_BINS),
        "aspects": _histogram((w / h for w, h in sizes if h), ASPECT_BINS),
    }


def hidden_line(report: dict) -> str:
    """One line naming the hidden folders left out ('' when none): a ``.git`` or ``.thumbnails`` folder
    is rightly not read, but an analyst who put images there must learn why they are missing."""
    hidden = report.get("hidden_folders") or []
    if not hidden:
        return ""
    shown = ", ".join(hidden[:MAX_HIDDEN_SHOWN]) + (f" and {len(hidden) - MAX_HIDDEN_SHOWN:,} more"
                                                     if len(hidden) > MAX_HIDDEN_SHOWN else "")
    return f"Hidden folders left out (names starting with a dot): {shown}"


def _histogram(values, bins) -> dict[str, int]:
    counts = dict.fromkeys((label for _, _, label in bins), 0)
    for value in values:
        for low, high, label in bins:
            if low <= value < high:
                counts[label] += 1
                break
    return counts


def report_lines(report: dict) -> list[str]:
    """The report as the lines ``data inspect`` prints."""
    lines = [f"Source: {report['source']} ({report['kind']})",
             f"Images used: {report['images']:,}"]
    lines += [f"  {name}: {count:,}" for name, count in report["classes"].items()]
    lines.append(f"Skipped files: {len(report['skipped'])}")
    lines += [f"  {item['path']}: {item['reason']}" for item in report["skipped"]]
    if hidden_line(report):
        lines.append(hidden_line(report))
    lines.append(f"Exact-duplicate groups: {report['duplicate_groups']}")
    lines += [f"  {', '.join(group)}" for group in report["duplicates"]]
    lines.append("Shorter side:")
    lines += [f"  {label}: {count:,}" for label, count in report["sizes"].items() if count]
    lines.append("Aspect ratio:")
    lines += [f"  {label}: {count:,}" for label, count in report["aspects"].items() if count]
    return lines
