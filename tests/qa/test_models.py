"""The shipped Live Q&A models load from the package and behave as a moderator expects."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from hustings import qa
from hustings.errors import NlpError
from hustings.nlp._data import shared_data_dir
from hustings.nlp._linear import ModelFile


def test_public_names_exist() -> None:
    module = importlib.import_module("hustings.qa")
    assert [n for n in module.__all__ if not hasattr(module, n)] == []


def test_detector_keeps_wh_questions_typed_without_a_question_mark() -> None:
    detector = qa.load_detector()
    lines = ["when does the briefing start", "where is the audio"]
    assert detector.is_question(lines) == [True, True]


def test_detector_keeps_yes_no_questions_with_a_question_mark() -> None:
    assert qa.load_detector().is_question(["is this live?", "did trump sign it?"]) == [True, True]


def test_detector_drops_cheers_and_complaints() -> None:
    detector = qa.load_detector()
    lines = ["TRUMP 2028!!!", "lol", "Fix the sound", "Great job Karoline"]
    assert detector.is_question(lines) == [False] * 4


def test_detector_of_no_lines_is_empty() -> None:
    assert qa.load_detector().is_question([]) == []


def test_duplicate_model_merges_rewordings_and_keeps_different_questions_apart() -> None:
    model = qa.load_duplicates()
    same = model.same(
        ["What's wrong with the audio?", "Where are the Epstein files?"],
        ["what is wrong with the sound?", "WHERE ARE THE EPSTEIN FILES"],
    )
    assert same == [True, True]
    assert model.same(["Where are the Epstein files?"], ["When does the briefing start?"]) == [
        False
    ]


def test_clusters_put_a_rewording_with_its_first_asking() -> None:
    clusters = qa.Clusters(qa.load_duplicates())
    first = clusters.add("What is wrong with the audio?")
    other = clusters.add("Why is gas so expensive")
    again = clusters.add("what is wrong with the audio")
    assert first.new and other.new and not again.new
    assert again.cluster == first.cluster and again.matched == 0


def test_split_keeps_a_wrong_merge_apart_afterwards() -> None:
    clusters = qa.Clusters(qa.load_duplicates())
    clusters.add("Where are the Epstein files?")
    clusters.add("where are the epstein files")
    own = clusters.split(1)
    assert clusters.members(own) == [1]
    # The same text again still joins the first cluster, not the split one...
    assert clusters.add("Where are the Epstein files?").cluster == clusters.cluster_of[0]


def test_a_missing_model_file_says_how_to_make_it(tmp_path: Path) -> None:
    with pytest.raises(NlpError, match=r"python -m hustings.qa.train"):
        qa.load_detector(tmp_path / "absent.npz")


def test_duplicate_model_refuses_a_file_trained_on_other_features(tmp_path: Path) -> None:
    shipped = qa.load_duplicates().model
    header = {**shipped.header, "features": ["cosine"]}
    path = tmp_path / "old.npz"
    ModelFile(shipped.idf, {}, header).save(path)
    with pytest.raises(NlpError, match="retrain"):
        qa.load_duplicates(path).same(["a?"], ["b?"])


def _shared() -> Path:
    try:
        root = shared_data_dir()
    except NlpError as exc:
        pytest.skip(f"shared data absent: {exc}")
    if not (root / "live-qa").is_dir():
        pytest.skip("shared data has no live-qa folder")
    return root


def test_labelled_chat_lines_resolve_to_real_text() -> None:
    from hustings.qa import _data

    sample = _data.chat_questions(_shared())
    assert len(sample.data.texts) == 700
    assert all(text.strip() for text in sample.data.texts)
    assert sample.data.labels.count("question") == 191


def test_detector_meets_its_goals_on_nps_chat_test_sessions() -> None:
    from hustings.qa._evaluate import evaluate_questions

    scores = evaluate_questions(qa.load_detector(), _shared(), cross_validate=False)
    nps = {s.metric: s.value for s in scores if "NPS" in s.name}
    assert nps["precision(question)"] >= 88.0
    assert nps["recall(question)"] >= 80.0
