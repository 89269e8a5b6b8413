"""Draw the sample of real political chat lines that the question detector is scored on, and
propose a label for each by hand-written rules (to be read and corrected by a person).

The chat itself is academic, non-commercial data that may not be copied into the repository,
so the output names each line by file and row (0-based, header excluded) and holds no text.

Usage: python scripts/qa_label_chat.py [DATA_DIR] > proposed.csv

Sample: 500 lines drawn uniformly from both streams (the natural share of questions), plus
200 drawn from the lines a rule finds suspicious (a "?" or a question word first), so that
there are enough questions to measure recall on. Column ``part`` says which.
"""

from __future__ import annotations

import csv
import random
import re
import sys
from pathlib import Path

FILES = ("white_house_press_briefing_2025-03-17.csv", "livenow_fox_update_2025-03-19.csv")
_OPENERS = re.compile(
    r"^(?:@\S+\s+)?(what|why|how|when|where|who|whom|whose|which|is|are|am|was|were|do|does|"
    r"did|can|could|will|would|should|shall|has|have|had|may|might|isn't|aren't|don't|"
    r"doesn't|didn't|can't|won't|wouldn't|shouldn't|anyone|anybody)\b",
    re.IGNORECASE,
)
_WORD = re.compile(r"[A-Za-z]{2,}")


def rule(text: str) -> str:
    """A question: a "?" after at least two words, or a line opening with a question word."""
    words = _WORD.findall(text)
    if "?" in text and len(words) >= 2:
        return "question"
    if _OPENERS.match(text.strip()) and len(words) >= 3:
        return "question"
    return "other"


def main() -> None:
    root = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data") / "live-qa"
    lines: list[tuple[str, int, str]] = []
    for name in FILES:
        with (root / "youtube-live-chat-political" / name).open(encoding="utf-8") as handle:
            for row, record in enumerate(csv.DictReader(handle)):
                lines.append((name, row, record["message"]))
    rng = random.Random(20)
    uniform = rng.sample(range(len(lines)), 500)
    taken = set(uniform)
    suspects = [
        i
        for i, (_, _, text) in enumerate(lines)
        if i not in taken and ("?" in text or _OPENERS.match(text.strip()))
    ]
    extra = rng.sample(suspects, 200)
    out = csv.writer(sys.stdout)
    out.writerow(["file", "row", "part", "rule", "text"])
    for part, chosen in (("uniform", uniform), ("suspect", extra)):
        for i in sorted(chosen):
            name, row, text = lines[i]
            out.writerow([name, row, part, rule(text), text])


if __name__ == "__main__":
    main()
