"""HTML of a feed item -> clean text: tags dropped, entities decoded, paragraphs kept as lines."""

from __future__ import annotations

import re
from html.parser import HTMLParser

_SKIP = frozenset(("script", "style", "noscript", "iframe", "svg", "template", "head"))
_BLOCK = frozenset(
    (
        "p br div li ul ol h1 h2 h3 h4 h5 h6 tr table blockquote section article header footer "
        "figure figcaption pre hr dd dt"
    ).split()
)
_SPACES = re.compile(r"[ \t\r\f\v\u00a0\u200b]+")


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self._skipping += 1
        elif tag in _BLOCK:
            self.parts.append("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self._skipping = max(0, self._skipping - 1)
        elif tag in _BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def html_to_text(html: str | None) -> str:
    """Visible text of an HTML fragment: one line per paragraph, single spaces, no markup.

    Plain text goes through unchanged but for whitespace. Never raises on broken markup.
    """
    if not html:
        return ""
    collector = _TextCollector()
    collector.feed(html)
    collector.close()
    lines = (_SPACES.sub(" ", line).strip() for line in "".join(collector.parts).splitlines())
    return "\n".join(line for line in lines if line)
