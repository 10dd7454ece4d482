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


def _tree_cpu(roots: dict[str, int]) -> dict[str, float]:
    """CPU seconds of each named process and all its descendants."""
    parents: dict[int, int] = {}
    cpu: dict[int, float] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (stat := _stat(int(entry))) is not None:
            parents[int(entry)], cpu[int(entry)] = stat
    children: dict[int, list[int]] = defaultdict(list)
    for pid, parent in parents.items():
        children[parent].append(pid)
    totals: dict[str, float] = {}
    for name, root in roots.items():
        total, todo = 0.0, [root]
        while todo:
            pid = todo.pop()
            total += cpu.get(pid, 0.0)
            todo.extend(children.get(pid, ()))
        totals[name] = total
    return totals


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
        return Snapshot(_tree_cpu(roots), backends)

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
