"""Without PySpark or Java, asking for Spark says exactly what to install (zh and en).

Each case runs in a fresh interpreter, so hiding PySpark or Java cannot disturb the Spark
session other tests share; none of them needs Spark itself.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

PIP = "pip install 'zhiguo[spark]'"
APT = "apt-get install openjdk-17-jre-headless"

_PROBE = """
import json, sys
{prelude}
from zhiguo.core.errors import DependencyMissing
from zhiguo.core.settings import EngineSettings
from zhiguo.datacenter.engine import open_engine

try:
    open_engine(EngineSettings(backend="spark"))
except DependencyMissing as exc:
    print(json.dumps({{"code": exc.code, "zh": exc.message("zh"), "en": exc.message("en"),
                      "details": exc.details}}))
else:
    sys.exit("no DependencyMissing raised")
"""


def _probe(prelude: str = "", env: dict[str, str] | None = None) -> dict[str, object]:
    result = subprocess.run(
        [sys.executable, "-c", _PROBE.format(prelude=prelude)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def test_missing_pyspark_names_the_extra() -> None:
    found = _probe("sys.modules['pyspark'] = None")
    assert found["code"] == "ZG-DEP-001"
    assert PIP in str(found["zh"]) and PIP in str(found["en"])
    assert "PySpark" in str(found["zh"]) and "PySpark is not installed" in str(found["en"])
    assert PIP in found["details"]["install"]  # type: ignore[index]


def test_missing_java_names_the_package(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "JAVA_HOME"}
    env["PATH"] = str(Path(sys.executable).parent)  # the venv's bin: Python, no java
    found = _probe(env=env)
    assert APT in str(found["zh"]) and APT in str(found["en"])
    assert "Java" in str(found["zh"]) and "Java (17+) was not found" in str(found["en"])


def test_a_wrong_java_home_counts_as_missing(tmp_path: Path) -> None:
    env = {**os.environ, "JAVA_HOME": str(tmp_path / "no-such-jdk")}
    found = _probe(env=env)
    assert APT in str(found["en"])
