"""Draw candidate pairs of real political chat questions for hand-labelling as duplicates.

Questions are the chat lines the labelling rule in ``qa_label_chat.py`` calls questions; two
lines pair up when they come from the same stream, differ as text (exact repeats merge
without a model) and have a TF-IDF cosine in one of three bands, so that the sample holds
near-certain duplicates, hard cases and clear non-duplicates. Output names lines by file and
row (the chat may not be copied into the repository): read the texts, then write the label.

Usage: python scripts/qa_pair_candidates.py [DATA_DIR] > candidates.csv
"""

from __future__ import annotations

import csv
import random
import sys
from pathlib import Path

import numpy as np

from hustings.nlp._features import featurize
from hustings.nlp._fit import fit_idf

sys.path.insert(0, str(Path(__file__).parent))
from qa_label_chat import FILES, rule

BANDS = ((0.75, 1.01, 70), (0.45, 0.75, 70), (0.25, 0.45, 40))


def main() -> None:
    root = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data") / "live-qa"
    rng = random.Random(21)
    out = csv.writer(sys.stdout)
    out.writerow(["file", "row_a", "row_b", "cosine", "text_a", "text_b"])
    chosen: list[tuple[str, int, int, float, str, str]] = []
    for name in FILES:
        with (root / "youtube-live-chat-political" / name).open(encoding="utf-8") as handle:
            lines = [r["message"] for r in csv.DictReader(handle)]
        seen: dict[str, int] = {}
        for row, text in enumerate(lines):
            if rule(text) == "question":
                seen.setdefault(text.strip().lower(), row)
        rows = list(seen.values())
        texts = [lines[r] for r in rows]
        matrix = featurize(texts, fit_idf(texts)).matrix
        sims = (matrix @ matrix.T).toarray()
        upper = np.triu_indices(len(rows), 1)
        values = sims[upper]
        for low, high, count in BANDS:
            picks = np.flatnonzero((values >= low) & (values < high))
            for k in rng.sample(list(picks), min(count // 2, len(picks))):
                a, b = int(upper[0][k]), int(upper[1][k])
                chosen.append((name, rows[a], rows[b], float(values[k]), texts[a], texts[b]))
    for record in chosen:
        out.writerow([*record[:3], f"{record[3]:.3f}", *record[4:]])


if __name__ == "__main__":
    main()
