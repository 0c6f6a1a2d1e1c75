"""Import cycles in a grimp graph: strongly connected components of more than one module."""

from __future__ import annotations

import grimp

PACKAGES = ("localbzz", "agency", "publishing", "generation", "portal", "integrations", "notifications", "hub")


def _ours(module: str) -> bool:
    parts = module.split(".")
    return "tests" not in parts and "migrations" not in parts


def cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Every set of modules that import each other (directly or round a loop), sorted."""
    modules = sorted(m for m in graph.modules if _ours(m))
    edges = {m: sorted(d for d in graph.find_modules_directly_imported_by(m) if _ours(d)) for m in modules}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in modules:  # Tarjan's algorithm, iterative (no recursion limit)
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            node, i = work.pop()
            if i == 0:
                index[node] = low[node] = len(index)
                stack.append(node)
                on_stack.add(node)
            if i < len(edges[node]):
                work.append((node, i + 1))
                nxt = edges[node][i]
                if nxt not in index:
                    work.append((nxt, 0))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return sorted(found)
