"""CPU seconds spent by the processes of a case: each service's process tree (its workers
included) and the PostgreSQL backends serving the bench database, read from /proc."""

import os
from collections import defaultdict
from dataclasses import dataclass

import psycopg

_TICK = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> tuple[int, float] | None:
    """(parent pid, user + system CPU seconds) of a live process."""
    try:
        with open(f"/proc/{pid}/stat") as file:
            fields = file.read().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return None
    # After the command: state ppid ... utime (14th field overall) stime (15th).
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / _TICK


def _trees(roots: dict[str, int]) -> tuple[dict[str, list[int]], dict[int, float]]:
    """Each named process with all its descendants, and every live process's CPU seconds."""
    parents: dict[int, int] = {}
    cpu: dict[int, float] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (stat := _stat(int(entry))) is not None:
            parents[int(entry)], cpu[int(entry)] = stat
    children: dict[int, list[int]] = defaultdict(list)
    for pid, parent in parents.items():
        children[parent].append(pid)
    trees: dict[str, list[int]] = {}
    for name, root in roots.items():
        found, todo = [], [root]
        while todo:
            pid = todo.pop()
            found.append(pid)
            todo.extend(children.get(pid, ()))
        trees[name] = found
    return trees, cpu


def tree_cpu(roots: dict[str, int]) -> dict[str, float]:
    """CPU seconds of each named process and all its descendants."""
    trees, cpu = _trees(roots)
    return {name: sum(cpu.get(pid, 0.0) for pid in pids) for name, pids in trees.items()}


def tree_rss_mib(roots: dict[str, int]) -> dict[str, float]:
    """Resident memory (MiB) of each named process and all its descendants."""
    trees, _ = _trees(roots)
    return {name: sum(_rss_kib(pid) for pid in pids) / 1024 for name, pids in trees.items()}


def _rss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as file:
            for line in file:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError):
        pass
    return 0


@dataclass
class Snapshot:
    processes: dict[str, float]
    backends: dict[int, float]


class CpuMeter:
    """Reads the CPU time of named process trees and of the database's PostgreSQL backends."""

    def __init__(self, admin_url: str, database: str) -> None:
        self._connection = psycopg.connect(admin_url, autocommit=True)
        self._database = database

    def close(self) -> None:
        self._connection.close()

    def snapshot(self, roots: dict[str, int]) -> Snapshot:
        rows = self._connection.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            (self._database,),
        ).fetchall()
        backends = {pid: stat[1] for (pid,) in rows if (stat := _stat(pid)) is not None}
        return Snapshot(tree_cpu(roots), backends)

    @staticmethod
    def spent(before: Snapshot, after: Snapshot) -> dict[str, float]:
        """CPU seconds between two snapshots by process name, and `postgres` for the backends
        (a backend started in between counts whole; one that ended in between is lost)."""
        spent = {
            name: after.processes[name] - before.processes.get(name, 0.0)
            for name in after.processes
        }
        spent["postgres"] = sum(
            seconds - before.backends.get(pid, 0.0) for pid, seconds in after.backends.items()
        )
        return spent
