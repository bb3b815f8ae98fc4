"""Rules about a received file's form (format, encoding, size, workbook structure).

Codes ZG-INGEST-001..049. Merged with the content rules into ``errors.RULES``.
"""

from __future__ import annotations

__all__ = ["FILE_RULES"]

# rule id: (code, zh template, en template)
FILE_RULES: dict[str, tuple[str, str, str]] = {
    "file.too_large": (
        "ZG-INGEST-001",
        "文件大小 {size_mb} MB 超过上限 {limit_mb} MB（ingest.max_file_mb），未读取",
        "File size {size_mb} MB exceeds the limit of {limit_mb} MB (ingest.max_file_mb); not read",
    ),
    "file.unsupported": (
        "ZG-INGEST-002",
        "不支持的文件类型 {suffix}（支持 .xlsx .csv .json .ndjson .jsonl .parquet）",
        "Unsupported file type {suffix} (supported: .xlsx .csv .json .ndjson .jsonl .parquet)",
    ),
    "file.empty": ("ZG-INGEST-003", "文件为空（0 字节）", "The file is empty (0 bytes)"),
    "csv.encoding": (
        "ZG-INGEST-004",
        "文件不是有效的 {declared} 编码（第 {line} 行附近）：{detail}",
        "The file is not valid {declared} text (near line {line}): {detail}",
    ),
    "csv.unreadable": (
        "ZG-INGEST-005",
        "无法解析 CSV：{detail}",
        "Cannot parse the CSV: {detail}",
    ),
    "json.unreadable": (
        "ZG-INGEST-006",
        "无法解析 JSON：{detail}",
        "Cannot parse the JSON: {detail}",
    ),
    "parquet.unreadable": (
        "ZG-INGEST-007",
        "无法读取 Parquet 文件：{detail}",
        "Cannot read the Parquet file: {detail}",
    ),
    "column.missing": (
        "ZG-INGEST-010",
        "缺少必需列 {column}",
        "Required column {column} is missing",
    ),
    "column.unknown": (
        "ZG-INGEST-011",
        "无法识别的列 {column}",
        "Unrecognised column {column}",
    ),
    "column.duplicate": (
        "ZG-INGEST-012",
        "列 {column} 出现了不止一次",
        "Column {column} appears more than once",
    ),
    "file.no_rows": (
        "ZG-INGEST-013",
        "文件中没有数据行",
        "The file has no data rows",
    ),
    # -- xlsx: the guard (before any parser) ------------------------------------------------
    "xlsx.not_xlsx": (
        "ZG-INGEST-014",
        "文件名为 .xlsx，但内容不是 Excel 工作簿，看起来是{looks_like}；"
        "请在 Excel 中打开后另存为“Excel 工作簿 (*.xlsx)”",
        "The file is named .xlsx but is not an Excel workbook; it looks like {looks_like_en}. "
        "Open it in Excel and save it as 'Excel Workbook (*.xlsx)'",
    ),
    "xlsx.encrypted": (
        "ZG-INGEST-015",
        "工作簿设置了打开密码（已加密），平台无法读取；请在 Excel 中取消密码后重新上传",
        "The workbook is password-protected (encrypted) and cannot be read; remove the "
        "password in Excel and upload it again",
    ),
    "xlsx.legacy_xls": (
        "ZG-INGEST-016",
        "这是旧版 Excel 97-2003 (.xls) 文件，只接受 .xlsx；请另存为“Excel 工作簿 (*.xlsx)”",
        "This is a legacy Excel 97-2003 (.xls) file; only .xlsx is accepted. Save it as "
        "'Excel Workbook (*.xlsx)'",
    ),
    "xlsx.corrupt": (
        "ZG-INGEST-017",
        "工作簿已损坏或不完整（{detail}），无法读取；请在 Excel 中重新保存后上传",
        "The workbook is damaged or incomplete ({detail_en}) and cannot be read; save it "
        "again in Excel and re-upload",
    ),
    "xlsx.zip_too_large": (
        "ZG-INGEST-018",
        "工作簿解压后共 {size_mb} MB，超过上限 {limit_mb} MB（疑似压缩炸弹），未读取",
        "The workbook unpacks to {size_mb} MB, over the limit of {limit_mb} MB (suspected zip "
        "bomb); not read",
    ),
    "xlsx.zip_ratio": (
        "ZG-INGEST-019",
        "工作簿内部文件 {member} 的压缩比 {ratio}:1 异常（上限 {limit}:1，解压后 {size_mb} MB），"
        "疑似压缩炸弹，未读取",
        "Workbook part {member} has an absurd compression ratio of {ratio}:1 (limit {limit}:1, "
        "{size_mb} MB unpacked; suspected zip bomb); not read",
    ),
    "xlsx.zip_members": (
        "ZG-INGEST-020",
        "工作簿包含 {count} 个内部文件，超过上限 {limit}，未读取",
        "The workbook holds {count} parts, over the limit of {limit}; not read",
    ),
    "xlsx.shared_strings_size": (
        "ZG-INGEST-021",
        "共享字符串表 xl/sharedStrings.xml 解压后 {size_mb} MB，超过上限 {limit_mb} MB"
        "（疑似共享字符串炸弹），未读取",
        "The shared-strings table xl/sharedStrings.xml unpacks to {size_mb} MB, over the limit "
        "of {limit_mb} MB (suspected shared-strings bomb); not read",
    ),
    "xlsx.shared_strings_count": (
        "ZG-INGEST-022",
        "共享字符串表声明了 {count} 个字符串，超过上限 {limit}（疑似共享字符串炸弹），未读取",
        "The shared-strings table declares {count} strings, over the limit of {limit} "
        "(suspected shared-strings bomb); not read",
    ),
    "xlsx.cell_bomb": (
        "ZG-INGEST-023",
        "工作表“{sheet}”的范围 {ref} 共 {cells} 个单元格，超过上限 {limit}"
        "（疑似单元格数量炸弹，或整行整列被设置了格式），未读取；请删除多余的行列后重新保存",
        "Sheet '{sheet}' spans {ref}, {cells} cells, over the limit of {limit} (suspected "
        "cell-count bomb, or whole rows/columns formatted); not read. Delete the unused rows "
        "and columns and save again",
    ),
    # -- xlsx: the template's structure ------------------------------------------------------
    "xlsx.sheet_missing": (
        "ZG-INGEST-024",
        "缺少工作表“{expected}”；工作簿中的工作表为：{found}{detail}",
        "Sheet '{expected_en}' is missing; the workbook has: {found_en}{detail_en}",
    ),
    "xlsx.sheet_empty": (
        "ZG-INGEST-025",
        "工作表“{sheet}”是空的（没有任何单元格内容）",
        "Sheet '{sheet}' is empty (no cell has content)",
    ),
    "xlsx.no_values": (
        "ZG-INGEST-026",
        "工作表“{sheet}”有表头但没有任何数值",
        "Sheet '{sheet}' has a header but no figures",
    ),
    "xlsx.header_missing": (
        "ZG-INGEST-027",
        "工作表“{sheet}”前 {rows} 行中找不到表头（应有“项目编码”列）；期望的列顺序：{expected}",
        "No header row in the first {rows} rows of sheet '{sheet}' (expected an 'Item code' "
        "column); expected columns in order: {expected_en}",
    ),
    "xlsx.column_missing": (
        "ZG-INGEST-028",
        "表头缺少列“{column}”；期望的列顺序：{expected}",
        "The header lacks column '{column_en}'; expected columns in order: {expected_en}",
    ),
    "xlsx.column_extra": (
        "ZG-INGEST-029",
        "{letter} 列“{column}”不是模板中的列，请删除该列后重新报送；期望的列顺序：{expected}",
        "Column {letter} '{column}' is not a template column; remove it and submit again. "
        "Expected columns in order: {expected_en}",
    ),
    "xlsx.column_moved": (
        "ZG-INGEST-030",
        "列“{column}”位于 {letter} 列，与模板顺序不同（模板中应在 {expected_letter} 列），"
        "请使用最新模板重新报送；期望的列顺序：{expected}",
        "Column '{column_en}' is in column {letter}, out of the template's order (expected in "
        "column {expected_letter}); submit again with the current template. Expected columns "
        "in order: {expected_en}",
    ),
    "xlsx.item_duplicate": (
        "ZG-INGEST-031",
        "项目编码 {code} 重复：第 {first_row} 行已出现，第 {row} 行再次出现",
        "Item code {code} is repeated: first in row {first_row}, again in row {row}",
    ),
    "xlsx.row_no_item": (
        "ZG-INGEST-032",
        "第 {row} 行有数值，但项目编码和项目名称都为空，无法确定是哪个项目",
        "Row {row} has figures but neither an item code nor an item name, so its item is unknown",
    ),
    "xlsx.merged_values": (
        "ZG-INGEST-033",
        "数值区域有合并单元格 {ref}：合并后只保留左上角 {cell} 的值，其余单元格的数据丢失；"
        "请取消合并并逐格填写",
        "Merged cells {ref} over figures: only the top-left cell {cell} keeps a value and the "
        "others are lost; unmerge them and fill each cell",
    ),
    "xlsx.formula_cached": (
        "ZG-INGEST-034",
        "单元格 {cell} 是公式 ={formula}，已使用 Excel 保存的计算结果 {value}；"
        "请核对，建议粘贴为数值",
        "Cell {cell} holds the formula ={formula}; the result Excel saved, {value}, is used. "
        "Check it; pasting values is safer",
    ),
    "xlsx.formula_no_value": (
        "ZG-INGEST-035",
        "单元格 {cell} 是公式 ={formula}，但文件中没有计算结果（可能由程序生成或未重新计算）；"
        "请在 Excel 中打开、重新计算并保存，或粘贴为数值",
        "Cell {cell} holds the formula ={formula} but the file has no computed result (written "
        "by a program, or never recalculated); open it in Excel, recalculate and save, or "
        "paste values",
    ),
    "xlsx.cover_field_missing": (
        "ZG-INGEST-036",
        "封面没有填写“{field}”{detail}",
        "The cover does not give '{field_en}'{detail_en}",
    ),
}
