"""Text that remembers where each character came from.

Every stage after ingest rewrites text (drops Markdown marks, joins column breaks, turns ASCII
punctuation into full-width forms).  Analysts still need to find a mention in the original file,
so each derived string carries, per character, the offset of the source character it came from.
Offsets are character offsets into the *decoded* source text (``SourceDoc.text``), not bytes.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass
class MappedText:
    """A derived string plus, for each of its characters, the source offset it came from."""

    text: str = ""
    origin: array = field(default_factory=lambda: array("q"))

    def __post_init__(self) -> None:
        if len(self.origin) != len(self.text):
            raise ValueError(f"origin has {len(self.origin)} offsets for {len(self.text)} characters")

    @classmethod
    def verbatim(cls, text: str, source_start: int = 0) -> MappedText:
        """A slice of the source copied unchanged."""
        return cls(text, array("q", range(source_start, source_start + len(text))))

    def __len__(self) -> int:
        return len(self.text)

    def to_source(self, start: int, end: int) -> tuple[int, int]:
        """Source span ``[s, e)`` covering the derived span ``[start, end)``."""
        if not 0 <= start < end <= len(self.text):
            raise IndexError(f"span {start}:{end} outside text of length {len(self.text)}")
        return self.origin[start], self.origin[end - 1] + 1

    def slice(self, start: int, end: int) -> MappedText:
        return MappedText(self.text[start:end], self.origin[start:end])

    def strip(self) -> MappedText:
        """Drop leading and trailing white space, keeping the map aligned."""
        s, e = 0, len(self.text)
        while s < e and self.text[s].isspace():
            s += 1
        while e > s and self.text[e - 1].isspace():
            e -= 1
        return self.slice(s, e)


class MappedTextBuilder:
    """Accumulates pieces of derived text with their source offsets."""

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._origin = array("q")

    def add(self, piece: MappedText) -> None:
        self._parts.append(piece.text)
        self._origin.extend(piece.origin)

    def add_verbatim(self, text: str, source_start: int) -> None:
        self._parts.append(text)
        self._origin.extend(range(source_start, source_start + len(text)))

    def add_char(self, char: str, source_offset: int) -> None:
        """A character that replaces (or stands in for) the one at ``source_offset``."""
        self._parts.append(char)
        self._origin.append(source_offset)

    def add_chars(self, chars: Iterable[tuple[str, int]]) -> None:
        for ch, off in chars:
            self.add_char(ch, off)

    def __len__(self) -> int:
        return len(self._origin)

    def build(self) -> MappedText:
        return MappedText("".join(self._parts), array("q", self._origin))
