"""README.md opens with the two commands a newcomer needs, and points at the project's docs."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_readme_starts_with_make_run_and_make_test():
    lines = (ROOT / "README.md").read_text().splitlines()
    first_block = lines[lines.index("```sh") + 1 : lines.index("```")]
    assert [line.split("#")[0].strip() for line in first_block] == ["make run", "make test"]
    assert lines.index("```sh") <= 3, "the commands come first, right after the title"


def test_readme_links_the_documents_in_docs():
    text = (ROOT / "README.md").read_text()
    for name in ("docs/architecture.md", "docs/api.md", "docs/asyncapi.yaml", "DEVELOPERS.md"):
        assert f"({name})" in text, name
