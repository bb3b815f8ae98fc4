"""The fictitious demo world (示例数据): deterministic from a seed, every name and code
labelled 示例/Demo, every USCC passing its checksum. Later platforms add their data to the
same world (flash reports, sites, telemetry) through their own public APIs."""

from .build import CREDENTIALS_FILE, DemoResult, DemoUser, build_demo
from .world import SCALES, World, generate_world

__all__ = [
    "CREDENTIALS_FILE",
    "SCALES",
    "DemoResult",
    "DemoUser",
    "World",
    "build_demo",
    "generate_world",
]
