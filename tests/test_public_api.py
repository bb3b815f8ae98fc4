"""Each package's public surface is its sorted ``__all__``; every module imports on its own."""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys

import pytest

import zhiguo

PACKAGES = sorted(
    name
    for _finder, name, is_pkg in pkgutil.walk_packages(zhiguo.__path__, "zhiguo.")
    if is_pkg and ".migrations" not in name
)
MODULES = sorted(
    name
    for _finder, name, _is_pkg in pkgutil.walk_packages(zhiguo.__path__, "zhiguo.")
    if ".migrations" not in name
)


@pytest.mark.parametrize("name", PACKAGES)
def test_all_is_sorted_and_resolvable(name: str) -> None:
    module = importlib.import_module(name)
    exported = getattr(module, "__all__", None)
    assert exported is not None, f"{name} has no __all__"

    # isort style, as ruff's RUF022 keeps it: CONSTANTS, then Classes, then functions
    def key(item: str) -> tuple[bool, bool, str]:
        return (not item.isupper(), not item[:1].isupper(), item)

    assert list(exported) == sorted(exported, key=key), f"{name}.__all__ is not sorted"
    for item in exported:
        assert hasattr(module, item), f"{name}.__all__ names missing {item}"
    assert module.__doc__, f"{name} has no docstring"


def test_every_module_imports_in_a_fresh_interpreter() -> None:
    code = "import importlib, sys\nfor m in sys.argv[1:]:\n    importlib.import_module(m)\n"
    result = subprocess.run(
        [sys.executable, "-c", code, *MODULES], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


def test_platform_packages_have_a_readme() -> None:
    from pathlib import Path

    root = Path(zhiguo.__file__).parent
    for pkg in ("core", "registry", "security", "datacenter", "supervision", "operations",
                "services", "web", "cli", "demo"):  # fmt: skip
        assert (root / pkg / "README.md").is_file(), pkg
