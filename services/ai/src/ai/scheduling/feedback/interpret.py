"""A free-text comment read into the same wishes the app's chips send (`FeedbackAdjustments`),
offline and deterministically, with the parts that asked for nothing understood.

How a comment is read:

1. `normalize`: tokens, contractions spelled out, misspelt lexicon words corrected.
2. Targets, left to right, longest first: parts of the day ("mornings", "after work", and fused
   with a feeling: "too early", "night owl", "not a morning person"), days ("fridays",
   "weekends"), subjects (`subjects`: full names, distinctive words, nicknames, typos).
3. Cues (`lexicon.CUES`): words that pull a target one way, per kind of target ("hard" means
   more of a subject but avoid a part of the day); a negator a few words before a cue turns it
   ("do not like", "no more mornings"); "only" / "just" before a part of the day or a day keeps
   that one and drops the others.
4. The comment is cut into parts at sentence ends and at "but", "also", "and", "or" and commas
   that start a new wish (not those that list targets: "no mornings or evenings"). In each part
   a target takes the nearest cue (one before it by a little), within 7 words; cues such as
   "no", "more", "prefer" reach only forward. A subject's pull is `more` / `less`; a part of
   the day's is `prefer_period` / `avoid_periods`; a day's is `free_days` (and "rather
   weekdays" frees the weekend). A day and a part of the day together ("friday evenings")
   free the day.
5. In each part, also: clock times (`clock`), the session length (`lexicon.LONGER` /
   `SHORTER`, not when negated), and the load (`lexicon.LIGHTER` / `HEAVIER`; the generic ones,
   "too much", "not enough", only where the part names no target). "It" / "that one" after a
   subject cue ("cut it down") is the last subject named.
6. A part that gave no wish and holds words other than filler ("please", "thanks") and, when
   the comment gave a wish, reasons ("I have work") is quoted in `not_understood`, as written;
   so is a name that fits several subjects.

Later wishes win over earlier ones on the same subject or part of the day; two preferred parts
of the day avoid the third.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise
from uuid import UUID

from ai.scheduling.feedback import clock, lexicon, subjects
from ai.scheduling.feedback.normalize import BREAKS, Token, tokens
from schediora_contracts.common import FeedbackAdjustments, SubjectSnapshot

WINDOW = 7
"""Words between a cue and its target, at most."""
NEGATION_REACH = 3
SPLITTERS = frozenset(
    {"but", "however", "though", "although", "also", "plus", "otherwise", "because", "cause"}
)
SO_BEFORE = frozenset(
    {
        "long",
        "short",
        "much",
        "many",
        "early",
        "late",
        "little",
        "hard",
        "tired",
        "bad",
        "good",
        "boring",
        "busy",
        "packed",
        "intense",
        "exhausting",
        "few",
        "far",
        "that",
    }
)
"""After "so" these words make it an intensifier ("so long"), not "and so" (a new part)."""
COMMA_COST = 3
"""A cue reaching a target across a comma counts as this many words further."""
DURATION_UNITS = frozenset({"minutes", "minute", "hour", "hours", "h", "min"})
JOINERS = frozenset({",", "and", "or", "&", "/", "nor"})
PERIODS = ("morning", "afternoon", "evening")
ALL_DAYS = frozenset(range(7))


@dataclass(frozen=True)
class Understanding:
    wishes: FeedbackAdjustments
    not_understood: tuple[str, ...]


@dataclass(frozen=True)
class _Mark:
    kind: str
    """"period", "days", "subject", "cue", "only", "negator"."""
    value: object
    start: int
    end: int
    fixed: int | None = None
    """A fused phrase's own pull ("too early": -1)."""


