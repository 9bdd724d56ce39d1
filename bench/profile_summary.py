"""Summarise py-spy ``--format raw`` (collapsed stacks): the functions where a worker's time goes.

``python bench/profile_summary.py FILE.raw [--top 25]`` prints, for each function, the share of
samples in which it is on the stack (inclusive) and at the top (self).
"""

from __future__ import annotations

import argparse
import re
from collections import Counter

FRAME = re.compile(r"^(?P<func>.*?) \((?P<file>[^()]*?)(?::(?P<line>\d+))?\)$")


def short(frame: str) -> str:
    m = FRAME.match(frame)
    if not m:
        return frame
    path = m.group("file")
    for marker in ("site-packages/", "/work/main/", "lib/python3"):
        if marker in path:
            path = path.split(marker, 1)[1]
    return f"{m.group('func')} ({path})"


def summarise(path: str, top: int = 25) -> str:
    inclusive, selftime, total = Counter(), Counter(), 0
    for line in open(path):
        stack, _, count = line.rstrip("\n").rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        frames = [short(f) for f in stack.split(";")]
        total += n
        for f in set(frames):
            inclusive[f] += n
        selftime[frames[-1]] += n
    out = [f"{total} samples", f"{'incl %':>7} {'self %':>7}  function"]
    for f, n in inclusive.most_common(top):
        out.append(f"{100 * n / total:7.1f} {100 * selftime[f] / total:7.1f}  {f}")
    out.append("")
    out.append("top self time:")
    for f, n in selftime.most_common(12):
        out.append(f"{100 * n / total:7.1f}  {f}")
    return "\n".join(out)


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("raw")
    p.add_argument("--top", type=int, default=25)
    a = p.parse_args()
    print(summarise(a.raw, a.top))
