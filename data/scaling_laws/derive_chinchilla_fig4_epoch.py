"""Derives ``chinchilla_fig4_epoch.csv`` from Epoch's ``data/svg_extracted_data.csv`` (run once).

    python data/scaling_laws/derive_chinchilla_fig4_epoch.py [UPSTREAM_CSV]

The upstream file (epoch-research/analyzing-chinchilla, commit
92258837425e1b5f2851d624287f0120583a3d0e) is checked against its sha256, then only the columns
``Model Size``, ``Training FLOP`` and ``loss`` are kept, renamed ``model_size``,
``training_flop``, ``loss``; values are copied as text (full precision, no float round trip) in
the upstream row order. Experiments read the shipped file only, never the upstream copy.
"""

from __future__ import annotations

import csv
import hashlib
import sys
from pathlib import Path

UPSTREAM_SHA256 = "193478df4e90f040016431996c45682659306840ecdadf83cfb9cd5ca0aa1b30"
HERE = Path(__file__).resolve().parent
DEFAULT_UPSTREAM = (HERE.parents[2] / "shared" / "data" / "scaling_laws"
                    / "epoch_chinchilla_svg_extracted_data.csv")
SHIPPED = HERE / "chinchilla_fig4_epoch.csv"
COLUMNS = {"Model Size": "model_size", "Training FLOP": "training_flop", "loss": "loss"}


def main(upstream: Path) -> None:
    raw = upstream.read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    if digest != UPSTREAM_SHA256:
        raise SystemExit(f"{upstream}: sha256 {digest} is not the pinned {UPSTREAM_SHA256}")
    rows = list(csv.DictReader(raw.decode("utf-8").splitlines()))
    lines = [",".join(COLUMNS.values())]
    lines += [",".join(row[name] for name in COLUMNS) for row in rows]
    SHIPPED.write_text("\n".join(lines) + "\n", encoding="utf-8")
    shipped = hashlib.sha256(SHIPPED.read_bytes()).hexdigest()
    print(f"wrote {SHIPPED} ({len(rows)} rows), sha256 {shipped}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_UPSTREAM)
