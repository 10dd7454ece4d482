"""Reading what a test's own actions added to the process's Prometheus metrics. Counters and
histograms are process-global (other tests moved them too), so tests assert deltas."""

from prometheus_client import REGISTRY


def _samples() -> dict[tuple[str, frozenset], float]:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in REGISTRY.collect()
        for sample in family.samples
    }


class Deltas:
    """A snapshot of every sample; `added(name, **labels)` is how much the samples named
    `name` whose labels include `labels` grew since (summed over the other labels)."""

    def __init__(self) -> None:
        self.before = _samples()

    def added(self, sample_name: str, **labels: str) -> float:
        wanted = set(labels.items())

        def total(found: dict[tuple[str, frozenset], float]) -> float:
            return sum(
                value
                for (name, sample_labels), value in found.items()
                if name == sample_name and wanted <= sample_labels
            )

        return total(_samples()) - total(self.before)
