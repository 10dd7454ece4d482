"""JSON Schema of every event (and the envelope), for consumers outside Python and for review.

`python -m schediora_contracts.schema libs/contracts/schemas` rewrites the committed files;
a test fails when they drift from the models.
"""

import json
import sys
from pathlib import Path
from typing import Any

from schediora_contracts.envelope import EventEnvelope
from schediora_contracts.events import EVENT_TYPES
from schediora_contracts.problems import Problem


def export_json_schemas() -> dict[str, dict[str, Any]]:
    """File name → JSON Schema, one per event type and version, plus envelope and problem."""
    schemas = {
        f"{event_type}.v{version}.json": model.model_json_schema(mode="serialization")
        for (event_type, version), model in sorted(EVENT_TYPES.items())
    }
    schemas["envelope.json"] = EventEnvelope.model_json_schema(mode="serialization")
    schemas["problem.json"] = Problem.model_json_schema(mode="serialization")
    return schemas


def render(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"


def main(argv: list[str]) -> int:
    target = Path(argv[0] if argv else "libs/contracts/schemas")
    target.mkdir(parents=True, exist_ok=True)
    for name, schema in export_json_schemas().items():
        (target / name).write_text(render(schema))
    print(f"wrote {len(EVENT_TYPES) + 2} schemas to {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
