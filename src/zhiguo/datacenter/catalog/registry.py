"""The dataset registry: built-in datasets and a deployment's own register the same way.

Platforms declare their datasets in their ``datasets.py`` and call :func:`register_dataset`
from there; :func:`default_registry` loads the built-in declarations (dogfooding the same
path a deployment's plugin would use).
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator

from zhiguo.core.access import Classification
from zhiguo.core.errors import Conflict, NotFound
from zhiguo.datacenter.catalog.schemas import DatasetSpec

__all__ = ["BUILTIN_DATASET_MODULES", "DatasetRegistry", "default_registry", "register_dataset"]

BUILTIN_DATASET_MODULES: tuple[str, ...] = (
    "zhiguo.datacenter.flashreport.datasets",
    "zhiguo.supervision.datasets",
    "zhiguo.operations.sites.datasets",
    "zhiguo.operations.demand.datasets",
    "zhiguo.operations.coverage.datasets",
    "zhiguo.operations.planning.datasets",
    "zhiguo.operations.leasing.datasets",
)
"""Modules whose ``DATASETS`` are registered at start-up; a deployment appends its own."""


class DatasetRegistry:
    """Name → :class:`DatasetSpec`; re-registering an identical spec is a no-op."""

    def __init__(self) -> None:
        self._specs: dict[str, DatasetSpec] = {}
        self._downgrades: dict[str, Classification] = {}

    def register(self, spec: DatasetSpec) -> DatasetSpec:
        known = self._specs.get(spec.name)
        if known is not None and known != spec:
            raise Conflict(
                f"数据集 {spec.name} 已以不同定义注册",
                f"Dataset {spec.name} is already registered with a different definition",
            )
        self._check_derived_level(spec)
        self._specs[spec.name] = spec
        return spec

    def inherited_level(self, spec: DatasetSpec) -> Classification:
        """就高从严: the highest effective level among ``spec``'s inputs (registered first)."""
        levels = []
        for name in spec.inputs:
            if name not in self._specs:
                raise NotFound(
                    f"数据集 {spec.name} 的输入 {name} 尚未注册（先注册输入）",
                    f"Input {name} of dataset {spec.name} is not registered (register it first)",
                )
            levels.append(self._specs[name].effective_classification)
        return Classification.highest(levels)

    def _check_derived_level(self, spec: DatasetSpec) -> None:
        inherited = self.inherited_level(spec)
        own = spec.effective_classification
        if own.rank >= inherited.rank:
            return
        allowed = self._downgrades.get(spec.name)
        if allowed is not None and own.rank >= allowed.rank:
            return
        from zhiguo.security.classification import DowngradeRefused

        raise DowngradeRefused(
            f"数据集 {spec.name} 标为{own.label_zh}，低于其输入的{inherited.label_zh}",
            f"Dataset {spec.name} is labelled {own.value}, below its inputs' {inherited.value}",
        )

    def allow_downgrade(self, name: str, level: Classification) -> None:
        """Accept ``name`` labelled as low as ``level`` despite its inputs — only through
        :func:`~zhiguo.datacenter.catalog.service.record_downgrade`, which audits it."""
        self._downgrades[name] = level

    def get(self, name: str) -> DatasetSpec:
        try:
            return self._specs[name]
        except KeyError:
            raise NotFound(f"没有数据集 {name}", f"No dataset named {name}") from None

    def __contains__(self, name: object) -> bool:
        return name in self._specs

    def __iter__(self) -> Iterator[DatasetSpec]:
        return iter(sorted(self._specs.values(), key=lambda s: s.name))

    def __len__(self) -> int:
        return len(self._specs)


_default: DatasetRegistry | None = None


def register_dataset(spec: DatasetSpec, registry: DatasetRegistry | None = None) -> DatasetSpec:
    """Register ``spec`` in ``registry`` (the process-wide default if None)."""
    return (registry or default_registry()).register(spec)


def default_registry() -> DatasetRegistry:
    """The process-wide registry, loaded with every module in BUILTIN_DATASET_MODULES."""
    global _default
    if _default is None:
        registry = DatasetRegistry()
        for module_name in BUILTIN_DATASET_MODULES:
            module = importlib.import_module(module_name)
            for spec in module.DATASETS:
                registry.register(spec)
        _default = registry
    return _default
