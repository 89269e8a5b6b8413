"""Parties keep the colours readers know them by, and no two parties in a chart share one."""

from __future__ import annotations

from hustings.report._palette import NO_PARTY, NO_PARTY_COLOUR, party_colours

RED, BLUE = "#d62728", "#1f5fbf"


def test_us_parties_are_red_and_blue_whatever_the_register_calls_them() -> None:
    for democrats, republicans in (("Democrat", "Republican"), ("D", "R"),
                                   ("Democratic Party", "Republicans")):
        colours = party_colours([republicans, democrats, "Independent"])
        assert colours[democrats] == BLUE and colours[republicans] == RED
        assert colours["Independent"] not in (RED, BLUE)


def test_uk_and_canadian_parties_take_their_own_colours() -> None:
    uk = party_colours(["Conservative", "Labour", "Liberal Democrats", "Green", "SNP"])
    assert uk["Conservative"] == BLUE and uk["Labour"] == RED
    assert uk["Liberal Democrats"] not in (RED, BLUE)  # orange, not the Liberals' red
    assert uk["Green"] == "#3a9b35"
    # the Canadian register's own spelling, read through a wrong code page upstream
    canada = party_colours(["Liberal", "Conservative", "NDP", "Bloc QuÃ©bÃ©cois"])
    assert canada["Liberal"] == RED and canada["Conservative"] == BLUE
    assert canada["Bloc QuÃ©bÃ©cois"] == "#33b2cc"


def test_two_parties_of_one_colour_are_still_told_apart() -> None:
    colours = party_colours(["Labour", "Liberal", "Harbour", "Heritage", None])
    assert len(set(colours.values())) == len(colours)
    assert colours["Labour"] == RED  # the first by name keeps the conventional colour
    assert colours[NO_PARTY] == NO_PARTY_COLOUR


def test_a_party_keeps_its_colour_whichever_chart_asks() -> None:
    parties = ["Republican", "Democrat", "Forward", "Libertarian"]
    assert party_colours(parties) == party_colours(list(reversed(parties)))
