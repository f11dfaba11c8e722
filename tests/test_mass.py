"""Mass messages: copies of one draft with names swapped are found; near-misses are not."""

from __future__ import annotations

import json
import random

import pytest

pytest.importorskip("datasketch", reason="mass-message detection needs datasketch (pip install '.[batch]' in a clone of referral-lint)")

from helpers import write  # noqa: E402
from referral_lint.mass import MassMessageFinder, masked_words, signature  # noqa: E402

FIRST_NAMES = ["Ana", "Bilal", "Chloe", "Dmitri", "Efua", "Farid", "Greta", "Hugo", "Ines", "Jun", "Mary Jane", "Kofi"]
COMPANIES = ["Acme", "Globex Corp", "Initech", "Umbrella Health", "Hooli", "Vandelay Imports", "Stark Labs"]
ROLES = ["Data Analyst", "Backend Engineer", "Product Designer", "Site Reliability Engineer", "Technical Writer"]

# Each template is one mass message; {name}, {company}, {role} and {number} change per copy.
TEMPLATES = {
    "meetup": (
        "Hi {name},\n\nWe met at the {company} open house last spring and talked about how your team ships "
        "small changes every day. I am applying for the {role} opening (req {number}) and would be grateful "
        "if you would consider referring me. I have attached my resume, and no worries at all if the timing "
        "is wrong.\n\nThanks for reading,\nSam"
    ),
    "alumni": (
        "Hello {name}! I found you through our university alumni group and saw that you moved to {company} "
        "two years ago. I have been building dashboards for a logistics firm and the {role} posting reads "
        "like the work I enjoy most. Could I send you my resume to see whether a referral makes sense? "
        "Either way, thank you for your time."
    ),
    "cold": (
        "Dear {name}, I am reaching out because the {role} role at {company} lines up with the four years "
        "I spent on payment systems, where I cut the settlement time from days to hours. If you think I "
        "could be a fit, would you be open to passing my name to the hiring manager? I understand if not."
    ),
}
# Near-misses: a copy of the meetup note's opening and closing around a middle written anew.
NEAR_MISS_MIDDLES = [
    "Since then I have led a migration of our billing service to event sourcing and mentored two new hires.",
    "I noticed your post about the accessibility audit, and I would love to hear how it changed your roadmap.",
    "My current project is a forecasting tool for warehouse staffing that saved our planners a day each week.",
]
# Distinct drafts that share only the usual phrases of a referral request.
DISTINCT = [
    "Hi {name}, congratulations on the launch of the new checkout flow at {company}. I am a {role} with a "
    "background in retail analytics and would value ten minutes of your advice on how the team hires.",
    "{name}, thank you for the talk on observability last week. I work on on-call tooling and the {role} "
    "opening at {company} caught my eye; may I ask you a couple of questions about the team first?",
    "Good morning {name}. A friend from the robotics club suggested I write to you about {company}. I am "
    "finishing a master's thesis on route planning and hoping to join as a {role} after graduation.",
]


def fill(template: str, rng: random.Random) -> str:
    return template.format(
        name=rng.choice(FIRST_NAMES), company=rng.choice(COMPANIES), role=rng.choice(ROLES), number=rng.randint(100, 99999)
    )


def generated_drafts(seed: int = 7) -> tuple[list[tuple[str, str]], list[list[str]]]:
    """(id, text) drafts, shuffled, and the groups of ids that are mass messages."""
    rng = random.Random(seed)
    drafts: list[tuple[str, str]] = []
    expected: dict[str, list[str]] = {}
    for key, template in TEMPLATES.items():
        for copy in range(rng.randint(3, 8)):
            drafts.append((f"{key}-{copy}", fill(template, rng)))
            expected.setdefault(key, []).append(f"{key}-{copy}")
    opening, closing = TEMPLATES["meetup"].split(" I am applying")[0], "\n\nThanks for reading,\nSam"
    for index, middle in enumerate(NEAR_MISS_MIDDLES):
        drafts.append((f"near-miss-{index}", fill(f"{opening} {middle}{closing}", rng)))
    for index, template in enumerate(DISTINCT):
        drafts.append((f"distinct-{index}", fill(template, rng)))
    rng.shuffle(drafts)
    order = {draft_id: position for position, (draft_id, _) in enumerate(drafts)}
    groups = [sorted(ids, key=order.__getitem__) for ids in expected.values()]
    return drafts, sorted(groups, key=lambda group: order[group[0]])


