"""A comment as tokens: lower case, contractions spelled out ("can't" → "can not"), clock times
kept whole ("9:30pm"), misspelt lexicon words corrected ("mornigns" → "mornings"), each token
with the span of the comment it comes from (so what was not understood is quoted as written)."""

import re
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein

from ai.scheduling.feedback import lexicon

_TOKEN = re.compile(
    r"\d{1,2}[:.]\d{2}(?:am|pm)?"
    r"|\d+(?:st|nd|rd|th|am|pm|h|hrs?|mins?)?"
    r"|[a-z\u00c0-\u024f]+(?:'[a-z]+)?"
    r"|w/o?|[.,!?;\n()]|&|>|<"
)
_CORRECTABLE = tuple(sorted(w for w in lexicon.VOCABULARY if len(w) >= 6))
BREAKS = frozenset({".", ",", "!", "?", ";", "\n", "(", ")"})


@dataclass(frozen=True)
class Token:
    text: str
    start: int
    end: int
    """The span of the comment it was read from (a contraction gives several tokens)."""


def tokens(comment: str) -> list[Token]:
    text = comment.lower().replace("\u2019", "'").replace("\u2018", "'").replace("`", "'")
    text = re.sub(r"\b([ap])\.\s?m\.?", r"\1m", text)
    found: list[Token] = []
    for match in _TOKEN.finditer(text):
        word = match.group(0)
        if word == "&":
            word = "and"
        elif word in (">", "<"):
            word = "more than" if word == ">" else "less than"
        spelled = lexicon.CONTRACTIONS.get(word)
        if spelled is None and word.endswith("'s") and word[:-2] not in ("it", "that", "let"):
            spelled = word[:-2]
        for part in (spelled or correct(word)).split():
            found.append(Token(part, match.start(), match.end()))
    return _too(found)


def _too(found: list[Token]) -> list[Token]:
    """ "to short" → "too short"; "too lon" → "too long"."""
    for at in range(len(found) - 1):
        word, following = found[at].text, found[at + 1].text
        if word not in ("to", "too", "so", "way", "2"):
            continue
        fixed = next(
            (
                what
                for what in lexicon.TOO_WHAT
                if following == what
                or (len(following) >= 3 and what.startswith(following))
                or (len(following) >= 4 and DamerauLevenshtein.distance(following, what) <= 1)
            ),
            None,
        )
        if fixed is None or (word in ("to", "2") and following != fixed and len(following) < 4):
            continue
        if word in ("to", "2"):
            found[at] = Token("too", found[at].start, found[at].end)
        found[at + 1] = Token(fixed, found[at + 1].start, found[at + 1].end)
    return found


@lru_cache(maxsize=4096)
def correct(word: str) -> str:
    """The lexicon word `word` misspells (one edit away, two for 8 letters or more, the same
    first letter), or `word` itself."""
    if len(word) < 5 or not word.isalpha() or word in lexicon.VOCABULARY:
        return word
    if word in lexicon.PROTECTED or word in lexicon.FILLER or word in lexicon.COMMON_WORDS:
        return word
    limit = 2 if len(word) >= 8 else 1
    best = process.extractOne(
        word,
        [w for w in _CORRECTABLE if w[0] == word[0] and abs(len(w) - len(word)) <= limit],
        scorer=DamerauLevenshtein.distance,
        score_cutoff=limit,
    )
    return best[0] if best else word
