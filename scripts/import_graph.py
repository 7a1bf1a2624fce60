"""Print the import graph of the program, folded into its rooms: ``scripts/dev graph [--dot]``.

A room is a package under ``app`` (``app.cli``, ``app.ui.history``, ``app.core.export``...) or a
top-level module (``app.bootstrap``, ``app.context``). Each line is one arrow ``room -> room``
with the number of imports behind it, read from the code itself (grimp, the library under
lint-imports), so the picture cannot go stale. ``--dot`` prints Graphviz instead
(``scripts/dev graph --dot | dot -Tsvg > graph.svg``).
"""

from __future__ import annotations

import sys
from collections import Counter

import grimp

# How deep a module's name is cut to name its room.
DEPTH = {"app.core": 3, "app.ui": 3, "app.cli": 2, "app.selftest": 2}


def room(module: str) -> str:
    parts = module.split(".")
    for prefix, depth in DEPTH.items():
        if module == prefix or module.startswith(prefix + "."):
            return ".".join(parts[:depth])
    return ".".join(parts[:2])


def arrows() -> Counter[tuple[str, str]]:
    graph = grimp.build_graph("app")
    counts: Counter[tuple[str, str]] = Counter()
    for module in graph.modules:
        for imported in graph.find_modules_directly_imported_by(module):
            edge = (room(module), room(imported))
            if edge[0] != edge[1]:
                counts[edge] += 1
    return counts


def main(argv: list[str]) -> int:
    counts = arrows()
    if "--dot" in argv:
        print("digraph app {\n  rankdir=TB; node [shape=box, fontname=sans];")
        for (source, target), n in sorted(counts.items()):
            print(f'  "{source}" -> "{target}" [label="{n}"];')
        print("}")
        return 0
    width = max(len(source) for source, _ in counts)
    for (source, target), n in sorted(counts.items()):
        print(f"{source:<{width}} -> {target}  ({n})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
