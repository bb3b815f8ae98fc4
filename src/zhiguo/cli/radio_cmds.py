"""``zhiguo radio …``: check the TR 38.901 radio model by hand and list the NR bands.

``zhiguo radio pathloss`` prints the path loss alone on stdout (4 decimals) so scripts can
read it; details go to stderr with ``--verbose``. Rejected input exits 1 with the zh + en
error (code ZG-RADIO-…)."""

from __future__ import annotations

import json
from typing import Annotated

import numpy as np
import typer
from rich.table import Table

from zhiguo.operations.radio import BANDS, RadioError, describe_link

from .common import console, err_console, report_error

app = typer.Typer(
    help="无线传播模型（3GPP TR 38.901）与频段 / radio model (3GPP TR 38.901) and bands",
    no_args_is_help=True,
)


@app.command("pathloss")
def pathloss_cmd(
    scenario: Annotated[
        str, typer.Option("--scenario", help="UMa | UMi | RMa | InH（TR 38.901 表 7.4.1-1）")
    ],
    fc: Annotated[float, typer.Option("--fc", help="中心频率 / centre frequency, GHz")],
    d2d: Annotated[float, typer.Option("--d2d", help="水平距离 / 2-D distance, m")],
    hbs: Annotated[float, typer.Option("--hbs", help="基站天线高度 / BS height, m")],
    hut: Annotated[float, typer.Option("--hut", help="终端高度 / UT height, m")],
    los: Annotated[
        bool | None, typer.Option("--los/--nlos", help="视距或非视距 / LOS or NLOS (required)")
    ] = None,
    street_width: Annotated[
        float, typer.Option("--street-width", help="RMa 街道宽度 W / street width, m")
    ] = 20.0,
    building_height: Annotated[
        float, typer.Option("--building-height", help="RMa 平均楼高 h / building height, m")
    ] = 5.0,
    he: Annotated[
        float | None, typer.Option("--he", help="UMa 有效环境高度 hE / fixed hE, m")
    ] = None,
    seed: Annotated[
        int | None, typer.Option("--seed", help="UMa hUT ≥ 13 m 时抽取 hE 的种子 / seed for hE")
    ] = None,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="在 stderr 显示细节 / details on stderr")
    ] = False,
) -> None:
    """基本路径损耗（dB，4 位小数）/ basic path loss in dB, 4 decimals, nothing else on stdout."""
    if los is None:
        raise typer.BadParameter("give --los or --nlos / 请指定 --los 或 --nlos")
    try:
        link = describe_link(
            scenario,
            los=los,
            fc_ghz=fc,
            d2d=d2d,
            hbs=hbs,
            hut=hut,
            street_width=street_width,
            building_height=building_height,
            he=he,
            rng=None if seed is None else np.random.default_rng(seed),
        )
    except RadioError as exc:
        report_error(exc)
        raise typer.Exit(1) from exc
    typer.echo(f"{link.pathloss_db:.4f}")
    if verbose:
        bp = "-" if link.breakpoint_m is None else f"{link.breakpoint_m:.4f} m"
        err_console.print(
            f"{link.scenario} {'LOS' if link.los else 'NLOS'} fc={link.fc_ghz:g} GHz "
            f"d2D={link.d2d:g} m d3D={link.d3d:.4f} m hBS={link.hbs:g} m hUT={link.hut:g} m "
            f"hE={link.he:g} m",
            highlight=False,
        )
        err_console.print(
            f"breakpoint 断点 {bp} · branch {link.branch} · PL_LOS {link.pl_los_db:.4f} dB · "
            f"PL'_NLOS {link.pl_nlos_prime_db:.4f} dB · σSF {link.sigma_sf_db:g} dB",
            highlight=False,
        )
        for zh, en in link.notes:
            err_console.print(f"[yellow]{zh}[/] / {en}", highlight=False)


@app.command("bands")
def bands_cmd(
    as_json: Annotated[bool, typer.Option("--json", help="JSON 输出")] = False,
) -> None:
    """NR 频段与载波参数 / the NR bands with one carrier's bandwidth, SCS and PRBs."""
    rows = [
        {
            "band": b.name,
            "label_zh": b.label_zh,
            "label_en": b.label_en,
            "operators": list(b.operators),
            "duplex": b.duplex,
            "dl_mhz": [b.dl_low_mhz, b.dl_high_mhz],
            "fc_ghz": b.fc_ghz,
            "bandwidth_mhz": b.bandwidth_mhz,
            "scs_khz": b.scs_khz,
            "n_prb": b.n_prb,
            "note": b.note,
        }
        for b in BANDS.values()
    ]
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=1))
        return
    table = Table(title="NR 频段 / NR bands")
    for col in ("频段 band", "运营商 operators", "双工", "下行 DL MHz", "fc GHz", "带宽 MHz",
                "SCS kHz", "PRB", "说明 note"):  # fmt: skip
        table.add_column(col, overflow="fold")
    for b in BANDS.values():
        table.add_row(
            b.name,
            "、".join(b.operators),
            b.duplex,
            f"{b.dl_low_mhz:g}–{b.dl_high_mhz:g}",
            f"{b.fc_ghz:g}",
            str(b.bandwidth_mhz),
            str(b.scs_khz),
            str(b.n_prb),
            b.note,
        )
    console.print(table)
