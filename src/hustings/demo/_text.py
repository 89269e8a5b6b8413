"""Template text for the simulated conversation, varied enough to exercise text analyses.

Each mode is a tuple of templates filled from a context (target handle, issue, riding,
party). The tone comes from the author's stance, so stance and incivility are recoverable
by an analysis, and a classifier trained on the demo sees questions, praise, slogans,
complaints and hostility in realistic proportions. All of it is invented.
"""

from __future__ import annotations

import random
import re

__all__ = [
    "ISSUES",
    "NATIONAL_TAGS",
    "TEMPLATES",
    "email_body",
    "hashtags_in",
    "render",
]

NATIONAL_TAGS = ("northlandvotes", "nlpoli", "nlvotes2026")

# (hashtag, how people say it, what a party promises)
ISSUES = (
    ("housing", "rent", "cap rent increases at 3% a year"),
    ("healthcare", "hospital wait times", "hire 2,000 more nurses"),
    ("transit", "bus service", "restore late-night buses"),
    ("climate", "flooding", "build flood defences along the coast"),
    ("jobs", "the mill closures", "fund retraining for every mill worker"),
    ("childcare", "childcare costs", "bring in $10-a-day childcare"),
    ("taxes", "property taxes", "freeze property taxes for two years"),
    ("fisheries", "fishing quotas", "protect coastal fishing quotas"),
    ("schools", "class sizes", "cap class sizes at 25"),
    ("roads", "potholes on rural roads", "fix 500 km of rural roads"),
)

TEMPLATES: dict[str, tuple[str, ...]] = {
    "broadcast": (
        "Out knocking doors in {riding} today. People want action on {phrase}. #{camp}",
        "Our plan: {pledge}. That's how we fix {phrase}. {url} #{tag} #{national}",
        "Thank you to every volunteer in {riding}! {slogan} #{camp}",
        "Town hall in {riding} tonight at 7. Bring your questions on {phrase}. #{national}",
        "We will {pledge}. Costed, funded, ready. {url} #{camp} #{tag}",
        "{slogan} Advance polls open soon: make a plan to vote. #{national}",
        "Met parents in {riding} worried about {phrase}. We hear you. #{tag}",
        "Tonight's debate showed a clear choice on {phrase}. #{national} #{camp}",
    ),
    "flood": (
        "Chip in $5 before midnight and help us win {riding}! {url} #{camp}",
        "Donate now: every dollar counts in the final stretch. {url}",
        "Sign up to volunteer this weekend! {url} #{camp}",
        "We're $2,000 short of our goal. Chip in today: {url}",
        "URGENT: donate before the deadline. {url} #{national}",
        "Can you give $10? Donate here: {url}",
        "Sign up for a shift on the phones: {url}",
        "Match deadline tonight: chip in and double your impact {url}",
        "Join the team! Sign up here: {url} #{camp}",
        "Every donation keeps us on the doorsteps. Give now: {url}",
    ),
    "media": (
        "Poll: {short} up two points in {riding}. #nlpoli",
        "LIVE: leaders clash on {phrase} in tonight's debate. #{national}",
        "Fact check: what the parties are promising on {phrase}. {url} #{tag}",
        "Analysis: why {riding} could decide the election. {url} #nlpoli",
        "{short} promises to {pledge}. {url} #{national}",
    ),
    "question": (
        "@{h} what will you do about {phrase} in {riding}?",
        "@{h} where do you stand on {phrase}? #{tag}",
        "@{h} will you commit to {pledge}? Yes or no.",
        "@{h} how exactly will you pay for your {tag} plan?",
        "Genuine question for @{h}: what's the plan for {phrase} in {riding}? #nlpoli",
        "@{h} my family in {riding} is struggling with {phrase}. What will change?",
        "@{h} is there a town hall in {riding} where I can ask about {phrase}?",
        "Still undecided. @{h}, convince me on {phrase}. #{national}",
    ),
    "praise": (
        "Great to see @{h} in {riding} today! #{camp}",
        "@{h} thank you for standing up on {phrase}.",
        "Proud to vote {short} this time. #{camp} #{national}",
        "@{h} best plan on {phrase} I've seen. {slogan}",
        "Just put up my {short} lawn sign in {riding}! #{camp}",
        "@{h} you have my vote. Keep going! #{camp}",
    ),
    "complaint": (
        "@{h} years of promises on {phrase} and nothing to show for it.",
        "@{h} your {tag} plan doesn't add up. #nlpoli",
        "Still waiting on an answer from @{h} about {phrase}. #{national}",
        "@{h} {riding} deserves better than slogans on {phrase}.",
        "@{h} you voted against the {tag} bill twice. Why should we trust you now?",
        "Not impressed with {short} on {phrase}. #{camp} #nlpoli",
    ),
    "hostile": (
        "@{h} you are a clown and a liar. #{camp}",
        "@{h} pathetic. Absolute disgrace.",
        "@{h} nobody believes a word you say, you fraud.",
        "Shut up, @{h}. Corrupt to the core. #nlpoli",
        "@{h} what a joke. Resign. #{camp}",
        "@{h} you're a useless hack and everyone in {riding} knows it.",
        "#{camp} more like #{camp}Fail. Bunch of idiots.",
    ),
    "camp_support": (
        "Proud to vote {short} this time. #{camp} #{national}",
        "{slogan} #{camp}",
        "Just put up my {short} lawn sign in {riding}! #{camp}",
        "The {short} plan to {pledge} is the only serious one. #{tag} #{camp}",
    ),
    "camp_oppose": (
        "Not impressed with {short} on {phrase}. #{camp} #nlpoli",
        "The {short} plan on {phrase} is fantasy maths. #{camp}",
        "Remember who let {phrase} get this bad: {short}. #{national}",
    ),
    "camp_hostile": (
        "#{camp} more like #{camp}Fail. Bunch of idiots.",
        "Every {short} voter in {riding} is a clown. #{camp}",
        "{short} are liars and crooks, all of them. #{camp} #nlpoli",
    ),
    "camp_undecided": (
        "Who actually has a plan for {phrase} in {riding}? #{national}",
        "Undecided in {riding}. Anyone have a good comparison of {tag} platforms? #nlpoli",
        "Watching the debate tonight hoping someone talks about {phrase}. #{national}",
    ),
    "agree": (
        "@{h} exactly right. #{camp}",
        "@{h} this is why I'm voting {short}.",
        "@{h} yes! {riding} needs this.",
        "@{h} finally someone talking sense on {phrase}.",
    ),
    "crosstalk": (
        "@{h} that's simply not true on {phrase}. Check the numbers.",
        "@{h} read the platform before you post. #nlpoli",
        "@{h} fair point, but what about {phrase}?",
        "@{h} we'll see on election day.",
        "@{h} agreed, {phrase} is the real issue here.",
    ),
    "crosstalk_hostile": (
        "@{h} you're an idiot.",
        "@{h} typical troll. Blocked.",
        "@{h} nobody asked you, clown.",
        "@{h} go back under your bridge. #{camp}",
    ),
    "answer": (
        "@{h} thanks for asking! On {phrase} we will {pledge}. {url}",
        "@{h} great question. Our plan for {phrase} is here: {url}",
        "@{h} I hear you. Come to the {riding} town hall and let's talk.",
        "@{h} appreciate it! See you on the doorstep.",
        "@{h} we will {pledge}. It's in our costed platform.",
        "@{h} fair challenge. Here's how we pay for it: {url}",
    ),
    "staff_answer": (
        "@{h} hi, {candidate}'s campaign team here: on {phrase}, we will {pledge}.",
        "@{h} thanks for writing to {candidate}. Our team will be in {riding} on Saturday.",
        "@{h} {candidate}'s office here. Details on {phrase}: {url}",
    ),
    "dm": (
        "@{h} private question: what will you do about {phrase} in {riding}?",
        "@{h} I'd like to volunteer in {riding}. Who do I contact?",
        "@{h} my landlord raised the rent by 20%. Can your office help?",
        "@{h} can I get a lawn sign for my house in {riding}?",
        "@{h} I'm worried about {phrase} but don't want to say it publicly.",
    ),
    "dm_answer": (
        "@{h} thanks for reaching out. Our {riding} office will email you today.",
        "@{h} happy to help. Can you send your address so a volunteer can call?",
        "@{h} thank you. On {phrase}, we will {pledge}.",
    ),
}

