"""Policy topics as the Comparative Agendas Project (CAP) codes them, for announcements.

One offline model labels any short political text (a headline, a press-release title, a
sentence of a speech, a post) with one of CAP's 21 major topics or "no policy content", with
a calibrated confidence. It was trained on hand-coded NYT headlines, State of the Union
sentences and (silver-labelled) legislators' tweets together, without telling the model which
set a text came from, so that it does not depend on knowing the genre (see ``_cap_train``).

    >>> from hustings.nlp.cap import classify_cap
    >>> classify_cap(["Senate passes bill to lower prescription drug prices"])[0].label
    'Health'

Items whose confidence is below ``LOW_CONFIDENCE`` should go to a person to code.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np

from hustings.nlp._classifier import load

__all__ = [
    "CAP_DEFINITIONS",
    "CAP_MAJORS",
    "LOW_CONFIDENCE",
    "NO_POLICY",
    "CapTopic",
    "classify_cap",
]

NO_POLICY: Final = 0

CAP_MAJORS: Final[dict[int, str]] = {
    0: "No policy content",
    1: "Macroeconomics",
    2: "Civil Rights",
    3: "Health",
    4: "Agriculture",
    5: "Labor",
    6: "Education",
    7: "Environment",
    8: "Energy",
    9: "Immigration",
    10: "Transportation",
    12: "Law and Crime",
    13: "Social Welfare",
    14: "Housing",
    15: "Domestic Commerce",
    16: "Defense",
    17: "Technology",
    18: "Foreign Trade",
    19: "International Affairs",
    20: "Government Operations",
    21: "Public Lands",
    23: "Culture",
}
"""CAP's major topic codes and names (the master codebook has no 11 or 22), plus 0."""

# One line each, written for this project from the CAP master codebook's topic descriptions.
CAP_DEFINITIONS: Final[dict[int, str]] = {
    0: "No policy issue: human interest, sport, weather, greetings, personal or campaign chatter.",
    1: "Interest rates, inflation, unemployment, the budget and debt, taxes, growth, prices.",
    2: "Discrimination by race, gender, age or sexuality; voting rights; free speech; privacy.",
    3: "Health care and insurance, drugs and their prices, hospitals, disease, public health.",
    4: "Farming, farm subsidies, food inspection and safety, fisheries, animal and crop disease.",
    5: "Jobs and workers: wages, unions, workplace safety, employee benefits, job training.",
    6: "Schools, higher education, student loans, teachers, vocational and special education.",
    7: "Pollution, drinking water, waste, climate change, conservation of species and land.",
    8: "Electricity, oil, gas, coal, nuclear power, renewable energy, energy conservation.",
    9: "Immigration, border control, refugees and asylum, citizenship.",
    10: "Roads, mass transit, railways, air travel, shipping, transport infrastructure.",
    12: "Police, courts, prisons, criminal law, drug crime, family violence, gun control.",
    13: "Help for the poor, elderly and disabled; food assistance; social services; child care.",
    14: "Housing, rents and mortgages, homelessness, urban and rural community development.",
    15: "Banks and finance, consumer protection, small business, patents, disaster relief.",
    16: "The armed forces, alliances, arms control, intelligence, veterans, homeland security.",
    17: "Science, space, telecommunications, broadcasting, the internet and computing.",
    18: "Trade agreements, tariffs, exports and imports, exchange rates.",
    19: "Foreign affairs: diplomacy, foreign aid, other countries' conflicts, human rights.",
    20: "How government runs: elections, campaigns, civil service, scandals, appointments.",
    21: "National parks, public land and water management, Native American affairs.",
    23: "Arts, culture and cultural policy.",
}

LOW_CONFIDENCE: Final = 0.44
"""Below this confidence an item goes to the human coding queue.

Chosen when the model was trained (``_cap_train.queue_threshold``, recorded in the model
file's header as ``low_confidence``): on a held-out tenth of the training data, the items at or
above it were coded right 80% of the time; about a quarter of the items fell below it.
"""

_CODE_OF: Final = {label: code for code, label in CAP_MAJORS.items()}
TASK: Final = "cap"


@dataclass(frozen=True)
class CapTopic:
    """One text's CAP major topic: its code, its name, and the model's probability for it."""

    code: int
    label: str
    confidence: float


def classify_cap(texts: Sequence[str]) -> list[CapTopic]:
    """The CAP major topic of each text, in order; offline, the model loaded once per process.

    Scores only (no explanations), which keeps it at thousands of texts a second on one core;
    ``hustings.nlp.load("cap").predict`` gives the words behind each label as well.
    """
    if not texts:
        return []
    classifier = load(TASK)
    head = next(iter(classifier.model.heads.values()))
    probabilities = head.probabilities(classifier.features(list(texts)).matrix)
    chosen = probabilities.argmax(axis=1)
    confidence = probabilities[np.arange(len(chosen)), chosen]
    return [
        CapTopic(_CODE_OF[head.labels[c]], head.labels[c], float(p))
        for c, p in zip(chosen.tolist(), confidence.tolist(), strict=True)
    ]