def find_groups(drafts: list[tuple[str, str]]) -> list[list[str]]:
    finder = MassMessageFinder()
    for draft_id, text in drafts:
        finder.add(draft_id, signature(text))
    return finder.groups()


def test_copies_with_names_companies_and_slots_swapped_are_one_group_and_near_misses_are_none():
    drafts, expected = generated_drafts()

    assert find_groups(drafts) == expected


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_groups_do_not_depend_on_the_names_drawn(seed):
    drafts, expected = generated_drafts(seed)

    assert find_groups(drafts) == expected


def test_names_companies_numbers_links_and_template_slots_are_masked():
    words = masked_words("Hi [First Name], the {{role}} at Mary Jane's Globex (req 4411, $90k): https://jobs.example/1 ok?")

    # A run of one placeholder counts once: "Mary Jane's Globex" is one name, "4411, $90k" one number.
    assert words == ["name", "slot", "the", "slot", "at", "name", "req", "num", "link", "ok"]


def test_drafts_are_not_compared_pairwise(monkeypatch):
    from referral_lint import mass

    checked = 0
    estimate = mass._estimated_jaccard

    def counting(bits, first, other):
        nonlocal checked
        checked += len(first)
        return estimate(bits, first, other)

    monkeypatch.setattr(mass, "_estimated_jaccard", counting)
    rng = random.Random(3)
    drafts = [(str(i), fill(TEMPLATES["cold"], rng)) for i in range(200)]
    drafts += [(f"d{i}", f"{fill(DISTINCT[i % 3], rng)} Note number {i} mentions {' '.join(rng.sample(FILLER, 12))}.") for i in range(200)]

    groups = find_groups(drafts)

    assert groups[0] == [str(i) for i in range(200)]
    assert checked < 1_000  # all pairs would be 79,800


def test_what_is_kept_of_a_draft_is_160_bytes():
    assert len(signature(TEMPLATES["alumni"].format(name="Ana", company="Acme", role="Data Analyst"))) == 160


def test_a_copy_joins_its_group_wherever_it_comes_among_thousands_of_distinct_drafts():
    rng = random.Random(11)
    words = FILLER * 4
    drafts = [(f"d{i}", " ".join(rng.sample(words, 40))) for i in range(3_000)]
    copies = {1: "meetup", 1_500: "meetup", 2_999: "meetup", 10: "alumni", 2_000: "alumni"}
    for position, key in sorted(copies.items(), reverse=True):
        drafts.insert(position, (f"{key}@{position}", fill(TEMPLATES[key], rng)))

    groups = find_groups(drafts)

    assert groups == [["meetup@1", "alumni@10", "meetup@1500", "alumni@2000", "meetup@2999"][i::2] for i in (0, 1)]


FILLER = (
    "apples rivers copper lantern meadow violin harbor pepper canyon orbit willow granite tundra saddle "
    "quartz ember falcon prairie cobalt thistle walnut glacier beacon marble"
).split()


def test_batch_writes_one_mass_message_record_per_group_after_the_results(cli, tmp_path):
    drafts, expected = generated_drafts()
    source = write(tmp_path / "drafts.jsonl", "".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in drafts))

    result = cli("batch", source, "--id-field", "id", "--jobs", "2")

    out = [json.loads(line) for line in result.stdout.splitlines()]
    results, mass = out[: len(drafts)], out[len(drafts) :]
    assert [r["id"] for r in results] == [draft_id for draft_id, _ in drafts]
    assert [record["ids"] for record in mass] == expected
    assert {record["rule"] for record in mass} == {"mass-message"}
    assert mass[0]["message"].startswith(f"{len(expected[0])} drafts are the same message with names swapped")
    assert f"{len(expected)} mass messages ({sum(map(len, expected))} drafts)." in result.stderr
    assert result.exit_code == 1
