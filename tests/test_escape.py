"""The one CSV-cell neutraliser and the one JSON-in-HTML encoder every writer uses."""

from __future__ import annotations

import json

import pytest

from hustings.escape import csv_cell, csv_value, script_json


@pytest.mark.parametrize(
    "cell",
    [
        '=HYPERLINK("http://evil.example")',
        "+cmd|' /C calc'!A0",
        "-2+3",
        "@SUM(1)",
        "\t=1",
        "\r=1",
        "-",
        "-1e5)",
        "=1",
    ],
)
def test_formula_leading_cell_gets_a_quote_and_reads_back(cell: str) -> None:
    assert csv_cell(cell) == "'" + cell
    assert csv_value(csv_cell(cell)) == cell


@pytest.mark.parametrize("cell", ["-2", "-0.5", "-1e-3", "-.5", 7, -3.5, None, "plain", "a=b"])
def test_numbers_and_plain_text_are_unchanged(cell: object) -> None:
    assert csv_cell(cell) == cell


def test_a_real_leading_quote_is_kept_on_import() -> None:
    assert csv_value("'quoted") == "'quoted"


def test_script_json_escapes_markup_and_round_trips() -> None:
    value = {"name": "<!--<script></script>&\u2028"}
    text = script_json(value)
    assert not set("<>&\u2028") & set(text)
    assert json.loads(text) == value