@dataclass
class _Wishes:
    """What the parts asked so far, in order (later wishes win)."""

    subjects: dict[UUID, int] = field(default_factory=dict)
    periods: dict[str, int] = field(default_factory=dict)
    free_days: dict[int, None] = field(default_factory=dict)
    session_length: str | None = None
    daily_load: str | None = None
    not_before: str | None = None
    not_after: str | None = None
    vague: set[str] = field(default_factory=set)
    """Parts of the day named only vaguely ("the early sessions"): a clock time said it better."""

    def adjustments(self) -> FeedbackAdjustments:
        if self.not_before or self.not_after:
            for period in self.vague:
                self.periods.pop(period, None)
        preferred = [p for p in PERIODS if self.periods.get(p) == 1]
        avoided = [p for p, pull in self.periods.items() if pull == -1]
        prefer = None
        if len(preferred) == 1:
            prefer = preferred[0]
        elif len(preferred) == 2:
            avoided += [p for p in PERIODS if p not in preferred and p not in avoided]
        return FeedbackAdjustments(
            more=tuple(s for s, pull in self.subjects.items() if pull > 0),
            less=tuple(s for s, pull in self.subjects.items() if pull < 0),
            avoid_periods=tuple(dict.fromkeys(avoided)),
            prefer_period=prefer,
            free_days=tuple(sorted(self.free_days)),
            session_length=self.session_length,
            daily_load=self.daily_load,
            not_before=self.not_before,
            not_after=self.not_after,
        )


def interpret(text: str, studied: Sequence[SubjectSnapshot]) -> Understanding:
    """The wishes `text` asks for, among `studied` subjects."""
    return _interpret(text, subjects.key(studied))


@lru_cache(maxsize=1024)
def _interpret(text: str, studied: tuple[tuple[UUID, str], ...]) -> Understanding:
    read = tokens(text)
    words = [t.text for t in read]
    names = subjects.names_of(studied)
    targets = _targets(words, names)
    cues = _cues(words, targets)
    wishes = _Wishes()
    not_understood: list[str] = []
    silent: list[tuple[int, int]] = []
    last_subject: UUID | None = None
    for start, end in _parts(words, targets):
        part_targets = [t for t in targets if start <= t.start < end]
        if wishes.not_before or wishes.not_after:
            # "bed at 10 so nothing late": the time said it already.
            part_targets = [t for t in part_targets if not _vague(words, t)]
        part_cues = [c for c in cues if start <= c.start < end]
        found = _read_part(words, start, end, part_targets, part_cues, wishes, last_subject)
        for target in part_targets:
            if target.kind == "subject" and target.value is not None:
                last_subject = target.value  # type: ignore[assignment]
            if target.kind == "subject" and target.value is None:
                not_understood.append(_quote(text, read, target.start, target.end))
        if not found:
            silent.append((start, end))
    asked = wishes.adjustments()
    for start, end in silent:
        ignorable = lexicon.FILLER | (lexicon.REASONS if not asked.is_empty() else frozenset())
        content = [w for w in words[start:end] if w not in BREAKS and w not in ignorable]
        if content:
            not_understood.append(_quote(text, read, start, end))
    return Understanding(asked, tuple(dict.fromkeys(q for q in not_understood if q)))


def _targets(words: list[str], names: subjects.Names) -> list[_Mark]:
    found: list[_Mark] = []
    at = 0
    while at < len(words):
        mark = _target_at(words, at, names)
        if mark is None:
            at += 1
            continue
        found.append(mark)
        at = mark.end
    return found


def _target_at(words: list[str], at: int, names: subjects.Names) -> _Mark | None:
    fused = _phrase_at(words, at, lexicon.FUSED_PERIODS)
    if fused is not None:
        size, (period, pull) = fused
        return _Mark("period", period, at, at + size, fixed=pull)
    phrase = _phrase_at(words, at, lexicon.PERIOD_PHRASES)
    if phrase is not None:
        return _Mark("period", phrase[1], at, at + phrase[0])
    phrase = _phrase_at(words, at, lexicon.WEEKDAY_PHRASES)
    if phrase is not None:
        return _Mark("days", phrase[1], at, at + phrase[0])
    named = subjects.match(names, words, at)
    exact = named is not None and tuple(words[at : at + named[0]]) in names.exact
    if named is not None and exact:
        return _Mark("subject", named[1], at, at + named[0])
    word = words[at]
    if word in lexicon.PERIOD_WORDS:
        return _Mark("period", lexicon.PERIOD_WORDS[word], at, at + 1)
    if word in lexicon.WEEKDAY_WORDS:
        return _Mark("days", lexicon.WEEKDAY_WORDS[word], at, at + 1)
    if word in lexicon.LOAD_WORDS:
        return _Mark("load", word, at, at + 1)
    if named is not None:
        return _Mark("subject", named[1], at, at + named[0])
    return None