_HASHTAG = re.compile(r"#(\w+)")


def hashtags_in(text: str) -> tuple[str, ...]:
    return tuple(_HASHTAG.findall(text))


def render(rng: random.Random, mode: str, context: dict[str, str]) -> str:
    """Fill one template of ``mode``; ``national`` is drawn here so tags vary per message."""
    template = rng.choice(TEMPLATES[mode])
    text = template.format_map({**context, "national": rng.choice(NATIONAL_TAGS)})
    if rng.random() < 0.15 and "#" not in text:
        text += " #" + rng.choice(NATIONAL_TAGS)
    return text


_EMAIL_ASKS = (
    "I live in {riding} and {phrase} is the issue that will decide my vote. Will you {pledge}?",
    "Your newsletter said a lot about the economy but nothing about {phrase}. Why?",
    "I would like to volunteer for the campaign in {riding}. Who should I contact?",
    "Please take me off your list. I never signed up for this.",
    "Can you tell me where the nearest advance polling station to {riding} is?",
    "How will your party pay for its promise to {pledge}?",
)
_EMAIL_ANSWERS = (
    "Thank you for your email about {phrase}. We will {pledge}, and the full costing is at {url}.",
    "Thanks for getting in touch. A volunteer coordinator for {riding} will contact you.",
    "Thank you for writing. You can find your polling station at {url}.",
)
_NEWSLETTERS = (
    "This week we set out how we will {pledge}. {slogan}",
    "Our leader visited {riding} to talk about {phrase}. Read the plan: {url}",
    "The election is close. Chip in, volunteer or talk to a neighbour about {phrase}.",
    "News from {riding}.\nFrom the campaign trail: people want action on {phrase}.",
)


def email_body(rng: random.Random, mode: str, context: dict[str, str]) -> str:
    """Plain-text body for a citizen email (``ask``), staff reply or party newsletter."""
    pool = {"ask": _EMAIL_ASKS, "answer": _EMAIL_ANSWERS, "newsletter": _NEWSLETTERS}[mode]
    return rng.choice(pool).format_map(context)
