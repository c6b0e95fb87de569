"""A walk of the shipped packages' imports with ``ast``: the module graph, its cycles, its upward imports.

Conventions:
- every ``import`` counts, at module level and inside functions and methods, except those under
  ``if TYPE_CHECKING:`` (they never run);
- ``from a.b import c`` is an edge to the module ``a.b.c`` when that file exists, else to ``a.b``;
  relative imports are resolved against the importing module's package;
- importing ``a.b.c`` also runs ``a/__init__`` and ``a/b/__init__``: that implicit import is not an edge,
  but a package's ``__init__`` importing its own submodules is an edge from ``pkg`` to ``pkg.sub``;
- only modules of the walked packages are nodes; third-party and standard-library imports are dropped.
"""

import ast
from dataclasses import dataclass
from pathlib import Path

# From the top of the layers to the bottom: a package may import those below it, never those above.
LAYERS = ("config", "workflows", "casework", "notifications")


@dataclass(frozen=True)
class Import:
    """One import statement's edge: ``source`` imports ``target`` at ``path:line``."""

    source: str
    target: str
    path: Path
    line: int

    def where(self) -> str:
        return f"{self.path}:{self.line}"


def module_files(root: Path, packages) -> dict[str, Path]:
    """Every module of ``packages`` under ``root``, by dotted name (a package by its own name)."""
    modules = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            modules[".".join(parts)] = path
    return modules


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _import_nodes(tree: ast.AST):
    """Every Import/ImportFrom node that runs, in functions and classes too, skipping ``if TYPE_CHECKING:``."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
            continue
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            stack.extend(node.orelse)  # the else branch runs
            continue
        stack.extend(ast.iter_child_nodes(node))


def _package_of(module: str, path: Path) -> str:
    return module if path.name == "__init__.py" else module.rpartition(".")[0]


def _resolve_from(node: ast.ImportFrom, module: str, path: Path) -> str:
    if not node.level:
        return node.module or ""
    base = _package_of(module, path).split(".")
    base = base[: len(base) - (node.level - 1)] if node.level > 1 else base
    return ".".join([*base, node.module] if node.module else base)


def _known(name: str, modules) -> str | None:
    """``name`` or its nearest enclosing module that is one of ``modules``."""
    while name:
        if name in modules:
            return name
        name = name.rpartition(".")[0]
    return None


def imports_of(module: str, path: Path, modules, shown: Path | None = None) -> list[Import]:
    """The edges of one module, in line order, to modules of ``modules`` other than itself; ``shown``: the
    path to print for the file (default ``path``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    edges = []
    for node in _import_nodes(tree):
        if isinstance(node, ast.Import):
            targets = [_known(alias.name, modules) for alias in node.names]
        else:
            base = _resolve_from(node, module, path)
            targets = [
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else _known(base, modules)
                for alias in node.names
            ]
        for target in dict.fromkeys(targets):
            if target and target != module:
                edges.append(Import(module, target, shown or path, node.lineno))
    return sorted(edges, key=lambda e: (e.line, e.target))


def import_graph(root: Path, packages=LAYERS) -> tuple[dict[str, set[str]], list[Import]]:
    """The module graph of ``packages`` under ``root`` and every edge with where it is written."""
    modules = module_files(root, packages)
    edges = [
        edge for module, path in modules.items() for edge in imports_of(module, path, modules, path.relative_to(root))
    ]
    graph = {module: set() for module in modules}
    for edge in edges:
        graph[edge.source].add(edge.target)
    return graph, edges


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components, iteratively; only those with a cycle (two or more modules,
    or one importing itself), each sorted, the list sorted."""
    index, low, on_stack, stack, found = {}, {}, set(), [], []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1 or node in graph.get(node, ()):
                        found.append(sorted(component))
    return sorted(found)


def cycle_path(graph: dict[str, set[str]], component: list[str]) -> list[str]:
    """One cycle through the component's first module, as a path that ends where it starts (BFS, shortest)."""
    members, start = set(component), component[0]
    came_from, frontier = {start: None}, [start]
    while frontier:
        following = []
        for node in frontier:
            for child in sorted(graph[node] & members):
                if child == start:
                    path = [node]
                    while came_from[path[-1]] is not None:
                        path.append(came_from[path[-1]])
                    return [*reversed(path), start]
                if child not in came_from:
                    came_from[child] = node
                    following.append(child)
        frontier = following
    return [start, start]


def layer(module: str) -> int | None:
    top = module.partition(".")[0]
    return LAYERS.index(top) if top in LAYERS else None


def upward(edges: list[Import]) -> list[Import]:
    """Every import from a lower layer into a higher one (``django.conf.settings`` is not ``config``)."""
    return [
        e
        for e in edges
        if layer(e.source) is not None and layer(e.target) is not None and layer(e.target) < layer(e.source)
    ]


def where_cycle_is_written(edges: list[Import], path: list[str]) -> list[str]:
    """Each hop of a cycle's path with the file:line of its import."""
    hops = []
    for source, target in zip(path, path[1:]):
        lines = [e.where() for e in edges if e.source == source and e.target == target]
        hops.append(f"{source} → {target} ({', '.join(lines)})")
    return hops


def report(root: Path, packages=LAYERS) -> tuple[list[str], list[str]]:
    """The cycles (each as a path with where its imports are) and the upward imports, as printable lines."""
    graph, edges = import_graph(root, packages)
    cycles = []
    for component in strongly_connected(graph):
        path = cycle_path(graph, component)
        cycles.append(
            f"cycle of {len(component)} module(s): {' → '.join(path)}\n    "
            + "\n    ".join(where_cycle_is_written(edges, path))
            + (f"\n    component: {', '.join(component)}" if len(component) > len(path) - 1 else "")
        )
    ups = [f"{e.where()}: {e.source} imports {e.target}" for e in upward(edges)]
    return cycles, ups
