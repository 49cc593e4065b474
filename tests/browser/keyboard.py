"""Driving a page with the keyboard alone, the way a person without a mouse does.

``Keyboard`` moves with Tab until the wanted control has the focus, and on every stop
checks that the focused element shows a focus outline (the computed ``outline`` of
``:focus-visible``) and that Tab moved the focus on (no trap). It then types, or
presses Enter or Space.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

MAX_TABS = 120
MIN_OUTLINE_PX = 2

FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  window.__focusIds = window.__focusIds || new WeakMap();
  if (!window.__focusIds.has(el)) {
    window.__focusCount = (window.__focusCount || 0) + 1;
    window.__focusIds.set(el, window.__focusCount);
  }
  const style = getComputedStyle(el);
  const label = el.labels && el.labels.length ? el.labels[0].innerText : "";
  const tag = el.tagName.toLowerCase();
  const kind = tag === "a" ? "link"
    : (tag === "button" || (tag === "input" && ["submit", "button"].includes(el.type))) ? "button"
    : ["input", "select", "textarea"].includes(tag) ? "field" : tag;
  const rect = el.getBoundingClientRect();
  return {
    key: String(window.__focusIds.get(el)),
    kind,
    name: (el.getAttribute("aria-label") || label || el.innerText || el.value || "")
      .replace(/\\s+/g, " ").trim(),
    outline: style.outlineStyle === "none" ? 0 : parseFloat(style.outlineWidth) || 0,
    shown: rect.width > 0 && rect.height > 0,
    // Tab walks through the day, month and year of a date input before leaving it.
    segmented: tag === "input"
      && ["date", "time", "datetime-local", "month", "week"].includes(el.type),
    // ... and then its calendar button, inside the browser's own shadow tree: the input no
    // longer matches :focus, and the button wears the browser's focus ring.
    pickerButton: !el.matches(":focus"),
    html: el.outerHTML.slice(0, 120),
  };
}"""


@dataclass
class Keyboard:
    visit: object  # tests.browser.conftest.Visit

    @property
    def page(self):
        return self.visit.page

    def focused(self) -> dict | None:
        return self.page.evaluate(FOCUSED)

    def tab(self, key: str = "Tab") -> dict | None:
        before = self.focused()
        self.page.keyboard.press(key)
        now = self.focused()
        if now is not None:
            if not (now["segmented"] and now["pickerButton"]):
                outline = now["outline"]
                assert outline >= MIN_OUTLINE_PX, f"no visible focus outline on {now['html']}"
            assert now["shown"], f"focus went to something not shown: {now['html']}"
            moved = before is None or now["key"] != before["key"] or now["segmented"]
            assert moved, f"focus stuck on {now['html']}"
        return now

    def tab_to(self, kind: str, name: str) -> dict:
        """Tab until a ``kind`` (link, button, field) whose name starts with ``name``."""
        seen = []
        for _ in range(MAX_TABS):
            now = self.tab()
            if now is None:
                seen.append("(out of the page)")
                continue
            seen.append(f"{now['kind']}:{now['name']}")
            if now["kind"] == kind and (now["name"] == name or now["name"].startswith(name)):
                return now
        raise AssertionError(f"{kind} {name!r} not reached with Tab; went through {seen}")

    def skip_to_content(self) -> None:
        """The first Tab on a page reaches the skip link; Enter moves past the header."""
        now = self.tab()
        assert now and now["name"] == "Skip to content", now
        self.page.keyboard.press("Enter")

    def activate(self, kind: str, name: str, key: str = "Enter") -> None:
        """Reach a link or button and press Enter (or Space): it loads a page."""
        self.tab_to(kind, name)
        self.visit.submit_by_keyboard(key)

    def type_into(self, label: str, text: str) -> None:
        self.tab_to("field", label)
        self.page.keyboard.press("Control+A")
        self.page.keyboard.type(text)

    def choose(self, label: str, option: str) -> None:
        """A closed select picks the option whose text is typed (as in every browser)."""
        self.tab_to("field", label)
        self.page.keyboard.type(option)
        chosen = self.page.evaluate("() => document.activeElement.selectedOptions[0].text")
        assert chosen == option, f"{label}: typed {option!r}, got {chosen!r}"

    def type_date(self, label: str, day: date) -> None:
        """A date input takes the digits of each part in the locale's order: month, day and
        year in the en-US browser contexts of these tests."""
        self.tab_to("field", label)
        self.page.keyboard.type(day.strftime("%m%d%Y"))
        value = self.page.evaluate("() => document.activeElement.value")
        assert value == day.isoformat(), f"{label}: {value!r}"

    def assert_no_trap(self) -> None:
        """Tabbing on from anywhere leaves the page, or comes back round to its start."""
        start = self.focused()
        for _ in range(MAX_TABS):
            now = self.tab()
            if now is None or (start is not None and now["key"] == start["key"]):
                return
        raise AssertionError("Tab never left the page: a focus trap")
