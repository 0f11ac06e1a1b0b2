"""`python -m bench [name ...]`: run every bench_*.py module (or the named ones) and print a table.

Each module runs in a fresh interpreter (`python -m bench --one NAME`, which prints its rows as
JSON), so one benchmark's memory and threads never count towards another's peak RSS or timings.
"""

from __future__ import annotations

import dataclasses
import importlib
import json
import pkgutil
import subprocess
import sys
import time

import bench
from bench.table import Row, render


def run_one(name: str) -> int:
    """In the child: run one module and print its rows as JSON on the last line of stdout."""
    module = importlib.import_module(f"bench.{name}")
    rows = module.run()
    print(json.dumps([dataclasses.asdict(r) for r in rows], ensure_ascii=False))
    return 0


# Benchmarks whose module is not named bench_*: bench/slack.py (issue 13, the Slack front end).
REGISTERED = ("slack",)


def main(argv: list[str]) -> int:
    if argv[:1] == ["--one"]:
        return run_one(argv[1])
    names = sorted(m.name for m in pkgutil.iter_modules(bench.__path__) if m.name.startswith("bench_"))
    names += [n for n in REGISTERED if n not in names]
    wanted = [n if n.startswith("bench_") or n in REGISTERED else f"bench_{n}" for n in argv] or names
    rows: list[Row] = []
    for name in wanted:
        if name not in names:
            print(f"no benchmark named {name}; have: {', '.join(names)}", file=sys.stderr)
            return 2
        started = time.perf_counter()
        print(f"running {name} ...", file=sys.stderr, flush=True)
        child = subprocess.run([sys.executable, "-m", "bench", "--one", name], stdout=subprocess.PIPE, text=True)
        if child.returncode != 0:
            print(f"  {name} failed (exit {child.returncode})", file=sys.stderr)
            return 1
        lines = child.stdout.strip().splitlines()
        for line in lines[:-1]:  # anything the module printed besides its rows
            print(line, file=sys.stderr)
        rows.extend(Row(**r) for r in json.loads(lines[-1]))
        print(f"  {name} took {time.perf_counter() - started:.1f} s", file=sys.stderr, flush=True)
    print(render(rows))
    return 1 if any(r.ok is False for r in rows) else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