def _cues(words: list[str], targets: list[_Mark]) -> list[_Mark]:
    taken = {i for t in targets for i in range(t.start, t.end)}
    found: list[_Mark] = []
    at = 0
    while at < len(words):
        if at in taken:
            at += 1
            continue
        phrase = _phrase_at(words, at, lexicon.CUES)
        if phrase is not None and not any(i in taken for i in range(at, at + phrase[0])):
            size = phrase[0]
            found.append(_Mark("cue", tuple(words[at : at + size]), at, at + size))
            at += size
            continue
        if words[at] in lexicon.ONLY:
            found.append(_Mark("only", words[at], at, at + 1))
        at += 1
    return found


def _parts(words: list[str], targets: list[_Mark]) -> list[tuple[int, int]]:
    """The comment cut into parts that each ask for one thing or a list of things."""
    starts = {t.start for t in targets}
    parts: list[tuple[int, int]] = []
    begin = 0
    for at, word in enumerate(words):
        cut = word in BREAKS - {","} or word in SPLITTERS
        if word == "so":
            cut = at + 1 < len(words) and words[at + 1] not in SO_BEFORE
        if word in JOINERS:
            following = at + 1
            while following < len(words) and words[following] in JOINERS:
                following += 1
            cut = following not in starts and not _timelike(words, following)
            if words[following : following + 1] == ["not"]:
                cut = not ({following + 1, following + 2} & starts)  # "afternoons, not mornings"
        if cut:
            if begin < at:
                parts.append((begin, at))
            begin = at + 1
    if begin < len(words):
        parts.append((begin, len(words)))
    return parts


def _vague(words: list[str], target: _Mark) -> bool:
    return target.kind == "period" and bool(
        {"late", "early", "later", "earlier"} & set(words[target.start : target.end])
    )


def _timelike(words: list[str], at: int) -> bool:
    return at < len(words) and (
        words[at][:1].isdigit() or words[at] in clock.NUMBER_WORDS or words[at] == "noon"
    )


def _read_part(
    words: list[str],
    start: int,
    end: int,
    targets: list[_Mark],
    cues: list[_Mark],
    wishes: _Wishes,
    last_subject: UUID | None,
) -> bool:
    """Records what the part `words[start:end]` asks in `wishes`; False when it asks nothing."""
    found = False
    text = " ".join(words[start:end])
    negative = any(
        (c.kind == "cue" and lexicon.CUES[c.value][1] == -1)
        for c in cues  # type: ignore[index]
    ) or any(t.fixed == -1 for t in targets)
    bounds, spans = clock.find(text, negative)
    for name, value in bounds:
        setattr(wishes, name, value)
        found = True
    if bounds:
        # "no later than 9", "bed at 10 so nothing late": the time says it, not the words.
        offsets = _offsets(words, start, end)
        timed = {at for at, (a, b) in offsets.items() for s, e in spans if a < e and s < b}
        targets = [
            t
            for t in targets
            if not any(at in timed for at in range(t.start, t.end))
            and t.kind not in ("period", "days", "subject")
        ]
    length = _length(words, start, end) or _duration(words, start, end)
    if length is not None:
        wishes.session_length = length
        found = True
    if found:  # "longer blocks for calc pls": the please is the length's
        cues = [c for c in cues if c.value not in (("please",), ("pls",), ("plz",))]
    day_targets = [t for t in targets if t.kind == "days"]
    for target, following in pairwise(targets):
        if (
            target.kind == following.kind == "subject"
            and target.value == following.value is not None
            and following.start == target.end
            and words[target.start : target.end] == words[following.start : following.end]
        ):
            wishes.subjects.pop(target.value, None)  # type: ignore[call-overload]
            wishes.subjects[target.value] = 1  # type: ignore[index]  # "calc calc calc"
            found = True
    for target in targets:
        pull, only = _pull(words, target, cues, start, targets)
        if pull is None:
            continue
        found = True
        if pull == 0:
            continue
        if target.kind == "load":
            of_a_subject = any(
                t.kind == "subject" and t.start == target.end + 1 for t in targets
            ) and words[target.end : target.end + 1] in (["of"], ["for"], ["on"])
            if not of_a_subject:  # "the amount of art history" is the subject's
                wishes.daily_load = "lighter" if pull < 0 else "heavier"
            continue
        if target.kind == "days" and pull < 0 and _by_quantity(target, cues):
            wishes.daily_load = "lighter"  # "too many hours on weekdays": less, not none
            continue
        if target.kind == "subject":
            if target.value is not None:
                wishes.subjects.pop(target.value, None)  # type: ignore[call-overload]
                wishes.subjects[target.value] = pull  # type: ignore[index]
        elif target.kind == "period":
            day = next((t for t in day_targets if t.end == target.start), None)
            if pull < 0 and not only and day is not None and len(day.value) == 1:  # type: ignore[arg-type]
                continue  # "no friday evenings": the day goes free, not every evening
            _period(wishes, str(target.value), pull, only)
            if _vague(words, target) and not only:
                wishes.vague.add(str(target.value))
        else:
            part_of_day = any(t.kind == "period" and t.start == target.end for t in targets)
            if pull < 0 and not only and part_of_day and len(target.value) > 1:  # type: ignore[arg-type]
                continue  # "no weekday mornings": the mornings, not five days
            _days(wishes, target, pull, only, cues)
    if not any(t.kind == "subject" for t in targets) and last_subject is not None:
        others = {"everything", "else", "rest", "other", "others", "anything"}
        bare = (
            not targets
            and not others & set(words[start:end])
            and all(
                c.value in (("more",), ("less",), ("need",), ("needs",), ("way", "more"))
                for c in cues
            )
        )
        pronoun = bare or any(w in lexicon.PRONOUNS for w in words[start:end])
        for cue in cues:
            if pronoun and cue.value in lexicon.SUBJECT_ONLY_CUES:
                pull = lexicon.CUES[cue.value][0]  # type: ignore[index]
                if pull:
                    wishes.subjects.pop(last_subject, None)
                    wishes.subjects[last_subject] = pull
                    found = True
                    break
    load = _load(
        words,
        start,
        end,
        [t for t in targets if t.kind != "load"],
        bool(bounds) or length is not None or found,
    )
    if load is not None:
        wishes.daily_load = load
        found = True
    return found


