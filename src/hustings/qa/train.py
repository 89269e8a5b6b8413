"""Retrain the Live Q&A models into the package: ``python -m hustings.qa.train [DATA_DIR]``.

Reads the shared sets (``../shared/data`` or ``$HUSTINGS_SHARED_DATA``) and rewrites
``hustings/qa/models/question.npz`` and ``duplicate.npz``; prints each file's size.
"""

from __future__ import annotations

import sys
from pathlib import Path

from hustings.nlp._data import shared_data_dir
from hustings.qa._train import train


def main() -> None:
    root = shared_data_dir(Path(sys.argv[1]) if len(sys.argv) > 1 else None)
    for name, size in train(root).items():
        print(f"{name}: {size:,} bytes")


if __name__ == "__main__":
    main()
