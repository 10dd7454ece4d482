"""The repository is documented from inside: no file sends its reader to documents a clone does
not have (the design notes once kept beside the repository in `../shared/`). References go to
docs/architecture.md, docs/api.md, docs/asyncapi.yaml, DEVELOPERS.md or a service's README.
"""

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUTSIDE = re.compile(
    r"\.\./shared|\bshared/[A-Za-z]+\.md|\b(?:DESIGN|API|STYLE|RELIABILITY)\.md\b",
)
# Files that may name them, each with its reason. No test suite reads shared data today.
EXCEPTIONS = {
    "tests/docs/test_no_external_docs.py": "names the patterns it looks for",
}


def repository_files() -> list[str]:
    """Tracked files, and new ones not ignored, so a file is checked before its first commit."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    ).stdout.decode()
    return sorted({name for name in listed.split("\0") if name and (ROOT / name).is_file()})


def test_no_file_points_at_documents_outside_the_repository():
    files = repository_files()
    assert "README.md" in files
    assert "docs/api.md" in files
    found = []
    for name in files:
        if name in EXCEPTIONS:
            continue
        try:
            text = (ROOT / name).read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue  # not text
        for number, line in enumerate(text.splitlines(), start=1):
            if OUTSIDE.search(line):
                found.append(f"{name}:{number}: {line.strip()}")
    assert not found, "point these at docs/ or DEVELOPERS.md instead:\n" + "\n".join(found)


def test_the_pattern_catches_each_form_of_reference():
    for line in (
        "see ../shared/DESIGN.md",
        "(API.md: Auth)",
        "RELIABILITY.md test 9",
        "STYLE.md says",
        "shared/NOTES.md",
    ):
        assert OUTSIDE.search(line), line
    for line in ("docs/api.md: Auth", "docs/architecture.md", "the shared verifier"):
        assert not OUTSIDE.search(line), line


def test_the_documents_the_repository_points_to_exist():
    for name in ("docs/architecture.md", "docs/api.md", "docs/asyncapi.yaml", "DEVELOPERS.md"):
        assert (ROOT / name).is_file(), name
