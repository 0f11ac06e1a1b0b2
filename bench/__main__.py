"""`python -m bench [name ...]`: run every bench_*.py module (or the named ones) and print a table."""

from __future__ import annotations

import importlib
import pkgutil
import sys
import time

import bench
from bench.table import Row, render


def main(argv: list[str]) -> int:
    names = sorted(m.name for m in pkgutil.iter_modules(bench.__path__) if m.name.startswith("bench_"))
    wanted = [n if n.startswith("bench_") else f"bench_{n}" for n in argv] or names
    rows: list[Row] = []
    for name in wanted:
        if name not in names:
            print(f"no benchmark named {name}; have: {', '.join(names)}", file=sys.stderr)
            return 2
        started = time.perf_counter()
        module = importlib.import_module(f"bench.{name}")
        print(f"running {name} ...", file=sys.stderr, flush=True)
        rows.extend(module.run())
        print(f"  {name} took {time.perf_counter() - started:.1f} s", file=sys.stderr, flush=True)
    print(render(rows))
    return 1 if any(r.ok is False for r in rows) else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
