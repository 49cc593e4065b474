"""Text in templates that no translation reaches: words written straight into the HTML
(or a mail's text) instead of inside ``_()`` or ``{% trans %}``.

Each template is parsed by Jinja; its literal parts (``TemplateData``) are joined in
document order, with a placeholder where an expression or block stands, and read as
HTML: text between tags, and the attributes people read (``title``, ``alt``,
``placeholder``, ``aria-label``), must hold no letters. ``<script>``, ``<style>`` and
``<code>`` are left alone, and so is whatever a tag marked ``translate="no"`` holds.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from jinja2 import Environment, nodes

READ_ATTRIBUTES = {"title", "alt", "placeholder", "aria-label"}
SKIPPED = {"script", "style", "code", "pre"}
VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}
PLACEHOLDER = "\x00"
LETTER = re.compile(r"[^\W\d_]", re.UNICODE)


def _environment() -> Environment:
    env = Environment(extensions=["jinja2.ext.do", "jinja2.ext.i18n"])
    env.policies["ext.i18n.trimmed"] = True
    return env


def literal_text(source: str, env: Environment) -> str:
    """The template's literal parts in order, ``PLACEHOLDER`` for everything else."""
    tree = env.parse(source)
    parts: list[str] = []

    def walk(node: nodes.Node) -> None:
        if isinstance(node, nodes.TemplateData):
            parts.append(node.data)
            return
        if isinstance(node, nodes.Output):
            for child in node.nodes:
                if isinstance(child, nodes.TemplateData):
                    parts.append(child.data)
                else:
                    parts.append(PLACEHOLDER)
            return
        for inner in node.iter_child_nodes():
            walk(inner)

    walk(tree)
    return "".join(parts)


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.stack: list[tuple[str, bool]] = []

    def _skipping(self) -> bool:
        return any(skip for _, skip in self.stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        skip = tag in SKIPPED or values.get("translate") == "no"
        if not skip and not self._skipping():
            for name, value in attrs:
                if name in READ_ATTRIBUTES and value and _has_words(value):
                    self.found.append(f'{name}="{_clean(value)}"')
            if tag == "input" and values.get("type") in ("submit", "button", "reset"):
                value = values.get("value") or ""
                if _has_words(value):
                    self.found.append(f'value="{_clean(value)}"')
        if tag not in VOID:
            self.stack.append((tag, skip))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID and self.stack and self.stack[-1][0] == tag:
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                break

    def handle_data(self, data: str) -> None:
        if not self._skipping() and _has_words(data):
            self.found.append(_clean(data))


def _has_words(text: str) -> bool:
    return bool(LETTER.search(text.replace(PLACEHOLDER, "")))


def _clean(text: str) -> str:
    return " ".join(text.replace(PLACEHOLDER, "…").split())


def unmarked_in(source: str, html: bool, env: Environment | None = None) -> list[str]:
    text = literal_text(source, env or _environment())
    if not html:
        return [_clean(line) for line in text.splitlines() if _has_words(line)]
    reader = _Reader()
    reader.feed(text)
    reader.close()
    return reader.found


def unmarked_in_templates(folder: Path) -> list[tuple[str, str]]:
    env = _environment()
    found: list[tuple[str, str]] = []
    for path in sorted(folder.rglob("*")):
        if path.suffix not in (".html", ".txt", ".svg"):
            continue
        name = str(path.relative_to(folder))
        for text in unmarked_in(path.read_text(), path.suffix != ".txt", env):
            found.append((name, text))
    return found
