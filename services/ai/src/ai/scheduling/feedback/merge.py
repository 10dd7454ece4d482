"""The chips and the comment's wishes as one `FeedbackAdjustments`.

The chips are what the student tapped, so where the two disagree the chips win: a single value
(`prefer_period`, `session_length`, `daily_load`, `not_before`, `not_after`) is the chip's when it
has one, a subject asked both "more" and "less" keeps the chip's direction. Lists are the union,
in the chips' order then the comment's. A period both avoided and preferred is avoided (the
preference is dropped and reported as not met, see `apply`).
"""

from schediora_contracts.common import FeedbackAdjustments


def merge(chips: FeedbackAdjustments | None, said: FeedbackAdjustments) -> FeedbackAdjustments:
    """What the student asks, from the chips (`chips`) and the comment (`said`) together."""
    if chips is None or chips.is_empty():
        return said
    more = _union(chips.more, tuple(s for s in said.more if s not in chips.less))
    less = _union(chips.less, tuple(s for s in said.less if s not in chips.more))
    return FeedbackAdjustments(
        more=more,
        less=tuple(s for s in less if s not in more),
        avoid_periods=_union(chips.avoid_periods, said.avoid_periods),
        prefer_period=chips.prefer_period or said.prefer_period,
        free_days=_union(chips.free_days, said.free_days),
        session_length=chips.session_length or said.session_length,
        daily_load=chips.daily_load or said.daily_load,
        not_before=chips.not_before or said.not_before,
        not_after=chips.not_after or said.not_after,
    )


def _union(first: tuple, second: tuple) -> tuple:
    return tuple(dict.fromkeys((*first, *second)))
