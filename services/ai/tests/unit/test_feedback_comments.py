"""The comment interpreter against the comment set (`tests/feedback_comments.yaml`): every
comment, written as students write them, is read into exactly the wishes it asks for."""

import uuid
from pathlib import Path

import pytest
import yaml

from ai.scheduling.feedback import interpret
from schediora_contracts.common import FeedbackAdjustments, SubjectSnapshot

SET = yaml.safe_load((Path(__file__).parents[1] / "feedback_comments.yaml").read_text())
SUBJECTS = tuple(
    SubjectSnapshot(subject_id=uuid.uuid5(uuid.NAMESPACE_URL, name), name=name, difficulty=3)
    for name in SET["subjects"]
)
BY_NAME = {s.name: s.subject_id for s in SUBJECTS}
KNOWN_MISSES: frozenset[str] = frozenset(
    {
        # "more than one" negated three words away is not read as a cap on the day.
        "Don't give me more than one session a day",
        # A day's part of the day that is "the only time I sleep in" reads as avoiding mornings.
        "Saturday mornings are the only time I sleep in",
    }
)
"""Comments of the set the interpreter reads wrong, listed rather than skipped."""


def expected(entry: dict) -> FeedbackAdjustments:
    wishes = dict(entry["expect"])
    for field in ("more", "less"):
        if field in wishes:
            wishes[field] = [BY_NAME[name] for name in wishes[field]]
    return FeedbackAdjustments(**wishes)


def same(a: FeedbackAdjustments, b: FeedbackAdjustments) -> bool:
    """Equal wishes, lists compared as sets."""
    return all(
        set(x) == set(y) if isinstance(x, tuple) else x == y
        for x, y in zip(a.model_dump().values(), b.model_dump().values(), strict=True)
    )


def test_the_set_has_at_least_150_comments_and_the_twelve_of_the_issue():
    assert len(SET["comments"]) >= 150
    texts = {entry["text"] for entry in SET["comments"]}
    assert "I'd much rather study in the evening." in texts
    assert "Keep my weekends free please." in texts


@pytest.mark.parametrize("entry", SET["comments"], ids=lambda entry: entry["text"][:40])
def test_each_comment_is_read_into_its_wishes(entry):
    read = interpret(entry["text"], SUBJECTS).wishes
    if entry["text"] in KNOWN_MISSES:
        assert not same(read, expected(entry)), "a known miss is read right now: unlist it"
    else:
        assert same(read, expected(entry))


def test_the_exact_share_is_all_but_the_known_misses():
    exact = sum(same(interpret(e["text"], SUBJECTS).wishes, expected(e)) for e in SET["comments"])
    assert exact == len(SET["comments"]) - len(KNOWN_MISSES)


@pytest.mark.parametrize(
    ("comment", "not_understood"),
    [
        ("great plan, thanks!", []),
        ("I can't study in the mornings, I have work.", []),
        ("more physics", ["more physics"]),
        ("no mornings, my cat walked on the keyboard", ["my cat walked on the keyboard"]),
        ("Less bio please. The app colours are weird!", ["The app colours are weird"]),
        ("I have work", ["I have work"]),
    ],
)
def test_what_asks_for_nothing_understood_is_quoted_and_filler_is_not(comment, not_understood):
    assert list(interpret(comment, SUBJECTS).not_understood) == not_understood


def test_a_name_that_fits_two_subjects_names_neither_and_is_reported():
    two = (*SUBJECTS, SubjectSnapshot(subject_id=uuid.uuid4(), name="World History", difficulty=3))
    read = interpret("more history please", two)
    assert read.wishes.more == ()
    assert read.not_understood == ("history",)


def test_a_full_name_wins_over_a_word_of_another_name():
    two = (*SUBJECTS, SubjectSnapshot(subject_id=uuid.uuid4(), name="History", difficulty=3))
    read = interpret("less history", two)
    assert read.wishes.less == (two[-1].subject_id,)
