"""Errors and located import problems of operations.sites (codes ``ZG-SITES-0xx``).

Every rule of the import has a stable code and a message in Chinese and English; problems
are located (file, sheet, row, column) and all of them are collected before the import is
rejected with :class:`~zhiguo.core.errors.ImportRejected` — nothing is written then.
"""

from __future__ import annotations

from typing import Any

from zhiguo.core.errors import Location, NotFound, Problem, render_problem

__all__ = ["RULES", "SiteNotFound", "problem"]


class SiteNotFound(NotFound):
    """No such site — or not in the caller's scope (a 404 never says which)."""

    code = "ZG-SITES-001"
    title_zh = "站址不存在"
    title_en = "Site not found"


RULES: dict[str, tuple[str, str, str]] = {
    # the file's form
    "file.format": (
        "ZG-SITES-010",
        "不支持的文件类型 {suffix}：请上传 CSV、xlsx 或 GeoJSON",
        "Unsupported file type {suffix}: upload CSV, xlsx or GeoJSON",
    ),
    "file.unreadable": (
        "ZG-SITES-011",
        "文件无法读取：{detail}",
        "The file cannot be read: {detail_en}",
    ),
    "file.empty": ("ZG-SITES-012", "文件中没有站址数据", "The file holds no sites"),
    "file.sheet": (
        "ZG-SITES-013",
        "工作簿中没有名为 {sheet} 的工作表（现有：{sheets}）",
        "The workbook has no sheet named {sheet} (it has: {sheets})",
    ),
    "file.encoding": (
        "ZG-SITES-014",
        "第 {line} 行无法按 {encoding} 解码：请另存为 UTF-8 或 GBK",
        "Line {line} does not decode as {encoding}: save the file as UTF-8 or GBK",
    ),
    "file.datum": (
        "ZG-SITES-015",
        "坐标系须为 wgs84 或 gcj02，文件声明的是 {datum}",
        "The datum must be wgs84 or gcj02; the file declares {datum}",
    ),
    "file.datum_conflict": (
        "ZG-SITES-017",
        "声明的坐标系 {given} 与文件内声明的 {declared} 不一致",
        "The declared datum {given} differs from the file's own declaration {declared}",
    ),
    "geojson.geometry": (
        "ZG-SITES-016",
        "第 {row} 个要素不是点（Point）要素：{detail}",
        "Feature {row} is not a Point feature: {detail_en}",
    ),
    # the header
    "column.missing": (
        "ZG-SITES-020",
        "缺少必填列 {column}（{column_en}）",
        "Required column {column_en} ({column}) is missing",
    ),
    "column.duplicate": (
        "ZG-SITES-021",
        "列 {column} 出现了不止一次",
        "Column {column_en} appears more than once",
    ),
    # values
    "value.required": (
        "ZG-SITES-030",
        "{label} 为必填项，此处为空",
        "{label_en} is required but empty",
    ),
    "value.number": (
        "ZG-SITES-031",
        "{label} 须为数字，而不是“{value}”",
        "{label_en} must be a number, not “{value}”",
    ),
    "value.negative": (
        "ZG-SITES-032",
        "{label} 不能为负数：{value}",
        "{label_en} cannot be negative: {value}",
    ),
    "value.type": (
        "ZG-SITES-033",
        "未知的站址类型“{value}”（可选：{choices}）",
        "Unknown site type “{value}” (choices: {choices_en})",
    ),
    "value.status": (
        "ZG-SITES-034",
        "未知的站址状态“{value}”（可选：{choices}）",
        "Unknown site status “{value}” (choices: {choices_en})",
    ),
    "value.carrier": (
        "ZG-SITES-035",
        "未知的运营商“{value}”（可选：电信、移动、联通、广电）",
        "Unknown carrier “{value}” (choices: telecom, mobile, unicom, cbn)",
    ),
    "value.bool": (
        "ZG-SITES-036",
        "{label} 须为 是/否，而不是“{value}”",
        "{label_en} must be yes/no, not “{value}”",
    ),
    "value.too_long": (
        "ZG-SITES-037",
        "{label} 超过 {limit} 个字符",
        "{label_en} is longer than {limit} characters",
    ),
    "value.carriers_needed": (
        "ZG-SITES-038",
        "状态为已建成在用的站址须填写已入驻运营商",
        "An in-service site must name the carriers on it",
    ),
    # geography
    "geo.swapped": (
        "ZG-SITES-040",
        "经纬度疑似填反：经度 {lon}、纬度 {lat} {why}；互换后（经度 {lat}、纬度 {lon}）位于"
        "{city}内",
        "Longitude and latitude look swapped: lon {lon}, lat {lat} {why_en}; swapped "
        "(lon {lat}, lat {lon}) the point lies in {city_en}",
    ),
    "geo.range": (
        "ZG-SITES-041",
        "坐标超出范围：经度须在 −180…180、纬度须在 −90…90 之间（经度 {lon}、纬度 {lat}）",
        "Coordinates out of range: longitude must be within −180…180 and latitude within "
        "−90…90 (lon {lon}, lat {lat})",
    ),
    "geo.outside": (
        "ZG-SITES-042",
        "站址位于市界之外 {distance}（容差 {tolerance} 米；坐标系 {datum}）",
        "The site lies {distance_en} outside the city boundary (tolerance {tolerance} m; "
        "datum {datum})",
    ),
    "geo.duplicate_file": (
        "ZG-SITES-043",
        "与本文件第 {other_row} 行（编码 {other_code}）的站址相距仅 {distance} 米，疑似重复",
        "Within {distance} m of the site on row {other_row} of this file (code {other_code}): "
        "a duplicate?",
    ),
    "geo.duplicate_existing": (
        "ZG-SITES-044",
        "与已有站址 {other_code}（{other_name}）相距仅 {distance} 米，疑似重复",
        "Within {distance} m of existing site {other_code} ({other_name_en}): a duplicate?",
    ),
    # heights
    "height.nonpositive": (
        "ZG-SITES-050",
        "挂高须大于 0 米，而不是 {value}",
        "The mounting height must be above 0 m, not {value}",
    ),
    "height.range": (
        "ZG-SITES-051",
        "{type_zh}的挂高须在 {low}–{high} 米之间，而不是 {value} 米",
        "A {type_en} height must be within {low}–{high} m, not {value} m",
    ),
    # identity and ownership
    "code.duplicate": (
        "ZG-SITES-060",
        "站址编码 {value} 在本文件中重复（首次出现在第 {other_row} 行）",
        "Site code {value} repeats in this file (first on row {other_row})",
    ),
    "code.format": (
        "ZG-SITES-061",
        "站址编码“{value}”无效：1–40 个字母、数字、- _ . /",
        "Site code “{value}” is invalid: 1–40 letters, digits, - _ . /",
    ),
    "owner.unknown": (
        "ZG-SITES-070",
        "产权单位“{value}”不在企业名录中",
        "Owner “{value}” is not in the enterprise registry",
    ),
    "owner.ambiguous": (
        "ZG-SITES-071",
        "产权单位名称“{value}”对应多家企业，请改填统一社会信用代码",
        "Owner name “{value}” matches several enterprises: give the USCC instead",
    ),
    "owner.scope": (
        "ZG-SITES-072",
        "产权单位 {value}（{name}）不在您的管辖范围内，不能为其导入站址",
        "Owner {value} ({name}) is outside your scope: you cannot import its sites",
    ),
    "owner.moved": (
        "ZG-SITES-073",
        "站址编码 {value} 已登记在您管辖范围以外的产权单位名下，您无权修改",
        "Site code {value} is registered to an owner outside your scope: you cannot change it",
    ),
}


def problem(rule: str, location: Location, **fields: Any) -> Problem:
    """A located problem of rule ``rule`` (an error), rendered in zh and en."""
    return render_problem(RULES, rule, location, **fields)
