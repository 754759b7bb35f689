"""ml/ works from stack files and plain values: only the programs (and delivery/) talk to
Pulumi, so nothing under ml/ imports it, not even inside a function."""

from __future__ import annotations

import ast
from pathlib import Path

ML = Path(__file__).resolve().parents[2] / "ml"


def pulumi_imports(path: Path) -> list[str]:
    modules: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            modules += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules.append(node.module)
    # pulumi, pulumi_aws, pulumi_policy, ...: the SDK and every provider.
    return [module for module in modules if module.split(".")[0].startswith("pulumi")]


def test_no_module_under_ml_imports_pulumi() -> None:
    found = {
        str(path.relative_to(ML.parent)): imports
        for path in sorted(ML.rglob("*.py"))
        if (imports := pulumi_imports(path))
    }
    assert found == {}


def test_the_scan_sees_imports_inside_functions(tmp_path: Path) -> None:
    module = tmp_path / "module.py"
    module.write_text("def f():\n    from pulumi import automation\n    import pulumi_aws\n")
    assert pulumi_imports(module) == ["pulumi", "pulumi_aws"]
