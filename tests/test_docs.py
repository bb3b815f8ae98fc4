"""Docs are tested: every setting appears in the README with its environment variable."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel

from zhiguo.core.settings import Settings

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def _paths() -> list[tuple[str, str]]:
    out = []
    for name, field in Settings.model_fields.items():
        sub = field.annotation
        if isinstance(sub, type) and issubclass(sub, BaseModel):
            for inner, inner_field in sub.model_fields.items():
                assert inner_field.description, f"{name}.{inner} has no description"
                out.append((f"{name}.{inner}", f"ZHIGUO_{name.upper()}_{inner.upper()}"))
        elif name not in {"demo_mode"}:
            out.append((name, f"ZHIGUO_{name.upper()}"))
    return out


def test_every_setting_is_documented() -> None:
    for path, env in _paths():
        assert f"`{path}`" in README or f"`{path.rsplit('.', 1)[0]}." in README, path
        head = env.rsplit("_", 1)[0]
        assert env in README or head in README, env


def test_readme_has_the_two_commands() -> None:
    assert "make demo" in README and "make test" in README
