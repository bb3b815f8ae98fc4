"""Spark backend: the same DuckDB-dialect SQL, transpiled with sqlglot, on one shared session.

Why it looks the way it does:

- Starting Spark costs seconds, so a process shares one local-mode session (:meth:`SparkEngine.get`)
  and each query runs in a fresh child session (``newSession()``: same SparkContext, its own
  temp views and SQL settings), so views never leak between queries or threads.
- No jars can be fetched at run time, so Delta snapshots are read through their Parquet files
  (``Relation.files``), with the partition values Delta keeps in its log added back as columns.
- The caller's row filter is applied to the DataFrame *before* it becomes a view: the query
  text can only ever see the permitted rows.
- Parameters are bound as sqlglot literal nodes, never by formatting text into SQL.

PySpark is an optional extra: importing this module never needs it; :meth:`SparkEngine.get`
says exactly what to install when PySpark or Java is missing.
"""

from __future__ import annotations

import atexit
import datetime as dt
import functools
import logging
import math
import numbers
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import pyarrow as pa
import pyarrow.dataset as ds
import sqlglot
from sqlglot import exp
from sqlglot.errors import ErrorLevel

from zhiguo.core.errors import DependencyMissing
from zhiguo.datacenter.engine.relations import Relation

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

__all__ = ["SparkEngine", "to_spark_sql"]

PIP_HINT = "pip install 'zhiguo[spark]'"
JAVA_HINT = "apt-get install openjdk-17-jre-headless"
_MIN_JAVA = 17

# Settings of the process-wide session (static ones only take effect at start-up).
_START_CONF: dict[str, str] = {
    "spark.app.name": "zhiguo",
    "spark.driver.bindAddress": "127.0.0.1",
    "spark.driver.host": "127.0.0.1",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.default.parallelism": "2",
}
# Settings every query session gets (re-applied to each child session, so nothing drifts).
# ANSI stays on (Spark 4's default): like DuckDB, bad casts and overflows raise instead of
# turning into NULL. Division by zero is made NULL by the transpiler (see dialects.py).
SESSION_CONF: dict[str, str] = {
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.shuffle.partitions": "2",
    "spark.sql.ansi.enabled": "true",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    "spark.sql.execution.arrow.pyspark.fallback.enabled": "false",
    # `SELECT * FROM parquet.`/lake/...`` would bypass the row filter: only views are readable.
    "spark.sql.runSQLOnFiles": "false",
}
# Root at WARN while starting (at ERROR Spark's shell mode prints a banner about it), then
# ERROR once started; the one expected start-up warning (no native Hadoop) is silenced.
_LOG4J = """\
rootLogger.level = warn
rootLogger.appenderRef.stderr.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{HH:mm:ss} %p %c{1}: %m%n
logger.native.name = org.apache.hadoop.util.NativeCodeLoader
logger.native.level = error
"""
_GLOB = re.compile(r"([\\*?\[\]{}])")


def _problems() -> list[tuple[str, str, str]]:
    """What stops Spark from starting here: (zh, en, install hint) for each missing piece."""
    found: list[tuple[str, str, str]] = []
    try:
        import pyspark  # noqa: F401
    except ImportError:
        found.append(("未安装 PySpark", "PySpark is not installed", PIP_HINT))
    java = _java_binary()
    if java is None:
        found.append(("未找到 Java（需要 17 或更高版本）", "Java (17+) was not found", JAVA_HINT))
    else:
        version = _java_major(java)
        if version is not None and version < _MIN_JAVA:
            found.append(
                (
                    f"Java 版本 {version} 过低（需要 17+）",
                    f"Java {version} is too old (17+)",
                    JAVA_HINT,
                )
            )
    return found


def _java_binary() -> str | None:
    """The java Spark's launcher will run: ``$JAVA_HOME/bin/java``, else ``java`` on PATH."""
    home = os.environ.get("JAVA_HOME")
    if home:
        candidate = Path(home) / "bin" / "java"
        return str(candidate) if candidate.is_file() else None
    return shutil.which("java")


