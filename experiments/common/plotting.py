"""Plotting: the suite's style file, the Agg backend, and byte-stable PNG + PDF output.

Plot functions read saved results only and never train, so ``--plots_only`` redraws a figure in
seconds. Metadata (software version, creation date) is stripped so that reruns give identical
bytes.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import logging as _logging  # noqa: E402

import matplotlib.pyplot as plt  # noqa: E402

# absl runs Python logging at INFO; keep the PDF font subsetter quiet.
_logging.getLogger("fontTools").setLevel(_logging.WARNING)

from experiments.common.results import SUITE_ROOT, atomic_write_bytes  # noqa: E402

STYLE_FILE = SUITE_ROOT / "figures" / "style.mplstyle"
INTERVAL_95 = 1.959963984540054  # Φ⁻¹(0.975): half-width of a 95 % normal interval, in SEs


def use_style() -> None:
    plt.style.use(STYLE_FILE)


def save_figure(fig: matplotlib.figure.Figure, directory: Path, stem: str) -> list[Path]:
    """Saves ``fig`` as ``<directory>/<stem>.png`` and ``.pdf`` (atomically) and closes it."""
    import io

    paths = []
    for ext, metadata in (
        ("png", {"Software": None}),
        ("pdf", {"Creator": None, "Producer": None, "CreationDate": None}),
    ):
        buffer = io.BytesIO()
        fig.savefig(buffer, format=ext, metadata=metadata)
        path = Path(directory) / f"{stem}.{ext}"
        atomic_write_bytes(path, buffer.getvalue())
        paths.append(path)
    plt.close(fig)
    return paths
