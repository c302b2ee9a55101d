"""Check that XES reading streams: peak RSS on BPIC 2012 vs a ~100x smaller log; speed vs iterparse.

Run: ``.venv/bin/python benchmarks/xes_read.py [path.xes.gz]`` (default: the shared BPIC 2012 log).
Each measurement runs in a fresh subprocess so ``ru_maxrss`` (peak RSS) belongs to that read alone.
Prints ratios; nothing is asserted.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

DATA = Path("/work/shared/data")
BIG = DATA / "bpic2012-loan-applications/bpic2012.xes.gz"
SMALL = DATA / "bpic2013-volvo-it-incidents-problems/BPIC13_open_problems.xes.gz"

_CHILD = """
import gzip, resource, sys, time, xml.etree.ElementTree as ET
from pathlib import Path
from uptake.sources.xes import iter_events
mode, path = sys.argv[1], Path(sys.argv[2])
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.perf_counter()
if mode == "uptake":
    n = sum(1 for _ in iter_events(path))
else:  # the textbook alternative: iterparse, clearing each event and trace
    n = 0
    for _, elem in ET.iterparse(gzip.open(path), events=("end",)):
        if elem.tag.endswith("}event"):
            n += 1
            elem.clear()
        elif elem.tag.endswith("}trace"):
            elem.clear()
seconds = time.perf_counter() - start
print(n, seconds, (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base) / 1e3)
"""


def measure(mode: str, path: Path) -> tuple[int, float, float]:
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, mode, str(path)], capture_output=True, text=True, check=True
    )
    events, seconds, growth_mb = out.stdout.split()
    return int(events), float(seconds), float(growth_mb)


def main() -> None:
    big = Path(sys.argv[1]) if len(sys.argv) > 1 else BIG
    n_big, t_big, rss_big = measure("uptake", big)
    n_small, t_small, rss_small = measure("uptake", SMALL)
    _, t_iter, rss_iter = measure("iterparse", big)
    print(f"{big.name}: {n_big:,} events; {SMALL.name}: {n_small:,} events ({n_big / n_small:.0f}x fewer)")
    ratio = rss_big / max(rss_small, 0.1)
    print(f"  peak RSS growth: {rss_big:.1f} MB big vs {rss_small:.1f} MB small ({ratio:.2f}x)")
    print(f"  time per event, big/small: {(t_big / n_big) / (t_small / n_small):.2f}x")
    print(
        f"  iterparse+clear (count only) / uptake (dicts): time {t_iter / t_big:.2f}x, RSS {rss_iter:.1f} MB"
    )
    print(f"  ({t_big:.1f} s, {n_big / t_big:,.0f} events/s on this machine)")


if __name__ == "__main__":
    main()
