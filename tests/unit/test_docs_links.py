"""Every relative link in README.md and docs/*.md resolves: the file it names exists (relative to
the linking file, inside the repository), and a #fragment names a heading of that file by
GitHub's anchor rules. Absolute http(s) links are not fetched."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

import pytest

ROOT = Path(__file__).resolve().parents[2]

FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$")
INLINE_LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\[\]]*\])*\]\(\s*(<[^>]*>|[^\s()]+)(?:\s+(?:\"[^\"]*\"|'[^']*'))?\s*\)")
REFERENCE_DEFINITION = re.compile(r"^ {0,3}\[[^\]]+\]:\s*(<[^>]*>|\S+)")
HTML_ATTRIBUTE = re.compile(r"""<[a-zA-Z][^>]*?\s(?:href|src)\s*=\s*["']([^"']*)["']""")
HTML_ANCHOR = re.compile(r"""<a\s[^>]*?(?:name|id)\s*=\s*["']([^"']+)["']""")
SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


def markdown_files() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]


def prose_lines(text: str, code_spans: bool = False) -> list[tuple[int, str]]:
    """(line number, line) for every line outside fenced code and HTML comments, its inline code
    spans blanked out unless code_spans: a link written inside code is an example, not a link."""
    text = re.sub(r"<!--.*?-->", lambda m: "\n" * m.group().count("\n"), text, flags=re.DOTALL)
    out, fence = [], None
    for number, line in enumerate(text.splitlines(), 1):
        opened = FENCE.match(line)
        if fence is not None:
            if opened and opened.group(1)[0] == fence[0] and len(opened.group(1)) >= len(fence):
                fence = None
            continue
        if opened:
            fence = opened.group(1)
            continue
        out.append((number, line if code_spans else re.sub(r"(`+)(?:(?!\1).)+?\1", "", line)))
    return out


def links(text: str) -> list[tuple[int, str]]:
    found = []
    for number, line in prose_lines(text):
        for pattern in (INLINE_LINK, REFERENCE_DEFINITION, HTML_ATTRIBUTE):
            for match in pattern.finditer(line):
                found.append((number, match.group(1).strip("<>")))
    return found


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: the rendered text, lowercased, punctuation dropped except
    hyphens and underscores, each space a hyphen."""
    text = re.sub(r"!\[[^\]]*\]\([^)]*\)", "", heading)  # images render no text
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)  # a link renders its text
    text = re.sub(r"<[^>]+>", "", text)  # inline HTML tags
    text = text.lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(text: str) -> set[str]:
    seen: dict[str, int] = {}
    names = set()
    for _, line in prose_lines(text, code_spans=True):
        match = HEADING.match(line)
        if match:
            base = slug(match.group(2))
            count = seen.get(base, 0)
            seen[base] = count + 1
            names.add(base if count == 0 else f"{base}-{count}")
        names.update(HTML_ANCHOR.findall(line))
    return names


def broken_links(path: Path, root: Path = ROOT) -> list[str]:
    problems = []
    for number, target in links(path.read_text()):
        if SCHEME.match(target) or target.startswith("//"):
            continue  # absolute: not fetched
        file_part, _, fragment = target.partition("#")
        where = f"{path.relative_to(root)}:{number}: {target}"
        if file_part:
            base = root if file_part.startswith("/") else path.parent
            resolved = (base / unquote(file_part.lstrip("/"))).resolve()
            if not resolved.is_relative_to(root.resolve()):
                problems.append(f"{where} leaves the repository")
                continue
            if not resolved.exists():
                problems.append(f"{where} names no file")
                continue
        else:
            resolved = path
        if fragment and resolved.suffix == ".md" and unquote(fragment).lower() not in anchors(resolved.read_text()):
            problems.append(f"{where} names no heading of {resolved.name}")
    return problems


@pytest.mark.parametrize("path", markdown_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_resolves(path):
    problems = broken_links(path)
    assert not problems, "\n".join(problems)


def test_every_doc_is_linked_from_the_readme():
    linked = {
        (ROOT / target.partition("#")[0]).resolve()
        for _, target in links((ROOT / "README.md").read_text())
        if not SCHEME.match(target)
    }
    unlinked = [str(p.relative_to(ROOT)) for p in markdown_files()[1:] if p.resolve() not in linked]
    assert not unlinked, f"not linked from README.md: {unlinked}"


@pytest.mark.parametrize(
    ("heading", "anchor"),
    [
        ("Inbound messages and calls", "inbound-messages-and-calls"),
        ("Behaviour worth knowing", "behaviour-worth-knowing"),
        ("`numberpool serve` options: --db & co.", "numberpool-serve-options---db--co"),
        ("The [console](console.md), step 2", "the-console-step-2"),
        ("snake_case *stays*", "snake_case-stays"),
        ("Écrit en français", "écrit-en-français"),
    ],
)
def test_anchors_follow_githubs_rules(heading, anchor):
    assert slug(heading) == anchor


def test_a_broken_link_is_found(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "there.md").write_text("# There\n\n## Twice\n\n## Twice\n\n## `code`: and more\n")
    (tmp_path / "docs" / "image.png").write_bytes(b"")
    readme = tmp_path / "README.md"
    readme.write_text(
        "# Top\n"
        "[ok](docs/there.md) [ok](docs/there.md#there) [ok](docs/there.md#twice-1) [ok](#top)\n"
        "[ok](docs/there.md#code-and-more) ![ok](docs/image.png) [ok](https://example.test/missing)\n"
        "[gone](docs/missing.md) [bad anchor](docs/there.md#twice-2) [bad local](#nowhere)\n"
        "![gone](image.png) [out](../outside.md)\n"
        "`[in code](docs/missing.md)`\n"
        "```\n[in a fence](docs/missing.md)\n```\n"
        "[ref]: docs/also-missing.md\n"
    )
    assert broken_links(readme, tmp_path) == [
        "README.md:4: docs/missing.md names no file",
        "README.md:4: docs/there.md#twice-2 names no heading of there.md",
        "README.md:4: #nowhere names no heading of README.md",
        "README.md:5: image.png names no file",
        "README.md:5: ../outside.md leaves the repository",
        "README.md:10: docs/also-missing.md names no file",
    ]
