"""A brief and the candidate sessions the model chooses from."""

from dataclasses import dataclass

from ai.scheduling.brief import Brief
from ai.scheduling.slots import Candidate, candidates
from schediora_contracts.events import PlanRequested
from schediora_contracts.local_time import local_date


@dataclass(frozen=True)
class Problem:
    brief: Brief
    candidates: tuple[Candidate, ...]
    """Sorted by start; each fits its day's budget."""

    def eligible(self, c: int, s: int) -> bool:
        """Whether candidate `c` may be a session of subject `s` (it ends by the exam)."""
        cutoff = self.brief.subjects[s].cutoff
        return cutoff is None or self.candidates[c].end <= cutoff

    @property
    def has_choices(self) -> bool:
        """Whether some candidate may be a session of some subject."""
        subjects = range(len(self.brief.subjects))
        return any(self.eligible(c, s) for c in range(len(self.candidates)) for s in subjects)

    def from_previous(self, c: int, s: int) -> bool:
        candidate = self.candidates[c]
        return self.brief.previous.get((candidate.start, candidate.end)) == s

    @classmethod
    def of(cls, request: PlanRequested) -> "Problem":
        brief = Brief.of(request)
        pause = brief.effective.preferences.break_minutes
        found = candidates(brief.slots, brief.length, pause)
        known = {(c.start, c.end) for c in found}
        for start, end in sorted(brief.previous):
            if (start, end) not in known:
                day = local_date(brief.timeline.instant(start), brief.week.zone)
                found.append(Candidate(start, end, day, 0))
        usable = tuple(sorted(c for c in found if c.length <= brief.budgets.get(c.day, 0)))
        return cls(brief, usable)
