"""Write ``config.toml`` from ``config.example.toml`` with fresh secrets, if it is absent.

    python -m idp.bootstrap [SOURCE] [TARGET]
"""

from __future__ import annotations

import secrets
import sys
from pathlib import Path

from keys.sealing import new_kek


def render(template: str) -> str:
    text = template
    while "@generate-kek@" in text:
        text = text.replace("@generate-kek@", new_kek(), 1)
    while "@generate@" in text:
        text = text.replace("@generate@", secrets.token_urlsafe(48), 1)
    return text


def main(argv: list[str]) -> int:
    source = Path(argv[1] if len(argv) > 1 else "config.example.toml")
    target = Path(argv[2] if len(argv) > 2 else "config.toml")
    if target.exists():
        print(f"{target} exists, left as it is")
        return 0
    target.write_text(render(source.read_text(encoding="utf-8")), encoding="utf-8")
    target.chmod(0o600)
    print(f"{target} written from {source} with fresh secrets")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
