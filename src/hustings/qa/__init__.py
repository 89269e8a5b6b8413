"""Live Q&A: keep the questions in a live chat, and merge the ones that ask the same thing.

Both models are small numpy files shipped in the package (``models/``), trained by
``python -m hustings.qa.train`` from the shared chat sets; scoring needs neither
scikit-learn nor the shared data.

    >>> from hustings import qa
    >>> qa.load_detector().is_question(["when does the briefing start", "lol"])
    [True, False]
    >>> qa.load_duplicates().same(["What's wrong with the audio?"], ["what's wrong with the sound"])
    [True]
"""

from __future__ import annotations

from hustings.qa._cluster import Clusters, Placement
from hustings.qa._detect import QuestionDetector, load_detector
from hustings.qa._pairs import DuplicateModel, load_duplicates

__all__ = [
    "Clusters",
    "DuplicateModel",
    "Placement",
    "QuestionDetector",
    "load_detector",
    "load_duplicates",
]