def _java_major(java: str) -> int | None:
    try:
        out = subprocess.run(
            [java, "-version"], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    match = re.search(r'version "(?:1\.)?(\d+)', out.stderr + out.stdout)
    return int(match.group(1)) if match else None


def _require_spark() -> None:
    found = _problems()
    if found:
        raise DependencyMissing(
            "Spark 引擎无法启动：" + "；".join(f"{zh}，请运行 {hint}" for zh, _, hint in found),
            "The Spark engine cannot start: " + "; ".join(f"{en}: run {h}" for _, en, h in found),
            details={"install": [hint for _, _, hint in found]},
        )


# --- SQL: DuckDB dialect in, Spark dialect out ------------------------------------------------


def to_spark_sql(sql: str, params: Mapping[str, Any] | None = None) -> str:
    """Transpile one DuckDB-dialect query to Spark SQL, binding ``$name`` placeholders.

    Values become literal nodes of the syntax tree (sqlglot quotes them), so a parameter can
    never change the shape of the query. As in DuckDB, a missing or an unused parameter is
    an error. Divisors are wrapped in ``NULLIF(divisor, 0)`` so division by zero is NULL
    rather than an ANSI error (the portable behaviour, see ``dialects.UNSUPPORTED``).
    """
    statements = [s for s in sqlglot.parse(sql, read="duckdb") if s is not None]
    if len(statements) != 1 or not isinstance(statements[0], exp.Query):
        raise ValueError("the Spark engine runs exactly one query (SELECT, WITH, UNION …)")
    tree = statements[0]
    given = dict(params or {})
    used: set[str] = set()
    for placeholder in list(tree.find_all(exp.Placeholder)):
        name = placeholder.name
        if not name:
            raise ValueError("positional placeholders (?) are not supported; use $name")
        if name not in given:
            raise ValueError(f"no value given for parameter ${name}")
        used.add(name)
        placeholder.replace(_literal(given[name]))
    unused = sorted(set(given) - used)
    if unused:
        raise ValueError(f"parameters not used by the query: {', '.join(unused)}")
    for division in list(tree.find_all(exp.Div, exp.Mod, exp.IntDiv)):
        divisor = division.expression
        if not isinstance(divisor, exp.Nullif) and not _nonzero_number(divisor):
            division.set("expression", exp.Nullif(this=divisor, expression=exp.Literal.number(0)))
    return tree.sql(dialect="spark", unsupported_level=ErrorLevel.RAISE)


def _nonzero_number(node: exp.Expression) -> bool:
    return isinstance(node, exp.Literal) and node.is_number and float(node.this) != 0


def _literal(value: Any) -> exp.Expression:
    """A literal with the type DuckDB gives the same Python value when it binds it."""
    if value is None:
        return exp.Null()
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, numbers.Integral):  # int, and NumPy's integers
        return exp.Literal.number(int(value))
    if isinstance(value, float):
        if math.isfinite(value):
            return exp.cast(exp.Literal.number(repr(value)), exp.DataType.Type.DOUBLE)
        text = "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
        return exp.cast(exp.Literal.string(text), exp.DataType.Type.DOUBLE)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"cannot bind a non-finite decimal: {value}")
        parts = value.as_tuple()
        digits, exponent = parts.digits, int(parts.exponent)  # an int once finite
        scale = max(-exponent, 0)
        precision = max(len(digits) + max(exponent, 0), scale, 1)
        return exp.cast(
            exp.Literal.number(format(value, "f")),
            exp.DataType.build(f"DECIMAL({precision}, {scale})"),
        )
    if isinstance(value, str):
        return exp.Literal.string(value)
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            text, kind = value.isoformat(" "), exp.DataType.Type.TIMESTAMPNTZ
        else:
            utc = value.astimezone(dt.UTC).replace(tzinfo=None)
            text, kind = utc.isoformat(" "), exp.DataType.Type.TIMESTAMPTZ
        return exp.cast(exp.Literal.string(text), kind)
    if isinstance(value, dt.date):
        return exp.cast(exp.Literal.string(value.isoformat()), exp.DataType.Type.DATE)
    raise TypeError(f"cannot bind a parameter of type {type(value).__name__}")


# --- the engine -------------------------------------------------------------------------------


