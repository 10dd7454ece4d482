"""Clock times in a part of a comment as `not_before` / `not_after` wishes.

A time is `9`, `9am`, `9 pm`, `9:30`, `21:30`, `21h`, `9.30`, `noon`, `midnight` or a number
word ("nine"). What it bounds depends on the words around it:

- "between 10 and 6", "from 9 to 5": both bounds;
- "no earlier than", "at the earliest", "or later", "start at/from/after", "wake up at",
  "from T on": the earliest start (`not_before`);
- "no later than", "at the latest", "or earlier", "by", "done/finish/end/stop at", "bed at":
  the latest end (`not_after`);
- "until / till": the latest end, except after work, classes or sleep ("I work until 6",
  "I sleep till 10"), where it is the earliest start;
- "after" / "past": the earliest start, unless the part is negative ("nothing after 9pm",
  "no sessions past 10"), where it is the latest end; "before" the other way round.

A bare hour is read as the student most likely means it: a latest end of 1-11 is pm ("not
after 9" is 21:00); an earliest start of 1-6 is pm and 7-11 am ("not before 10" is 10:00); after
work or classes 1-9 is pm ("I work until 5" is 17:00). Midnight as a latest end is 23:59.
"""

import re

NUMBER_WORDS = _WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
}
_T = (
    r"(?:\d{1,2}(?:[:.]\d{2})?\s?(?:am|pm|h)?|noon|midday|midnight|"
    + "|".join(_WORDS)
    + r")(?:\s?(?:am|pm|o'clock|oclock)\b)?(?:\s(?:ish))?"
)
_NEGATED = re.compile(r"\b(?:not|never|can not|do not|does not|did not|won't|nobody)\b")
_WHAT = r"(?:(?:studying|study|sessions|it|everything|the\sday|things|work)\s)"
_NEGATIVE = re.compile(
    r"\b(?:no|not|nothing|never|none|avoid|hate|stop|can not|impossible|too late|too early"
    r"|rather not|nope|anything|nobody|do not|does not|did not|done|dead|toast|fried|exhausted"
    r"|tired|useless|too late|too early)\b"
)
_BUSY = re.compile(
    r"\b(?:work|working|job|shift|shifts|class|classes|lecture|lectures|school|busy|lab|labs"
    r"|practice|training|commute|sleep|sleeping|asleep|bed|uni|home)\b"
)
_SLEEP = re.compile(r"\b(?:sleep|sleeping|asleep|bed|wake|awake|up)\b")

_RULES: tuple[tuple[re.Pattern[str], tuple[str, ...]], ...] = tuple(
    (re.compile(pattern), roles)
    for pattern, roles in (
        (rf"\bbetween\s({_T})\s(?:and|&|to|-)\s({_T})", ("start", "end")),
        (rf"\bfrom\s({_T})\s?(?:to|till|til|until|-)\s?({_T})", ("start", "end")),
        (rf"\b({_T})\s?-\s?({_T})\b", ("start", "end")),
        (rf"\b(?:no\s|not\s)(?:\w+\s){{0,3}}?earlier\sthan\s({_T})", ("start",)),
        (rf"\b(?:no\s|not\s)(?:\w+\s){{0,3}}?later\sthan\s({_T})", ("end",)),
        (rf"\bearlier\sthan\s({_T})", ("start?",)),
        (rf"\blater\sthan\s({_T})", ("end?",)),
        (rf"({_T})\sat\sthe\searliest\b", ("start",)),
        (rf"({_T})\sat\sthe\slatest\b", ("end",)),
        (rf"({_T})\sor\slater\b", ("start",)),
        (rf"({_T})\sor\searlier\b", ("end",)),
        (rf"\b(?:wake|waking|get|getting)\s(?:up\s)?(?:at|around|by)\s({_T})", ("start",)),
        (rf"\b(?:bed|sleep|asleep)\s(?:\w+\s)?(?:at|around|by)\s({_T})", ("end",)),
        (
            rf"\b(?:start|starts|starting|begin|begins|beginning)\s{_WHAT}?"
            rf"(?:at|around|from|after)\s({_T})",
            ("start-at",),
        ),
        (
            rf"\b(?:end|ends|ending|finish|finished|finishing|stop|stops|done|wrap\sup|over)\s"
            rf"{_WHAT}?(?:at|around|by|before)\s({_T})",
            ("end",),
        ),
        (
            rf"\b(?:get\soff|off|finish|finished|done\swith|leave|out\sof)\s(?:work|class"
            rf"|classes|school|uni|lectures|my\sshift|practice)\s(?:at|around|by)\s({_T})",
            ("busy",),
        ),
        (rf"\bhome\s(?:at|around|by)\s({_T})", ("busy",)),
        (rf"\b(?:until|till|til|untill|up\sto)\s({_T})", ("until",)),
        (rf"\bby\s({_T})", ("end",)),
        (rf"\b(?:after|past)\s({_T})", ("after",)),
        (rf"\bbefore\s({_T})", ("before",)),
        (rf"\bfrom\s({_T})(?:\s(?:on|onwards|onward))?", ("start",)),
        (rf"\bat\s({_T})", ("at",)),
        (
            rf"\b(?:no|not|nothing|never|stop)\s(?:more\s)?(?:\w+\s)?({_T})\s"
            rf"(?:sessions?|starts?|study|studying|blocks?|classes)\b",
            ("at",),
        ),
    )
)


