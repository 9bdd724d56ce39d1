"""French message templates, rendered by a standalone Jinja2 environment (no request or
application context needed).

Each message is ``idp/templates/notify/messages/<name>.txt`` with three blocks:
``subject`` (never a code or a link: subjects show on lock screens and in mail logs),
``text`` (the email or letter body) and, optionally, ``sms`` (a short version, GSM
alphabet, ideally 160 characters). Emails get an HTML alternative built from the text by
``notify/_email.html``. Every template receives ``tenant`` (slug) and ``tenant_name``.
A missing value raises: a message never goes out with a hole in it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateNotFound, select_autoescape

from idp.notify.gsm import to_gsm

TEMPLATE_ROOT = Path(__file__).resolve().parent.parent / "templates"
MESSAGES = "notify/messages"
UNITS = {"minute": "minutes", "heure": "heures", "jour": "jours"}


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str | None = None


def duree(count: int, unit: str) -> str:
    """``duree(10, "minute")`` → ``"10 minutes"``; French singular for 0 and 1."""
    return f"{count} {unit if abs(count) < 2 else UNITS.get(unit, unit + 's')}"


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATE_ROOT), undefined=StrictUndefined,
                      autoescape=select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True)
    env.filters["duree"] = duree
    return env


def template_names() -> list[str]:
    """Every message template, by name (files starting with ``_`` are parts)."""
    prefix = MESSAGES + "/"
    return sorted(name[len(prefix):-4] for name in environment().list_templates(extensions=["txt"])
                  if name.startswith(prefix) and not name[len(prefix):].startswith("_"))


def _block(template, name: str, context) -> str:
    return "".join(template.blocks[name](template.new_context(context)))


def _tidy(text: str) -> str:
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines))


def render(name: str, context: Mapping[str, Any], channel: str = "email") -> Rendered:
    """Subject, text and (email only) HTML of message ``name`` for ``channel``."""
    if name.startswith("_") or "/" in name:
        raise ValueError(f"not a message template: {name!r}")
    try:
        template = environment().get_template(f"{MESSAGES}/{name}.txt")
    except TemplateNotFound:
        raise ValueError(f"unknown message template {name!r}; known: {', '.join(template_names())}") from None
    subject = " ".join(_block(template, "subject", context).split())
    if channel == "sms":
        short = _block(template, "sms" if "sms" in template.blocks else "text", context)
        return Rendered(subject, to_gsm(" ".join(short.split())))
    text = _tidy(_block(template, "text", context))
    if channel != "email":
        return Rendered(subject, text)
    html = environment().get_template("notify/_email.html").render(
        subject=subject, paragraphs=text.split("\n\n"), **context)
    return Rendered(subject, text, html)