def _backticked(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


class SparkEngine:
    """Queries on the process-wide local Spark session; each query in its own child session."""

    name = "spark"
    _shared: ClassVar[SparkEngine | None] = None
    _shared_lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, session: SparkSession, workdir: Path | None = None) -> None:
        self._session = session
        self._workdir = workdir

    @classmethod
    def get(cls) -> SparkEngine:
        """The shared engine, starting local Spark (≈ 5–10 s) on first use in this process."""
        with cls._shared_lock:
            if cls._shared is None:
                _require_spark()
                cls._shared = cls._start()
            return cls._shared

    @classmethod
    def _start(cls) -> SparkEngine:
        from pyspark.sql import SparkSession

        os.environ["SPARK_LOCAL_IP"] = "127.0.0.1"
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
        workdir = Path(tempfile.mkdtemp(prefix="zhiguo-spark-"))
        atexit.register(shutil.rmtree, workdir, ignore_errors=True)
        log4j = workdir / "log4j2.properties"
        log4j.write_text(_LOG4J, encoding="utf-8")
        builder = SparkSession.builder.master("local[2]")
        conf = {
            **_START_CONF,
            **SESSION_CONF,
            "spark.sql.warehouse.dir": str(workdir / "warehouse"),
            "spark.driver.extraJavaOptions": f"-Dlog4j2.configurationFile={log4j.as_uri()}",
        }
        for key, value in conf.items():
            builder = builder.config(key, value)
        session = builder.getOrCreate()
        session.sparkContext.setLogLevel("ERROR")
        # PySpark also logs every failed query on its own; the raised error says it all.
        for name in ("SQLQueryContextLogger", "DataFrameQueryContextLogger"):
            logging.getLogger(name).setLevel(logging.CRITICAL)
        return cls(session, workdir)

    @classmethod
    def shutdown(cls) -> None:
        """Stop the shared session (end of a test run or of a batch job); ``get`` restarts it."""
        with cls._shared_lock:
            engine, cls._shared = cls._shared, None
        if engine is not None:
            engine._session.stop()
            if engine._workdir is not None:
                shutil.rmtree(engine._workdir, ignore_errors=True)

    def query(
        self,
        sql: str,
        *,
        tables: Mapping[str, Relation | pa.Table],
        params: Mapping[str, Any] | None = None,
    ) -> pa.Table:
        spark_sql = to_spark_sql(sql, params)
        session = self._session.newSession()
        for key, value in SESSION_CONF.items():
            session.conf.set(key, value)
        try:
            for name, rel in tables.items():
                relation = rel if isinstance(rel, Relation) else Relation(rel)
                _frame(session, relation).createOrReplaceTempView(_backticked(name))
            return session.sql(spark_sql).toArrow()
        finally:
            for name in tables:
                session.catalog.dropTempView(_backticked(name))

    def close(self) -> None:
        """Nothing to release: the session is shared by the process (see :meth:`shutdown`)."""


def _frame(session: SparkSession, relation: Relation) -> DataFrame:
    """The relation as a DataFrame, already narrowed to the rows the caller may see."""
    from pyspark.sql import functions as F

    if relation.files:
        frame = _read_files(session, relation)
    else:
        data = relation.data
        frame = session.createDataFrame(data.to_table() if isinstance(data, ds.Dataset) else data)
    for mask in relation.masks:  # 脱敏: the same expression DuckDB evaluates
        masked = F.expr(mask.sql.format(column=_backticked(mask.column)))
        frame = frame.withColumn(mask.column, masked)
    row_filter = relation.row_filter
    if row_filter is None:
        return frame
    values = list(row_filter.values)
    if not values:
        return frame.filter(F.lit(False))
    return frame.filter(F.col(_backticked(row_filter.column)).isin(values))


def _read_files(session: SparkSession, relation: Relation) -> DataFrame:
    """Read a snapshot's Parquet files; add Delta partition values back as typed columns.

    Files are read with the relation's schema (no inference pass; a column a file lacks
    reads as NULL), grouped by partition values so each group is one Parquet scan.
    """
    from pyspark.sql import functions as F
    from pyspark.sql.pandas.types import from_arrow_type
    from pyspark.sql.types import StructField, StructType

    schema = relation.schema
    groups: dict[tuple[tuple[str, str | None], ...], list[str]] = {}
    for uri in relation.files:
        values = tuple(sorted(relation.partition_values.get(uri, {}).items()))
        groups.setdefault(values, []).append(uri)
    columns = [F.col(_backticked(field.name)) for field in schema]
    frames: list[DataFrame] = []
    for values, uris in groups.items():
        constant = dict(values)
        read_schema = StructType(
            [
                StructField(field.name, from_arrow_type(field.type), nullable=True)
                for field in schema
                if field.name not in constant
            ]
        )
        # spark.read expands globs; file names are literal, so escape glob characters.
        frame = session.read.schema(read_schema).parquet(*[_GLOB.sub(r"\\\1", u) for u in uris])
        for column, value in constant.items():
            if column in schema.names:
                spark_type = from_arrow_type(schema.field(column).type)
                frame = frame.withColumn(column, F.lit(value).cast(spark_type))
        frames.append(frame.select(*columns))
    return functools.reduce(lambda left, right: left.unionByName(right), frames)
