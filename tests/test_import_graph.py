"""The shape of the house, read from the source with ``ast`` (nothing is imported).

- No import circle at module level runs through models/, saving/, callbacks/ or diagnostics/:
  saving, callbacks and diagnostics sit above models. An import inside a function (``Model.save``
  importing saving when called) is not a module-level import and does not count.
- models/ imports none of saving/, callbacks/, diagnostics/, export/ at module level.
- No file under ops/ reaches into the runtime's internals: it imports ``neuronet.runtime`` (or names
  of its ``__all__``) and uses only those names.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "neuronet"
UPPER = ("neuronet.models", "neuronet.saving", "neuronet.callbacks", "neuronet.diagnostics")


def _module_name(path: Path, package: Path) -> str:
    parts = list(path.relative_to(package.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _sources(package: Path = PACKAGE, folder: str = "") -> dict:
    """``{module name: (path, ast tree)}`` of every Python file of ``package`` (under ``folder``)."""
    return {_module_name(p, package): (p, ast.parse(p.read_text(encoding="utf-8"), str(p)))
            for p in sorted((package / folder).rglob("*.py"))}


def _absolute(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    parts = module.split(".") if is_package else module.split(".")[:-1]
    parts = parts[:len(parts) - (node.level - 1)]
    return ".".join(parts + ([node.module] if node.module else []))


def _module_level_imports(tree: ast.Module):
    """The import statements run when the module is imported: not those inside a function, nor
    under ``if TYPE_CHECKING:``."""
    stack = list(tree.body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            continue
        elif isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            stack.extend(node.orelse)
        else:
            stack.extend(ast.iter_child_nodes(node))


def import_graph(sources: dict) -> dict:
    """``{module: set of modules it imports at module level}`` within the package.

    ``from package import name`` leads to the file that defines ``name`` when the package's
    ``__init__`` only hands it on, and importing ``a.b.c`` also runs the ``__init__`` of the packages
    ``a.b`` and ``a`` that the importer is not itself inside (Python imports those first).
    """
    faces = {}  # package -> {name: (module it comes from, name there)}
    for module, (path, tree) in sources.items():
        if path.name == "__init__.py":
            faces[module] = {alias.asname or alias.name: (_absolute(module, True, node), alias.name)
                             for node in tree.body if isinstance(node, ast.ImportFrom) for alias in node.names}

    def defining(module: str, name: str, depth: int = 0) -> str:
        if f"{module}.{name}" in sources:
            return f"{module}.{name}"
        origin = faces.get(module, {}).get(name)
        if origin and origin[0] in sources and depth < 8:
            return defining(*origin, depth + 1)
        return module

    graph = {}
    for module, (path, tree) in sources.items():
        is_package = path.name == "__init__.py"
        targets = set()
        for node in _module_level_imports(tree):
            if isinstance(node, ast.Import):
                targets.update(alias.name for alias in node.names)
            else:
                source = _absolute(module, is_package, node)
                targets.add(source)
                targets.update(defining(source, alias.name) for alias in node.names if alias.name != "*")
        edges = set()
        for target in targets:
            parts = target.split(".")
            for i in range(1, len(parts) + 1):
                ancestor = ".".join(parts[:i])
                if ancestor in sources and not (module + ".").startswith(ancestor + "."):
                    edges.add(ancestor)
        edges.discard(module)
        graph[module] = edges
    return graph


def cycles(graph: dict) -> list:
    """The strongly connected components of more than one module (Tarjan, iterative), sorted."""
    index, low, on_stack, stack, found = {}, {}, set(), [], []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in graph:
                    continue
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
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
    return sorted(found)


def _inside(module: str, packages) -> bool:
    return any(module == p or module.startswith(p + ".") for p in packages)


@pytest.fixture(scope="module")
def graph() -> dict:
    return import_graph(_sources())


def test_no_module_level_import_circle_through_models_saving_callbacks_diagnostics(graph):
    tied = [c for c in cycles(graph) if any(_inside(m, UPPER) for m in c)]
    assert tied == [], f"module-level import circle(s): {tied}"


def test_models_import_no_higher_package_at_module_level(graph):
    higher = ("neuronet.saving", "neuronet.callbacks", "neuronet.diagnostics", "neuronet.export")
    upward = sorted((m, t) for m, targets in graph.items() if _inside(m, ("neuronet.models",))
                    for t in targets if _inside(t, higher))
    assert upward == [], f"models/ imports a higher package when it is imported: {upward}"


def test_the_graph_sees_a_circle_put_in_on_purpose(tmp_path):
    # the checker itself: a package whose lower module imports the upper one at module level is a circle,
    # the same import inside a function is not
    package = tmp_path / "neuronet"
    (package / "models").mkdir(parents=True)
    (package / "saving").mkdir()
    (package / "__init__.py").write_text("")
    (package / "models" / "__init__.py").write_text("from .training import Model\n")
    (package / "saving" / "__init__.py").write_text("from .api import save_model\n")
    (package / "saving" / "api.py").write_text("from ..models import Model\n\ndef save_model(m):\n    pass\n")
    lazy = "class Model:\n    def save(self):\n        from ..saving import save_model\n"
    (package / "models" / "training.py").write_text(lazy)
    assert cycles(import_graph(_sources(package))) == []
    (package / "models" / "training.py").write_text("from ..saving import save_model\n\nclass Model:\n    pass\n")
    assert cycles(import_graph(_sources(package))) == [
        ["neuronet.models", "neuronet.models.training", "neuronet.saving", "neuronet.saving.api"]]


def _runtime_interface() -> set:
    tree = ast.parse((PACKAGE / "runtime" / "__init__.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "__all__" for t in node.targets):
            return set(ast.literal_eval(node.value))
    raise AssertionError("neuronet/runtime/__init__.py has no __all__")


def test_ops_use_the_runtime_through_its_interface_only():
    interface = _runtime_interface()
    assert {"plan_rows", "forward_in_slices", "policy"} <= interface
    problems = []
    for module, (path, tree) in _sources(PACKAGE, "ops").items():
        aliases = set()  # local names bound to the neuronet.runtime package
        for node in ast.walk(tree):  # any import, at module level or in a function
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.startswith("neuronet.runtime."):
                        problems.append(f"{path.name}:{node.lineno} imports {alias.name}")
                    elif alias.name == "neuronet.runtime" and alias.asname:
                        aliases.add(alias.asname)
            elif isinstance(node, ast.ImportFrom):
                source = _absolute(module, path.name == "__init__.py", node)
                for alias in node.names:
                    if source == "neuronet" and alias.name == "runtime":
                        aliases.add(alias.asname or "runtime")
                    elif source == "neuronet.runtime" and alias.name not in interface:
                        problems.append(f"{path.name}:{node.lineno} imports runtime.{alias.name}")
                    elif source.startswith("neuronet.runtime."):
                        problems.append(f"{path.name}:{node.lineno} imports from {source}")
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in aliases
                    and node.attr not in interface):
                problems.append(f"{path.name}:{node.lineno} uses runtime.{node.attr}")
    assert problems == [], "ops/ reaches past the runtime's interface: " + "; ".join(problems)


@pytest.mark.parametrize("old_path, home", [
    ("neuronet.saving.register_keras_serializable", "neuronet.registry.register_keras_serializable"),
    ("neuronet.saving.get_registered_object", "neuronet.registry.get_registered_object"),
    ("neuronet.saving.get_registered_name", "neuronet.registry.get_registered_name"),
    ("neuronet.saving.custom_object_scope", "neuronet.registry.custom_object_scope"),
    ("neuronet.saving.registry.get_custom_objects", "neuronet.registry.get_custom_objects"),
    ("neuronet.saving.registry.CustomObjectScope", "neuronet.registry.CustomObjectScope"),
    ("neuronet.saving.registry.builtin_classes", "neuronet.models.class_lookup.builtin_classes"),
    ("neuronet.saving.registry.lookup", "neuronet.models.class_lookup.lookup"),
    ("neuronet.saving.SavingMixin", "neuronet.models.saving_methods.SavingMixin"),
    ("neuronet.saving.api.SavingMixin", "neuronet.models.saving_methods.SavingMixin"),
    ("neuronet.saving.serialize_keras_object", "neuronet.models.model_config.serialize_keras_object"),
    ("neuronet.saving.serialization.deserialize_keras_object", "neuronet.models.model_config.deserialize_keras_object"),
    ("neuronet.saving.serialization.model_to_config", "neuronet.models.model_config.model_to_config"),
    ("neuronet.saving.serialization.model_from_config", "neuronet.models.model_config.model_from_config"),
    ("neuronet.models.load_model", "neuronet.saving.api.load_model"),
    ("neuronet.models.model_from_json", "neuronet.saving.api.model_from_json"),
    ("neuronet.layers.preprocessing.image_ops.resize", "neuronet.ops.resampling.resize"),
    ("neuronet.layers.preprocessing.image_ops.resize_weights", "neuronet.ops.resampling.resize_weights"),
    ("neuronet.metrics.registry.FUNCTIONS", "neuronet.metrics.metric_functions.FUNCTIONS"),
    ("neuronet.metrics.accuracy_metrics.binary_accuracy", "neuronet.metrics.metric_functions.binary_accuracy"),
    ("neuronet.metrics.regression_metrics.cosine_similarity", "neuronet.metrics.metric_functions.cosine_similarity"),
])
def test_moved_names_keep_their_old_import_paths(old_path, home):
    def resolve(path):
        module, _, name = path.rpartition(".")
        return getattr(importlib.import_module(module), name)

    assert resolve(old_path) is resolve(home)