def _pull(
    words: list[str], target: _Mark, cues: list[_Mark], floor: int, targets: list[_Mark]
) -> tuple[int | None, bool]:
    """How the nearest cue pulls `target` (+1, -1, 0 for neutral, None: no cue), and whether it
    is an "only"; negators are looked for from `floor` (the part's start) on."""
    if target.fixed is not None:
        # "not a night owl" turns; "can't do early starts" is no double negative.
        negated = target.fixed > 0 and _negated(words, target.start, floor)
        return (-target.fixed if negated else target.fixed), False
    kind = 0 if target.kind == "subject" else 1
    best: tuple[float, int, bool] | None = None
    for cue in cues:
        if cue.kind == "only":
            after = cue.start == target.end and cue.value == "only"
            if kind and (0 < target.start - cue.end + 1 <= 3 or after):
                return 1, True
            continue
        pull = lexicon.CUES[cue.value][0 if target.kind == "load" else kind]  # type: ignore[index]
        if cue.value in (("not",), ("no",), ("never",)) and any(
            0 < other.start - cue.end <= 2
            and other.kind == "cue"
            and lexicon.CUES[other.value][kind] is not None  # type: ignore[index]
            for other in cues
        ):
            continue  # "is not getting enough": "not" turns "enough", it pulls nothing itself
        if cue.value[0] in lexicon.WISHED_SIZES and _of_sessions(
            words, cue.start, floor, len(words)
        ):  # type: ignore[index]
            continue  # "the chem blocks should be bigger": the sessions', not the subject's
        if pull is None:
            continue
        if cue.end <= target.start:
            distance = target.start - cue.end + 0.5
            between = words[cue.end : target.start]
        else:
            if cue.value in lexicon.BACKWARD:
                pull = lexicon.BACKWARD[cue.value]  # type: ignore[index]
            elif cue.value == ("not",) and any(
                t.kind == target.kind and 0 <= t.start - cue.end <= 2 for t in targets
            ):
                pull = 1  # "afternoons, not evenings": the one before is the one wanted
            elif cue.value in lexicon.FORWARD and any(
                t.start >= cue.end and "," not in words[cue.end : t.start] for t in targets
            ):
                continue  # "no" before a target is that target's ("mornings, no evenings")
            distance = cue.start - target.end + 1
            between = words[target.end : cue.start]
        if "," in between:
            distance += COMMA_COST
        if distance > WINDOW:
            continue
        held = {
            at for c in cues if c is not cue and c.end - c.start > 1 for at in range(c.start, c.end)
        }
        if pull and _negated(words, cue.start, floor, cue, held=held):
            pull = -pull
        weak = cue.value in lexicon.WEAK
        if best is None or (weak, distance) < (best[2], best[0]):
            best = (distance, pull, weak)
    if best is None:
        return None, False
    return best[1], False


