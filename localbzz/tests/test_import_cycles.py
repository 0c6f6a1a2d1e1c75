"""No import cycles between the modules of our apps (tests and migrations aside).

``lint-imports`` (pyproject's ``acyclic_siblings`` contract) checks sibling packages; this test
also catches a cycle through a package's ``__init__`` and names every module of each cycle.
"""

from __future__ import annotations

import grimp

from localbzz.tests.import_graph import PACKAGES, cycles


def test_cycles_finds_a_cycle_it_is_given():
    graph = grimp.ImportGraph()
    for module in ("a", "a.x", "a.y", "a.z"):
        graph.add_module(module)
    graph.add_import(importer="a.x", imported="a.y")
    graph.add_import(importer="a.y", imported="a.x")
    graph.add_import(importer="a.z", imported="a.x")
    assert cycles(graph) == [["a.x", "a.y"]]


def test_no_module_of_our_apps_imports_itself_through_others():
    graph = grimp.build_graph(*PACKAGES, cache_dir=None)  # no cache files in the checkout
    found = cycles(graph)
    assert not found, "Import cycles (break each one):\n" + "\n".join(" <-> ".join(c) for c in found)
