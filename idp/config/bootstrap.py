"""Write ``config.toml`` from ``config.example.toml`` with fresh secrets, if it is absent.

    python -m idp.config.bootstrap [--development] [SOURCE] [TARGET]

The example is production-safe as shipped. ``--development`` (``make run``, the tests, the
bench) also turns on its development lines: a line ``#dev key = value`` replaces the
``key = ...`` line of the same table above it, or is added where it stands when the table has
none; ``#dev [table]`` opens a table that exists only in development.
"""

from __future__ import annotations

import re
import secrets
import sys
from pathlib import Path

from keys.sealing import new_kek

DEV = "#dev "
KEY = re.compile(r"^\s*([A-Za-z0-9_-]+)\s*=")


def _development(template: str) -> str:
    out: list[str] = []
    keys: dict[str, int] = {}   # key -> its line in `out`, for the current table
    for line in template.splitlines():
        dev = line.startswith(DEV)
        text = line[len(DEV):] if dev else line
        if text.lstrip().startswith("["):
            keys = {}
        match = KEY.match(text)
        if dev and match and match.group(1) in keys:
            out[keys[match.group(1)]] = text
            continue
        if match and (dev or not line.lstrip().startswith("#")):
            keys[match.group(1)] = len(out)
        out.append(text)
    return "\n".join(out) + "\n"


def render(template: str, development: bool = False) -> str:
    text = _development(template) if development else template
    while "@generate-kek@" in text:
        text = text.replace("@generate-kek@", new_kek(), 1)
    while "@generate@" in text:
        text = text.replace("@generate@", secrets.token_urlsafe(48), 1)
    return text


def main(argv: list[str]) -> int:
    development = "--development" in argv
    args = [arg for arg in argv[1:] if arg != "--development"]
    source = Path(args[0] if args else "config.example.toml")
    target = Path(args[1] if len(args) > 1 else "config.toml")
    if target.exists():
        print(f"{target} exists, left as it is")
        return 0
    target.write_text(render(source.read_text(encoding="utf-8"), development), encoding="utf-8")
    target.chmod(0o600)
    print(f"{target} written from {source} with fresh secrets"
          + (" (development)" if development else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
