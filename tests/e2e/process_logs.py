"""The services' JSON log lines, as the stack's processes wrote them to their log files."""

import json
from typing import Any

from schediora_testkit.devstack import Stack


def lines(stack: Stack, log_name: str, since: int = 0) -> list[dict[str, Any]]:
    """A process's JSON log lines, from the `since`-th on (earlier tests share the file)."""
    path = stack.log_dir / f"{log_name}.log"
    lines = []
    for line in path.read_text().splitlines()[since:] if path.exists() else []:
        try:
            lines.append(json.loads(line))
        except ValueError:
            continue  # a traceback line or a partial line of a killed process
    return lines


def mark(stack: Stack, log_name: str) -> int:
    """How many lines the log has now: pass it as `since` to read only what follows."""
    path = stack.log_dir / f"{log_name}.log"
    return len(path.read_text().splitlines()) if path.exists() else 0


def duplicates_dropped(stack: Stack, log_name: str, event_type: str, since: int = 0) -> int:
    return sum(
        1
        for line in lines(stack, log_name, since)
        if str(line.get("message", "")).startswith(f"duplicate {event_type} ")
    )
