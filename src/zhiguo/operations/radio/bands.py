"""The 5G NR bands the city's carriers use, with one carrier's bandwidth, SCS and PRBs.

Spectrum holdings: ``shared/domain/radio.md`` §3.1 (MIIT licences 2018/2020, as reported).
PRB counts: 3GPP TS 38.101-1 Table 5.3.2-1 (maximum transmission bandwidth N_RB, FR1).
"""

from __future__ import annotations

from dataclasses import dataclass

from zhiguo.operations.radio.errors import OutOfRange, UnknownBand

__all__ = ["BANDS", "Band", "get_band", "prb_count"]

# TS 38.101-1 Table 5.3.2-1: N_RB per channel bandwidth (MHz) and SCS (kHz), FR1
_NRB: dict[int, dict[int, int]] = {
    15: {5: 25, 10: 52, 15: 79, 20: 106, 25: 133, 30: 160, 35: 188, 40: 216, 45: 242, 50: 270},
    30: {
        5: 11, 10: 24, 15: 38, 20: 51, 25: 65, 30: 78, 35: 92, 40: 106, 45: 119, 50: 133,
        60: 162, 70: 189, 80: 217, 90: 245, 100: 273,
    },
}  # fmt: skip


def prb_count(bandwidth_mhz: int, scs_khz: int) -> int:
    """Maximum PRBs of one FR1 carrier (TS 38.101-1 Table 5.3.2-1)."""
    table = _NRB.get(scs_khz)
    if table is None:
        raise OutOfRange("scs", scs_khz, 15, 30, unit="kHz", source="TS 38.101-1 Table 5.3.2-1")
    if bandwidth_mhz not in table:
        raise OutOfRange(
            "bandwidth", bandwidth_mhz, min(table), max(table), unit="MHz",
            context=f"SCS {scs_khz} kHz", source="TS 38.101-1 Table 5.3.2-1",
        )  # fmt: skip
    return table[bandwidth_mhz]


@dataclass(frozen=True)
class Band:
    """One NR band as planned here: the downlink block in use and one carrier in it."""

    name: str
    label_zh: str
    label_en: str
    operators: tuple[str, ...]
    duplex: str  # "TDD" or "FDD"
    dl_low_mhz: float
    dl_high_mhz: float
    fc_ghz: float  # carrier centre used in the path-loss formulas
    bandwidth_mhz: int  # one carrier
    scs_khz: int
    note: str = ""

    @property
    def n_prb(self) -> int:
        return prb_count(self.bandwidth_mhz, self.scs_khz)

    @property
    def n_re(self) -> int:
        """Resource elements across the carrier: 12 subcarriers per PRB."""
        return self.n_prb * 12

    @property
    def scs_hz(self) -> float:
        return self.scs_khz * 1e3


BANDS: dict[str, Band] = {
    b.name: b
    for b in (
        Band(
            "n78", "3.5 GHz（n78）", "3.5 GHz (n78)", ("中国电信", "中国联通"), "TDD",
            3400.0, 3600.0, 3.5, 100, 30,
            "电信 3400–3500、联通 3500–3600 MHz，共建共享 200 MHz / CT+CU share 200 MHz",
        ),
        Band(
            "n41", "2.6 GHz（n41）", "2.6 GHz (n41)", ("中国移动",), "TDD",
            2515.0, 2675.0, 2.595, 100, 30,
            "160 MHz = 100 + 60 MHz 两个载波 / two carriers; one 100 MHz carrier here",
        ),
        Band(
            "n28", "700 MHz（n28）", "700 MHz (n28)", ("中国广电", "中国移动"), "FDD",
            758.0, 788.0, 0.773, 30, 15,
            "FDD 703–733 / 758–788 MHz（2×30 MHz），广电与移动共建 / CBN with CM",
        ),
        Band(
            "n79", "4.9 GHz（n79）", "4.9 GHz (n79)", ("中国移动", "中国广电"), "TDD",
            4800.0, 5000.0, 4.9, 100, 30,
            "移动 4800–4900、广电 4900 MHz 起 / CM 4800–4900, CBN from 4900 MHz",
        ),
    )
}  # fmt: skip


def get_band(name: str) -> Band:
    """The band called ``name`` (``n78``, ``N78`` …)."""
    band = BANDS.get(name.strip().lower())
    if band is None:
        raise UnknownBand(name, list(BANDS))
    return band