def find(text: str, negative: bool = False) -> tuple[list[tuple[str, str]], list[tuple[int, int]]]:
    """The bounds a part of a comment sets, as (`not_before` | `not_after`, "HH:MM"), and the
    spans of `text` they were read from; `negative`: the part is against something (its
    words say so even when no negator here does: "mornings before 9 are rough")."""
    found: list[tuple[str, str]] = []
    spans: list[tuple[int, int]] = []
    negated = bool(_NEGATED.search(text))
    negative = negative or negated or bool(_NEGATIVE.search(text))
    busy = bool(_BUSY.search(text))
    for pattern, roles in _RULES:
        for match in pattern.finditer(text):
            if any(match.start() < e and s < match.end() for s, e in spans):
                continue
            read = []
            for group, role in enumerate(roles, start=1):
                role = _role(role, negative, busy or negated)
                if role == "none":
                    read = []
                    break
                minutes = _clock(match.group(group), role, sleep=bool(_SLEEP.search(text)))
                if minutes is None:
                    read = []
                    break
                read.append(_at(minutes) if role == "at" else _wish(role, minutes))
            read = [r for r in read if r is not None]
            if read:
                found.extend(read)
                spans.append(match.span())
    return found, spans


def _role(role: str, negative: bool, busy: bool) -> str:
    if role == "until":
        return "busy" if busy else "end"
    if role == "at":
        return "at" if negative else "none"
    if role == "after":
        return "end" if negative else "start"
    if role == "before":
        return "start" if negative else "end"
    if role == "start-at":
        return "at" if negative else "start"
    if role in ("start?", "end?"):
        return role[:-1]
    return role


def _at(minutes: int) -> tuple[str, str] | None:
    """Not at a time: a morning one starts the day an hour later, a later one ends it there."""
    if minutes < 12 * 60:
        return _wish("start", minutes + 60)
    return _wish("end", minutes)


def _wish(role: str, minutes: int) -> tuple[str, str] | None:
    if role == "end":
        minutes = min(minutes, 23 * 60 + 59)
        return ("not_after", _hhmm(minutes)) if minutes > 0 else None
    minutes = minutes % (24 * 60)
    return ("not_before", _hhmm(minutes)) if minutes > 0 else None


def _clock(text: str, role: str, *, sleep: bool) -> int | None:
    """Minutes after midnight of a time as `role` ("start", "end", "busy") reads it."""
    text = text.strip().removesuffix("ish").strip()
    if text in ("noon", "midday"):
        return 12 * 60
    if text == "midnight":
        return 24 * 60 if role == "end" else None
    match = re.fullmatch(
        r"(\d{1,2}|" + "|".join(_WORDS) + r")(?:[:.](\d{2}))?\s?(am|pm|h|o'clock|oclock)?", text
    )
    if match is None:
        return None
    hour = _WORDS.get(match.group(1)) or int(match.group(1))
    minute, suffix = int(match.group(2) or 0), match.group(3)
    if hour > 24 or minute > 59:
        return None
    if suffix in ("am", "pm"):
        if hour == 0 or hour > 12:
            return None
        hour = hour % 12 + (12 if suffix == "pm" else 0)
    elif suffix != "h" and 0 < hour < 12:
        hour = _bare(hour, role, sleep=sleep)
    return hour * 60 + minute


def _bare(hour: int, role: str, *, sleep: bool) -> int:
    """The 24-hour hour a bare hour of 1-11 most likely means."""
    if role == "end":
        return hour + 12
    if role == "at":
        return hour if hour >= 6 else hour + 12
    if sleep:
        return hour
    if role == "busy":
        return hour + 12 if hour <= 9 else hour
    return hour + 12 if hour <= 6 else hour


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"
