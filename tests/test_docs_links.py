"""The README stays a short user's guide and every relative link in the docs resolves.

No network, no package import: reads README.md, docs/*.md and the model card as text.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest


def _repo_root() -> Path:
    """The nearest folder above this file holding pyproject.toml (works from tests/ or tests/docs/)."""
    for parent in Path(__file__).resolve().parents:
        if (parent / "pyproject.toml").is_file():
            return parent
    raise RuntimeError("no pyproject.toml above " + str(Path(__file__).resolve()))


ROOT = _repo_root()
README = ROOT / "README.md"
MAX_README_LINES = 300
SETUP_COMMANDS = ["make run", "make test"]

FENCE = re.compile(r"^\s*(```+|~~~+)")
LINK = re.compile(r"(?<!!)\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
IMAGE = re.compile(r"!\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
INLINE_CODE = re.compile(r"(`+)(.+?)\1")


def _markdown_files() -> list[Path]:
    files = [README, *sorted((ROOT / "docs").glob("*.md"))]
    card = ROOT / "models" / "zh_news_ner" / "MODEL_CARD.md"
    if card.is_file():
        files.append(card)
    return files


def _prose_lines(text: str, blank_code: bool = True) -> list[tuple[int, str]]:
    """(line number, line) outside fenced code blocks; inline code spans blanked unless told."""
    out, fence = [], None
    for n, line in enumerate(text.splitlines(), 1):
        m = FENCE.match(line)
        if m:
            marker = m.group(1)
            if fence is None:
                fence = marker[0] * 3
            elif marker.startswith(fence):
                fence = None
            continue
        if fence is None:
            out.append((n, INLINE_CODE.sub(lambda c: " " * len(c.group(0)), line) if blank_code else line))
    return out


def _github_anchor(heading: str) -> str:
    """GitHub's anchor for a heading: lowercase, markup gone, spaces to '-', punctuation dropped."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link keeps its text
    text = text.replace("`", "").replace("*", "")
    text = text.strip().lower()
    kept = []
    for ch in text:
        if ch in "-_" or ch == " ":
            kept.append("-" if ch == " " else ch)
        elif ch.isalnum() or unicodedata.category(ch).startswith(("L", "N", "M")):
            kept.append(ch)  # letters and digits of any script (CJK kept)
    return "".join(kept)


def _anchors(path: Path) -> set[str]:
    seen: dict[str, int] = {}
    anchors = set()
    for _, line in _prose_lines(path.read_text(encoding="utf-8"), blank_code=False):
        m = HEADING.match(line)
        if not m:
            continue
        base = _github_anchor(m.group(2))
        count = seen.get(base, 0)
        seen[base] = count + 1
        anchors.add(base if count == 0 else f"{base}-{count}")
    for m in re.finditer(r"<a\s+(?:name|id)=\"([^\"]+)\"", path.read_text(encoding="utf-8")):
        anchors.add(m.group(1))
    return anchors


def _links(path: Path) -> list[tuple[int, str]]:
    found = []
    for n, line in _prose_lines(path.read_text(encoding="utf-8")):
        for pattern in (LINK, IMAGE):
            found.extend((n, m.group(1)) for m in pattern.finditer(line))
    return found


def _broken_links(path: Path) -> list[str]:
    problems = []
    for n, target in _links(path):
        if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", target):  # http:, https:, mailto:, ...
            continue
        file_part, _, anchor = target.partition("#")
        dest = path if not file_part else (path.parent / file_part).resolve()
        where = f"{path.relative_to(ROOT)}:{n}: {target}"
        if not dest.exists():
            problems.append(f"{where} -> no such file {dest}")
            continue
        if anchor and dest.suffix.lower() == ".md" and dest.is_file():
            if anchor.lower() not in _anchors(dest):
                problems.append(f"{where} -> no heading with anchor #{anchor} in {dest.name}")
    return problems


def _setup_commands(text: str) -> list[str]:
    """Commands in the fenced blocks of the "Set up" section, in order (comments stripped)."""
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if re.match(r"^##\s+set\s*up\b", line, re.I)), None)
    assert start is not None, "README has no '## Set up' section"
    commands, fence = [], None
    for line in lines[start + 1:]:
        m = FENCE.match(line)
        if fence is None:
            if m:
                fence = m.group(1)[0] * 3
            elif re.match(r"^#{1,2}\s", line):
                break  # the next section: the set-up commands must be in this one
            continue
        if m and m.group(1).startswith(fence):
            fence = None
            continue
        command = re.sub(r"\s+#.*$", "", line).strip()
        command = re.sub(r"^\$\s+", "", command)
        if command and not command.startswith("#"):
            commands.append(" ".join(command.split()))
    return commands


def test_readme_is_at_most_300_lines() -> None:
    n = len(README.read_text(encoding="utf-8").splitlines())
    assert n <= MAX_README_LINES, f"README.md has {n} lines; move detail into docs/ (at most {MAX_README_LINES})"


def test_readme_set_up_is_make_run_then_make_test() -> None:
    text = README.read_text(encoding="utf-8")
    headings = [line for line in text.splitlines() if re.match(r"^##\s", line)]
    assert headings and re.match(r"^##\s+set\s*up\b", headings[0], re.I), (
        f"the first section after the description must be 'Set up', not {headings[:1]}"
    )
    commands = _setup_commands(text)
    assert commands[:2] == SETUP_COMMANDS, (
        f"the first two commands under 'Set up' must be {SETUP_COMMANDS}, found {commands[:2]}"
    )


@pytest.mark.parametrize("path", _markdown_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_resolve(path: Path) -> None:
    assert not _broken_links(path), "\n".join(_broken_links(path))


def test_docs_start_with_a_title_and_a_link_back() -> None:
    for path in sorted((ROOT / "docs").glob("*.md")):
        lines = path.read_text(encoding="utf-8").splitlines()
        assert lines and lines[0].startswith("# "), f"{path.name} must start with '# Title'"
        head = "\n".join(lines[:5])
        assert "[README](../README.md)" in head, f"{path.name} needs a link back to the README near its top"


def test_the_checks_can_fail(tmp_path: Path) -> None:
    """The helpers see a missing command, a missing file and a missing anchor."""
    assert _setup_commands("# x\n\n## Set up\n\n```sh\nmake test\n```\n") == ["make test"]
    assert _setup_commands("# x\n\n## Set up\n\n```sh\nmake run # a\n```\n\n```sh\nmake test\n```\n") == [
        "make run", "make test"]
    assert _setup_commands("# x\n\n## Set up\n\ntext\n\n## Next\n\n```sh\nmake run\n```\n") == []
    assert _github_anchor("Against LAC alone, and where the time goes (issue 20)") == (
        "against-lac-alone-and-where-the-time-goes-issue-20")
    assert _github_anchor("Running on a cluster") == "running-on-a-cluster"
    assert _github_anchor("`articles` 表格") == "articles-表格"
    doc = tmp_path / "a.md"
    doc.write_text("# A\n\n## Two words\n", encoding="utf-8")
    assert _anchors(doc) == {"a", "two-words"}
