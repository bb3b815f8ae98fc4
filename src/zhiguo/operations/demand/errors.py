"""Demand-raster errors: each names the file, row/column (or raster pixel) and the rule.

::

    InputError                     ZG-INPUT-001 (core)
    ├── DemandError                ZG-DEMAND-001 invalid demand input (a parameter)
    ImportRejected                 ZG-INPUT-100 (core): a demand file with problems, nothing written
        problems carry the rule codes below (ZG-DEMAND-010 …)
    NotFound                       ZG-NF-001 (core)
    └── NoDemand                   ZG-DEMAND-002 no demand raster published yet
"""

from __future__ import annotations

from typing import Any

from zhiguo.core.errors import InputError, Location, NotFound, Problem, render_problem

__all__ = ["RULES", "DemandError", "NoDemand", "problem"]


class DemandError(InputError):
    """A parameter of a demand operation is unusable (unit, datum, resolution …)."""

    code = "ZG-DEMAND-001"
    title_zh = "需求栅格输入无效"
    title_en = "Invalid demand-raster input"


class NoDemand(NotFound):
    code = "ZG-DEMAND-002"
    title_zh = "尚未发布需求栅格"
    title_en = "No demand raster published yet"
    may_hide_scope = False  # whole-portfolio data for regulators: absence is an answer


RULES: dict[str, tuple[str, str, str]] = {
    # rule id → (code, zh template, en template)
    "columns": (
        "ZG-DEMAND-010",
        "缺少列：需要 lon,lat,weight 或 x_m,y_m,weight（现有：{detail}）",
        "missing columns: need lon,lat,weight or x_m,y_m,weight (found: {detail_en})",
    ),
    "number": (
        "ZG-DEMAND-011",
        "列 {column} 的值“{detail}”不是数字",
        "value '{detail_en}' in column {column_en} is not a number",
    ),
    "negative": (
        "ZG-DEMAND-012",
        "权重 {detail} 为负数或非有限值（须 ≥ 0）",
        "weight {detail_en} is negative or not finite (must be ≥ 0)",
    ),
    "outside": (
        "ZG-DEMAND-013",
        "该点在市界外 {detail} 米（容差 {tolerance} 米）",
        "the point lies {detail_en} m outside the city (tolerance {tolerance} m)",
    ),
    "lonlat": (
        "ZG-DEMAND-014",
        "经纬度 {detail} 超出范围（经度或纬度写反？）",
        "longitude/latitude {detail_en} out of range (swapped?)",
    ),
    "empty": (
        "ZG-DEMAND-015",
        "文件中没有需求数据",
        "the file holds no demand data",
    ),
    "tiff_tag": (
        "ZG-DEMAND-020",
        "GeoTIFF 缺少标签 {detail}",
        "GeoTIFF lacks tag {detail_en}",
    ),
    "tiff_crs": (
        "ZG-DEMAND-021",
        "GeoTIFF 坐标系为 {detail}，须为 EPSG:4547 或 EPSG:32650（投影坐标，米）",
        "GeoTIFF CRS is {detail_en}; it must be EPSG:4547 or EPSG:32650 (projected, metres)",
    ),
    "tiff_shape": (
        "ZG-DEMAND-022",
        "GeoTIFF 无法读取为单波段栅格：{detail}",
        "GeoTIFF cannot be read as a one-band raster: {detail_en}",
    ),
    "tiff_outside": (
        "ZG-DEMAND-023",
        "GeoTIFF 像元（行 {row}，列 {col}）权重 {detail} 落在市界外",
        "GeoTIFF pixel (row {row}, column {col}) with weight {detail_en} lies outside the city",
    ),
}


def problem(rule: str, location: Location, **fields: Any) -> Problem:
    """A located problem of the demand rule table."""
    return render_problem(RULES, rule, location, **fields)
