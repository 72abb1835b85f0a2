"""The import direction: connectors and analytics import nothing of the project; backend never
imports workers; the product never imports the dev and demo tooling (devstack); the registry
sits below the connector interface. Checked with import-linter's contracts in pyproject.toml."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _lint_imports(cwd: Path) -> subprocess.CompletedProcess:
    exe = shutil.which("lint-imports") or str(Path(sys.executable).with_name("lint-imports"))
    return subprocess.run([exe, "--no-cache"], cwd=cwd, capture_output=True, text=True)


def test_import_contracts_hold():
    result = _lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def _lint_copy_with(tmp_path: Path, module: str, line: str) -> subprocess.CompletedProcess:
    """import-linter on a copy of the tree where `module` (a path) gains `line`."""
    for package in ("backend", "workers", "connectors", "analytics", "devstack"):
        shutil.copytree(
            ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    target = tmp_path / module
    target.write_text((target.read_text() if target.exists() else "") + line)
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "from importlinter.cli import lint_imports_command; lint_imports_command()",
            "--no-cache",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(tmp_path)},
    )


def test_import_contracts_fail_when_broken(tmp_path):
    """The contracts are not vacuous: a copy of the tree with a forbidden import fails them."""
    result = _lint_copy_with(tmp_path, "connectors/leak.py", "import backend.models\n")
    assert result.returncode != 0
    assert "connectors.leak" in result.stdout


def test_the_registry_may_not_import_the_connector_interface_even_for_types(tmp_path):
    """No loop between connectors/base.py and connectors/registry.py, not even a type-only one."""
    line = "\nfrom typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import connectors.base\n"
    result = _lint_copy_with(tmp_path, "connectors/registry.py", line)
    assert result.returncode != 0
    assert "connectors.registry -> connectors.base" in result.stdout
