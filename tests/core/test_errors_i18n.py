from __future__ import annotations

import inspect

import pytest

from zhiguo.core import errors
from zhiguo.core.errors import ImportRejected, Location, NotFound, Problem, ZhiguoError
from zhiguo.core.i18n import MESSAGES, normalise_lang, t


def _error_classes() -> list[type[ZhiguoError]]:
    return [
        obj
        for _name, obj in inspect.getmembers(errors, inspect.isclass)
        if issubclass(obj, ZhiguoError)
    ]


def test_error_codes_are_unique_and_shaped() -> None:
    from zhiguo.core.backup import errors as backup_errors
    from zhiguo.core.crypto import errors as crypto_errors
    from zhiguo.operations.radio import errors as radio_errors
    from zhiguo.registry import RULES
    from zhiguo.registry import errors as registry_errors
    from zhiguo.security import classification as classification_errors
    from zhiguo.security import errors as security_errors
    from zhiguo.security.audit import errors as audit_errors
    from zhiguo.supervision.alerts import errors as alert_errors
    from zhiguo.supervision.evaluation import errors as evaluation_errors
    from zhiguo.supervision.indicators import errors as indicator_errors
    from zhiguo.supervision.ledger import errors as ledger_errors
    from zhiguo.supervision.rectification import errors as rectification_errors
    from zhiguo.supervision.reports import errors as report_errors

    modules = (
        backup_errors,
        crypto_errors,
        radio_errors,
        registry_errors,
        security_errors,
        audit_errors,
        classification_errors,
        alert_errors,
        evaluation_errors,
        indicator_errors,
        ledger_errors,
        rectification_errors,
        report_errors,
    )
    classes = _error_classes() + [
        obj
        for module in modules
        for _n, obj in inspect.getmembers(module, inspect.isclass)
        if issubclass(obj, ZhiguoError) and obj.__module__ == module.__name__
    ]
    codes = [cls.code for cls in classes] + [code for code, _zh, _en in RULES.values()]
    assert len(codes) == len(set(codes))
    assert all(code.startswith("ZG-") for code in codes)


@pytest.mark.parametrize("cls", _error_classes())
def test_every_error_has_both_languages(cls: type[ZhiguoError]) -> None:
    assert cls.title_zh and cls.title_en and cls.title_zh != cls.title_en


def test_the_docstring_tree_lists_every_core_error() -> None:
    doc = errors.__doc__ or ""
    for cls in _error_classes():
        assert cls.__name__ in doc and cls.code in doc, cls.__name__


def test_message_includes_location_in_each_language() -> None:
    exc = NotFound("未找到", "missing", location=Location(file="a.xlsx", sheet="企业", row=4))
    assert "第 4 行" in exc.message("zh") and "工作表 企业" in exc.message("zh")
    assert "row 4" in exc.message("en") and "sheet 企业" in exc.message("en")


def test_import_rejected_counts_errors_not_warnings() -> None:
    problems = [
        Problem("ZG-X-1", "r", "错", "bad", Location(row=2)),
        Problem("ZG-X-2", "w", "警", "warn", Location(row=3), severity="warning"),
    ]
    exc = ImportRejected(problems, file="f.csv")
    assert "1 error" in exc.message_en
    assert len(exc.details["problems"]) == 2


def test_catalogues_have_the_same_keys() -> None:
    assert set(MESSAGES["zh"]) == set(MESSAGES["en"])


def test_language_negotiation_and_fallback() -> None:
    assert normalise_lang("en-US") == "en"
    assert normalise_lang("zh_Hans_CN") == "zh"
    assert normalise_lang("fr") == "zh"
    assert normalise_lang(None) == "zh"
    assert t("login.title", "en") == "Log in"
    assert t("login.title") == "登录"
    assert t("no.such.key", "en") == "no.such.key"
