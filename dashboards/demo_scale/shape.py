"""The sizes and the realistic vocabulary of the synthetic program (data, not interface
text: it is stored as a person would have typed it, so it is not translated)."""

from dataclasses import dataclass

from feedback.demo import TAKE_WITH_YOU as DEMO_TAKE_WITH_YOU


@dataclass(frozen=True)
class Scale:
    name: str
    organizations: int
    facilitators: int
    groups: int
    sessions: int
    reviewers: int
    years: int = 5


SCALES = {
    "national": Scale("national", 200, 2000, 4000, 240_000, reviewers=12),
    "small": Scale("small", 4, 20, 12, 300, reviewers=2),
}

# Each synthetic organization's share follows 1 / (rank + OFFSET) ** EXPONENT: a long tail
# of small partners and a few large ones (the largest about 6% of all sessions at 200).
ZIPF_OFFSET = 2
ZIPF_EXPONENT = 0.9

PLACES = [
    "Harbor", "Riverside", "Prairie", "Lakeshore", "Mesa", "Bayview", "Cedar", "Summit",
    "Valley", "Northside", "Eastgate", "Pinecrest", "Coastal", "Heartland", "Canyon",
    "Brookside", "Highland", "Delta", "Gulf", "Midtown", "Ironwood", "Sunrise", "Bluff",
    "Willow", "Granite",
]  # fmt: skip
KINDS = [
    "Survivor Network", "Recovery Alliance", "Peer Collective", "Women's Center",
    "Freedom Project", "Safe Haven", "Healing Circle", "Community Services",
]  # fmt: skip
TIMEZONES = [
    ("America/New_York", 40), ("America/Chicago", 25), ("America/Denver", 8),
    ("America/Los_Angeles", 20), ("America/Phoenix", 3), ("America/Anchorage", 1),
    ("Pacific/Honolulu", 1), ("America/Puerto_Rico", 2),
]  # fmt: skip
FIRST_NAMES = [
    "Alex", "Bea", "Carmen", "Dana", "Eli", "Fatima", "Gloria", "Hana", "Imani", "Jo",
    "Kim", "Lupe", "Maya", "Nia", "Olga", "Pat", "Quinn", "Rosa", "Sam", "Tess", "Uma",
    "Vera", "Wendy", "Xiomara", "Yara", "Zoe",
]  # fmt: skip

CANCEL_REASONS = [
    ("Facilitator ill", 30),
    ("Public holiday", 20),
    ("Room not available", 12),
    ("Severe weather", 10),
    ("Too few participants could come", 12),
    ("Staff training day", 6),
    ("Building closed for repairs", 4),
    ("Facilitator emergency", 6),
]

ADAPTATIONS = [
    ("time", "Shortened the check-in to 15 minutes", "Started late: the room was double-booked"),
    (
        "language",
        "Went over the handout in Spanish as well as English",
        "Two participants prefer Spanish",
    ),
    (
        "content",
        "Used a shorter version of the handout",
        "Several people find long texts hard to read",
    ),
    (
        "activity",
        "Did a grounding exercise before the topic",
        "The group arrived tense after a hard week",
    ),
    ("order", "Took the topic before the quotation", "The quotation fitted better as a close"),
    (
        "content",
        "Replaced an example with one about housing",
        "The book's example did not fit the group",
    ),
    ("activity", "Role-played asking for help", "People wanted to practise, not only talk"),
    ("time", "Ran 15 minutes over to finish the check-out", "The check-in ran long"),
    ("other", "Met in the smaller room", "The heating was broken in the usual room"),
    ("language", "Read the quotation aloud twice, slowly", "Some participants read little English"),
]
# fmt: on

# Participants' words, the same the demo organization's feedback uses.
TAKE_WITH_YOU = DEMO_TAKE_WITH_YOU
SHOULD_CHANGE = ["More time for the check-in.", "A room with more light.", "Snacks, please."]

REVIEW_STRENGTHS = [
    "A warm check-in where everyone had room to speak.",
    "The quotation was tied to the topic well.",
    "Safe coping skills were practised, not only named.",
]
REVIEW_TO_WORK_ON = [
    "Leave more time for the check-out.",
    "Bring the group back to the topic sooner.",
    "Refer to the handout during the topic.",
]
