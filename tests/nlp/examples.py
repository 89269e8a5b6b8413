"""Staff-confirmed stance examples for a target no shipped model knows: new bike lanes."""

from __future__ import annotations

FAVOR = [
    "The new bike lanes on Park Road are brilliant, I cycle to work every day now",
    "So glad the council built the bike lanes, my kids can ride to school safely",
    "Bike lanes make our streets safer for everyone. More please!",
    "Love the protected bike lanes, best thing the council has done in years",
    "Cycling to the station is a joy since the bike lanes went in",
    "Proud our town is investing in bike lanes and cleaner air",
    "Extend the bike lanes to the north side too, they work",
    "The bike lanes have cut my commute and my stress. Thank you",
    "Support the bike lanes! Safer roads for children",
    "Fantastic new cycle route, the bike lanes are a real improvement",
    "I back the bike lanes 100 percent, great for health and the planet",
    "More people cycling thanks to the bike lanes, that's a win",
    "Cycled into town with my daughter today, the bike lanes felt so safe",
    "Keep the bike lanes! Do not let the council back down",
    "The new cycle lanes are great for local shops, more people stop by",
    "Best decision the council made: the bike lanes. Quieter, cleaner streets",
]
AGAINST = [
    "The bike lanes are a disaster, traffic on Park Road is gridlocked",
    "Scrap the bike lanes, nobody uses them and shops are losing customers",
    "Rip out these ridiculous bike lanes, total waste of money",
    "The bike lanes have made the high street impossible for deliveries",
    "Who asked for these bike lanes? Not the residents. Remove them",
    "Bike lanes have ruined parking outside my shop, awful decision",
    "Stop the bike lanes madness, the congestion is terrible",
    "These bike lanes are dangerous and badly designed. Get rid of them",
    "Hate the new bike lanes, my bus is now twenty minutes late every day",
    "Money wasted on empty bike lanes while potholes go unfixed. Scrap them",
    "The bike lanes are a failure, tear them up",
    "Oppose the bike lanes, they have destroyed the road for drivers",
    "Bike lanes nobody rides in while the traffic queues for miles. Pathetic",
    "Sign the petition to remove the Park Road bike lanes",
    "The cycle lanes were forced on us without consultation. Scrap them",
    "Another accident at the new bike lane junction. Badly designed and dangerous",
    "Vote out the councillors who wasted our money on bike lanes",
]
NONE = [
    "The council meeting is on Tuesday at 7pm in the town hall",
    "Lovely weather for the weekend market",
    "Road closure on Elm Street this Friday for water works",
    "The library has new opening hours from next month",
    "Bin collection moves to Wednesday this week",
    "Anyone know when the swimming pool reopens?",
    "The school fair raised over two thousand pounds",
    "Local elections are in May, register to vote by April",
    "New cafe opening on the corner of Mill Lane",
    "Roadworks on the bypass overnight, expect delays",
    "Football club training starts again in September",
    "The museum has a new exhibition about the town's history",
    "Happy birthday to our lollipop lady, 30 years of service",
    "Lost cat near the park, black and white, answers to Milo",
    "The farmers market is back this Sunday",
    "Free flu jabs at the health centre next week",
    "The bus timetable changes on Monday",
]


def examples_csv(count: int | None = None) -> str:
    """The first ``count`` examples (all by default), taking favor, against and none in turn,
    so that any ten hold every label."""
    rows = ["text,label"]
    lists = (("favor", FAVOR), ("against", AGAINST), ("none", NONE))
    ordered = [
        (label, texts[i])
        for i in range(max(len(t) for _, t in lists))
        for label, texts in lists
        if i < len(texts)
    ]
    rows += [f'"{text}",{label}' for label, text in ordered[:count]]
    return "\n".join(rows) + "\n"