def _by_quantity(target: _Mark, cues: list[_Mark]) -> bool:
    """Whether the cue nearest before `target` is one of amount ("too many hours on fridays",
    "less on weekdays": not five days free)."""
    before = [c for c in cues if c.end <= target.start and c.kind == "cue"]
    if not before or before[-1].value not in lexicon.QUANTITY:
        return False
    return before[-1].value not in (("less",), ("fewer",)) or len(target.value) >= 3  # type: ignore[arg-type]


def _duration(words: list[str], start: int, end: int) -> str | None:
    """A length named ("25 minutes", "2 hour blocks", "an hour") and judged too much / too
    little: sessions shorter / longer."""
    named = [at for at in range(start, end) if _is_duration(words, at, start)]
    daily = {"day", "daily", "week", "weekly", "total", "overall"} & set(words[start:end])
    if not named or daily:
        return None
    if any(w in lexicon.ASKING for w in words[start : named[0]]):
        minutes = _minutes(words, named[0])
        if minutes is not None and minutes >= lexicon.ASKED_DURATION["longer"]:
            return "longer"
        if minutes is not None and minutes <= lexicon.ASKED_DURATION["shorter"]:
            return "shorter"
    for at in range(start, end):
        if _size_at(words, at, lexicon.HEAVIER, end) or _size_at(words, at, _SHORT, end):
            return "longer"
        if _size_at(words, at, lexicon.LIGHTER, end):
            return "shorter"
    return None


def _minutes(words: list[str], at: int) -> int | None:
    """Minutes of the duration whose unit is `words[at]` ("2 hour", "90 min", "an hour")."""
    word = words[at]
    if word[:1].isdigit():
        digits = word.rstrip("abcdefghijklmnopqrstuvwxyz")
        unit = word[len(digits) :]
        return int(digits) * (60 if unit.startswith("h") else 1)
    before = words[at - 1] if at else ""
    count = 1 if before in ("an", "a") else 0.5 if before == "half" else None
    if before[:1].isdigit():
        count = int(before) if before.isdigit() else None
    if count is None:
        return None
    return round(count * (60 if word.startswith("h") else 1))


def _is_duration(words: list[str], at: int, start: int) -> bool:
    word = words[at]
    if word[:1].isdigit():
        return word.lstrip("0123456789") in ("min", "mins", "h", "hr", "hrs")
    counted = at > start and (words[at - 1][:1].isdigit() or words[at - 1] in ("an", "a", "half"))
    return word in DURATION_UNITS and counted


_SHORT = (
    ("not", "enough"),
    ("too", "little"),
    ("barely",),
    ("only",),
    ("useless",),
    ("pointless",),
    ("worthless",),
)


def _negated(
    words: list[str],
    at: int,
    floor: int,
    cue: _Mark | None = None,
    reach: int = NEGATION_REACH,
    held: frozenset[int] | set[int] = frozenset(),
) -> bool:
    """Whether a negator stands within `reach` words before `at`, from `floor` on (not one the
    cue holds, nor one another cue `held`: "not enough time for")."""
    if cue is not None and cue.value[0] in lexicon.NEGATORS:  # type: ignore[index]
        return False
    return any(
        words[i] in lexicon.NEGATORS and i not in held for i in range(max(at - reach, floor), at)
    )


def _period(wishes: _Wishes, period: str, pull: int, only: bool) -> None:
    wishes.periods.pop(period, None)
    wishes.periods[period] = pull
    if only:
        for other in PERIODS:
            if other != period:
                wishes.periods.pop(other, None)
                wishes.periods[other] = -1


def _days(wishes: _Wishes, target: _Mark, pull: int, only: bool, cues: list[_Mark]) -> None:
    days = frozenset(target.value)  # type: ignore[arg-type]
    if pull < 0:
        for day in sorted(days):
            wishes.free_days[day] = None
        return
    rather = only or any(c.value in (("rather",), ("prefer",), ("preferably",)) for c in cues)
    if rather and days in (frozenset({5, 6}), frozenset(range(5))):
        for day in sorted(ALL_DAYS - days):
            wishes.free_days[day] = None
    for day in days:
        wishes.free_days.pop(day, None)


