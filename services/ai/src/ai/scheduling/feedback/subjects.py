"""The student's subjects as a comment may name them: the full name, a word of it no other
subject's name has ("the history one"), a short name students use ("orgo", "calc", "bio",
`lexicon.NICKNAMES`), a prefix of 4 letters or more of a distinctive word ("psych", "econ"), or
any of these misspelt by an edit (two for 8 letters or more: "chemestry", "calculas").

A name that fits several subjects is ambiguous and names none, unless it is one subject's full
name ("History" beside "Art History").
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from uuid import UUID

from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein

from ai.scheduling.feedback import lexicon
from schediora_contracts.common import SubjectSnapshot

MAX_WORDS = 4
AMBIGUOUS = None


@dataclass(frozen=True)
class Names:
    exact: dict[tuple[str, ...], UUID | None]
    """Each way of naming a subject → its id (None: ambiguous)."""
    fuzzy: dict[str, UUID | None]
    """Single words worth matching with a typo (5 letters or more)."""
    full: frozenset[tuple[str, ...]]
    """The subjects' full names."""


def words(name: str) -> tuple[str, ...]:
    return tuple(re.findall(r"[a-z0-9\u00c0-\u024f]+", name.lower()))


@lru_cache(maxsize=512)
def names_of(subjects: tuple[tuple[UUID, str], ...]) -> Names:
    candidates: dict[tuple[str, ...], set[UUID]] = {}
    full: dict[tuple[str, ...], UUID] = {}

    def add(alias: tuple[str, ...], subject_id: UUID) -> None:
        if alias and not (len(alias) == 1 and alias[0] in lexicon.COMMON_WORDS):
            candidates.setdefault(alias, set()).add(subject_id)

    for subject_id, name in subjects:
        tokens = words(name)
        if not tokens:
            continue
        full[tokens] = subject_id
        add(tokens, subject_id)
        joined = " ".join(tokens)
        for word in tokens:
            if len(word) >= 3:
                add((word,), subject_id)
            if len(word) >= 6:
                for cut in range(4, len(word)):
                    add((word[:cut],), subject_id)
            if word.endswith("s") and len(word) > 4:
                add((word[:-1],), subject_id)
        for key, nicknames in lexicon.NICKNAMES.items():
            if key == joined or (" " not in key and key in tokens):
                for nickname in nicknames:
                    add(words(nickname), subject_id)
    exact: dict[tuple[str, ...], UUID | None] = {}
    for alias, ids in candidates.items():
        if alias in full:
            exact[alias] = full[alias]
        elif len(ids) == 1:
            exact[alias] = next(iter(ids))
        else:
            exact[alias] = AMBIGUOUS
    fuzzy = {alias[0]: i for alias, i in exact.items() if len(alias) == 1 and len(alias[0]) >= 5}
    fuzzy |= {" ".join(alias): i for alias, i in exact.items() if len(alias) > 1}
    return Names(exact, fuzzy, frozenset(full))


def key(subjects: Sequence[SubjectSnapshot]) -> tuple[tuple[UUID, str], ...]:
    return tuple((s.subject_id, s.name) for s in subjects)


def match(names: Names, tokens: Sequence[str], at: int) -> tuple[int, UUID | None] | None:
    """The subject named at `tokens[at]`: (how many tokens, its id or None if ambiguous), or
    None when no subject is named there."""
    for size in range(min(MAX_WORDS, len(tokens) - at), 0, -1):
        alias = tuple(tokens[at : at + size])
        if alias in names.exact:
            if size == 1 and alias[0] in lexicon.KNOWN and alias not in names.full:
                continue  # "study" is no subject, unless one is called that
            return size, names.exact[alias]
    for size in range(min(MAX_WORDS, len(tokens) - at), 0, -1):
        text = " ".join(tokens[at : at + size])
        if len(text) < 5 or (size == 1 and not text.isalpha()):
            continue
        if size == 1 and (text in lexicon.KNOWN or text in lexicon.VOCABULARY):
            continue
        limit = 2 if len(text) >= 8 else 1
        best = process.extractOne(
            text,
            [alias for alias in names.fuzzy if alias[0] == text[0]],
            scorer=DamerauLevenshtein.distance,
            score_cutoff=limit,
        )
        if best is not None:
            return size, names.fuzzy[best[0]]
    return None
