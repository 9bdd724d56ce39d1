"""Reading a page as a browser and a screen reader would (stdlib HTML parser): the title,
an element's attributes, a form's default button, the error pattern of a field."""

from __future__ import annotations

import html as html_lib
from html.parser import HTMLParser


class _Page(HTMLParser):
    VOID = {"input", "br", "img", "meta", "link", "hr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements: list[dict] = []     # every start tag: tag, attrs, form it is in, text
        self.title, self._in_title, self._form, self._open = "", False, None, []

    def handle_starttag(self, tag, attrs):
        element = {"tag": tag, "attrs": dict(attrs), "form": self._form, "text": ""}
        self.elements.append(element)
        if tag == "form":
            self._form = element["attrs"].get("id") or f"form-{len(self.elements)}"
            element["form"] = self._form
        if tag == "title":
            self._in_title = True
        if tag not in self.VOID:
            self._open.append(element)

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        if tag == "title":
            self._in_title = False
        while self._open:
            if self._open.pop()["tag"] == tag:
                break

    def handle_data(self, data):
        if self._in_title:
            self.title += data
        for element in self._open:
            element["text"] += data


def parse(page: str) -> _Page:
    parsed = _Page()
    parsed.feed(page)
    return parsed


def by_id(page: str, element_id: str) -> dict:
    found = [e for e in parse(page).elements if e["attrs"].get("id") == element_id]
    assert len(found) == 1, f"{len(found)} elements with id={element_id!r}"
    return found[0]


def title(page: str) -> str:
    return " ".join(parse(page).title.split())


def default_button(page: str, form_id: str) -> dict:
    """The button that Enter in a field of the form presses: its first submit button in tree
    order (HTML's implicit submission)."""
    buttons = [e for e in parse(page).elements if e["form"] == form_id and e["tag"] == "button"
               and e["attrs"].get("type", "submit") == "submit"]
    assert buttons, f"no submit button in form {form_id!r}"
    return buttons[0]


def assert_error_pattern(page: str, field: str, message: str, target: str | None = None) -> None:
    """The signup's pattern: "Erreur – " in the title, a summary that takes the focus and
    links to the field, the message in the field's messages group, which the field (or its
    fieldset) names with aria-describedby (or aria-labelledby), marked invalid."""
    text = html_lib.unescape(page)
    assert title(page).startswith("Erreur – "), title(page)
    summary = by_id(page, "error-summary")
    assert summary["attrs"].get("tabindex") == "-1" and "autofocus" in summary["attrs"]
    assert summary["attrs"].get("role") == "alert"
    assert message in " ".join(summary["text"].split()), summary["text"]
    error = by_id(page, f"{field}-error")
    assert " ".join(error["text"].split()) == message and message in text
    group = by_id(page, f"{field}-messages")
    assert "fr-messages-group" in group["attrs"]["class"]
    element = by_id(page, field)
    described = element["attrs"]
    names = (described.get("aria-describedby") or described.get("aria-labelledby") or "").split()
    assert f"{field}-messages" in names, described
    if element["tag"] != "fieldset":
        assert described.get("aria-invalid") == "true"
    links = [e for e in parse(page).elements if e["tag"] == "a" and e["attrs"].get("href") == f"#{target or field}"]
    assert links and message in " ".join(links[0]["text"].split()), f"no summary link to #{target or field}"
