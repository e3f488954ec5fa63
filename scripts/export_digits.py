"""Exports scikit-learn's bundled 8x8 digits to a CSV for notebooks/image-classification.ipynb.

The images ship inside scikit-learn (no download): 1,797 handwritten digits, 8x8 pixels of ink
0-16. One row per image: image_id, p0 ... p63 (row by row, top left first), label (0-9).

    .venv/bin/python scripts/export_digits.py [OUT]   # default notebooks/data/digits.csv

Run by `npm run setup` (scripts/setup.mjs, step "digits-data"). The file is written next to its
destination first and renamed, so an interrupted run never leaves half a CSV behind.
"""

import csv
import os
import sys
from pathlib import Path

from sklearn.datasets import load_digits

DEFAULT_OUT = Path(__file__).resolve().parent.parent / "notebooks" / "data" / "digits.csv"


def export_digits(out: Path) -> int:
    digits = load_digits()
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.name}.partial")
    with partial.open("w", newline="") as file:
        writer = csv.writer(file, lineterminator="\n")
        writer.writerow(["image_id", *(f"p{i}" for i in range(64)), "label"])
        for image_id, (pixels, label) in enumerate(zip(digits.data, digits.target)):
            writer.writerow([image_id, *(int(p) for p in pixels), int(label)])
    os.replace(partial, out)
    return len(digits.target)


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_OUT
    rows = export_digits(target)
    print(f"{rows} digit images written to {target}")
