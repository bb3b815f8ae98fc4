"""``zhiguo radio pathloss`` prints the path loss alone on stdout (4 decimals); details on
stderr with --verbose; rejected input exits 1 with the zh + en error. ``zhiguo radio bands``."""

from __future__ import annotations

import inspect
import json
import math
import re

import pytest
from typer.testing import CliRunner

from zhiguo.cli import app
from zhiguo.core.errors import ZhiguoError
from zhiguo.operations.radio import errors as radio_errors

runner = CliRunner()
log10 = math.log10


def _run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["radio", *args], env={"COLUMNS": "200"})
    return result.exit_code, result.stdout, result.stderr


def test_pathloss_prints_only_the_number_with_four_decimals() -> None:
    code, out, err = _run("pathloss", "--scenario", "UMa", "--nlos", "--fc", "3.5",
                          "--d2d", "1000", "--hbs", "25", "--hut", "1.5")  # fmt: skip
    assert code == 0, err
    d = math.sqrt(1000**2 + 23.5**2)
    los = 28 + 40 * log10(d) + 20 * log10(3.5) - 9 * log10(560**2 + 23.5**2)
    nlos = 13.54 + 39.08 * log10(d) + 20 * log10(3.5)
    assert out == f"{max(los, nlos):.4f}\n"
    assert re.fullmatch(r"\d+\.\d{4}\n", out)
    assert err == ""


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--scenario", "RMa", "--los", "--fc", "5", "--d2d", "1000", "--hbs", "35", "--hut",
          "1.5"], "108.5577"),
        (["--scenario", "umi", "--nlos", "--fc", "5", "--d2d", "100", "--hbs", "10", "--hut",
          "1.5"], "107.9432"),
        (["--scenario", "InH", "--nlos", "--fc", "5", "--d2d", "50", "--hbs", "3", "--hut",
          "1.5"], "99.7824"),
        (["--scenario", "RMa", "--nlos", "--fc", "5", "--d2d", "5000", "--hbs", "35", "--hut",
          "1.5", "--street-width", "20", "--building-height", "5"], "160.5169"),
    ],
)  # fmt: skip
def test_pathloss_matches_the_ns3_reference_vectors(args: list[str], expected: str) -> None:
    code, out, _err = _run("pathloss", *args)
    assert code == 0 and out == expected + "\n"


def test_verbose_details_go_to_stderr() -> None:
    code, out, err = _run("pathloss", "--scenario", "UMa", "--los", "--fc", "3.5", "--d2d",
                          "2000", "--hbs", "45", "--hut", "1.5", "--verbose")  # fmt: skip
    assert code == 0
    assert out.count("\n") == 1
    assert "breakpoint" in err and "PL2" in err and "extrapolation" in err


def test_out_of_range_exits_1_with_zh_and_en() -> None:
    code, out, err = _run("pathloss", "--scenario", "UMa", "--los", "--fc", "3.5", "--d2d",
                          "5", "--hbs", "25", "--hut", "1.5")  # fmt: skip
    assert code == 1 and out == ""
    assert "ZG-RADIO-002" in err
    assert "超出" in err and "outside" in err and "d2d = 5" in err and "[10, 5000]" in err


def test_unknown_scenario_and_random_he_exit_1() -> None:
    code, _out, err = _run("pathloss", "--scenario", "SMa", "--los", "--fc", "3.5", "--d2d",
                           "100", "--hbs", "25", "--hut", "1.5")  # fmt: skip
    assert code == 1 and "ZG-RADIO-003" in err
    args = ["pathloss", "--scenario", "UMa", "--los", "--fc", "3.5", "--d2d", "1000",
            "--hbs", "25", "--hut", "20"]  # fmt: skip
    code, _out, err = _run(*args)
    assert code == 1 and "ZG-RADIO-005" in err and "--seed" in err
    first = _run(*args, "--seed", "4")
    assert first[0] == 0 and first == _run(*args, "--seed", "4")  # reproducible
    # a fixed hE = 1 m: d'BP = 4·24·19·3.5e9/3e8 = 21 280 m, so PL1 at d3D = √(1000² + 5²)
    hand = 28 + 22 * log10(math.sqrt(1000**2 + 5**2)) + 20 * log10(3.5)
    assert _run(*args, "--he", "1")[1] == f"{hand:.4f}\n"


def test_los_or_nlos_is_required() -> None:
    code, out, _err = _run("pathloss", "--scenario", "UMa", "--fc", "3.5", "--d2d", "100",
                           "--hbs", "25", "--hut", "1.5")  # fmt: skip
    assert code == 2 and out == ""


def test_bands_lists_the_four_bands() -> None:
    code, out, _err = _run("bands")
    assert code == 0
    for name in ("n78", "n41", "n28", "n79"):
        assert name in out
    code, out, _err = _run("bands", "--json")
    rows = json.loads(out)
    assert [r["band"] for r in rows] == ["n78", "n41", "n28", "n79"]
    assert rows[0]["n_prb"] == 273 and rows[2]["scs_khz"] == 15


def test_radio_error_codes_are_unique_shaped_and_bilingual() -> None:
    classes = [
        obj
        for _n, obj in inspect.getmembers(radio_errors, inspect.isclass)
        if issubclass(obj, ZhiguoError) and obj.__module__ == radio_errors.__name__
    ]
    codes = [c.code for c in classes]
    assert len(classes) == 5 and len(set(codes)) == len(codes)
    assert all(re.fullmatch(r"ZG-RADIO-\d{3}", c) for c in codes)
    assert all(c.title_zh != c.title_en for c in classes)
    doc = radio_errors.__doc__ or ""
    assert all(c.__name__ in doc and c.code in doc for c in classes)