def _length(words: list[str], start: int, end: int) -> str | None:
    found = None
    at = start
    while at < end:
        size = 0
        for direction, phrases in (("longer", lexicon.LONGER), ("shorter", lexicon.SHORTER)):
            size = _size_at(words, at, phrases, end)
            if size:
                cancelled = words[at] in lexicon.INTENSIFIERS and _negated(
                    words, at, start, reach=1
                )
                if not cancelled:
                    found = direction
                break
        if not size and words[at] in lexicon.SIZES:
            found = _size(words, at, start, end) or found
        if not size and words[at] in lexicon.WISHED_SIZES and _of_sessions(words, at, start, end):
            found = lexicon.WISHED_SIZES[words[at]]
        at += size or 1
    return found


def _of_sessions(words: list[str], at: int, start: int, end: int) -> bool:
    """Whether `words[at]` speaks of sessions (a session word a few words before or right
    after it)."""
    near = words[max(at - 4, start) : min(at + 2, end)]
    return any(w in lexicon.SESSION_WORDS - {"they", "them"} for w in near)


def _size(words: list[str], at: int, start: int, end: int) -> str | None:
    """ "short sessions" / "sessions are kinda long": a complaint asks for the other size,
    "I prefer short sessions" for that size."""
    near = words[max(at - 4, start) : min(at + 2, end)]
    if not any(w in lexicon.SESSION_WORDS for w in near) or "enough" in words[at + 1 : at + 2]:
        return None
    if any(w in lexicon.NEGATORS for w in words[max(at - 2, start) : at]):
        return None
    asked = any(w in lexicon.ASKING for w in words[max(at - 3, start) : at])
    complaint = lexicon.SIZES[words[at]]
    if asked:
        return "shorter" if complaint == "longer" else "longer"
    return complaint


def _load(
    words: list[str], start: int, end: int, targets: list[_Mark], other_wish: bool
) -> str | None:
    found = None
    at = start
    while at < end:
        size = 0
        for direction, phrases, generic in (
            ("lighter", lexicon.LIGHTER, lexicon.GENERIC_LOAD),
            ("heavier", lexicon.HEAVIER, lexicon.GENERIC_HEAVIER),
        ):
            size = _size_at(words, at, phrases, end)
            if not size:
                continue
            phrase = tuple(words[at : at + size])
            if phrase in generic and (targets or other_wish):
                break
            if any(0 <= t.start - (at + size) <= 2 for t in targets):
                break  # "more sessions of calc", "in the evening": the target's
            if _negated(words, at, start, reach=1) and words[at] != "not":
                break
            found = direction
            break
        at += size or 1
    return found


def _phrase_at(words: list[str], at: int, phrases: dict):
    """(size, value) of the longest phrase of `phrases` at `words[at]`, or None."""
    for size in range(min(6, len(words) - at), 0, -1):
        key = tuple(words[at : at + size])
        if key in phrases:
            return size, phrases[key]
    return None


def _size_at(words: list[str], at: int, phrases: Sequence[tuple[str, ...]], end: int) -> int:
    for phrase in _longest_first(phrases):
        if at + len(phrase) <= end and tuple(words[at : at + len(phrase)]) == phrase:
            return len(phrase)
    return 0


def _offsets(words: list[str], start: int, end: int) -> dict[int, tuple[int, int]]:
    """Where each token of `words[start:end]` lies in their text joined by spaces."""
    offsets, cursor = {}, 0
    for at in range(start, end):
        offsets[at] = (cursor, cursor + len(words[at]))
        cursor += len(words[at]) + 1
    return offsets


@lru_cache(maxsize=8)
def _longest_first(phrases: tuple[tuple[str, ...], ...]) -> list[tuple[str, ...]]:
    return sorted(phrases, key=len, reverse=True)


def _quote(text: str, read: list[Token], start: int, end: int) -> str:
    """The comment's own words for tokens `start:end`."""
    kept = [t for t in read[start:end] if t.text not in BREAKS]
    if not kept:
        return ""
    return text[kept[0].start : kept[-1].end].strip()
