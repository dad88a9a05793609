"""The error catalogue is complete, and the kernel stays pure."""

import ast
import string
from pathlib import Path

from setledger import errors

KERNEL = Path(__file__).resolve().parents[2] / "setledger"


def test_error_codes_are_unique_and_actionable() -> None:
    codes = [spec.code for spec in errors.CATALOGUE]
    assert len(codes) == len(set(codes))
    assert len(codes) > 30
    for spec in errors.CATALOGUE:
        assert spec.code.isupper()
        assert spec.message.strip()
        assert spec.remediation.strip()


def test_no_error_is_defined_twice() -> None:
    # A second assignment would silently replace the first spec (and its message).
    tree = ast.parse((KERNEL / "errors.py").read_text())
    names = [
        target.id
        for node in tree.body
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Name) and target.id.isupper()
    ]
    assert sorted({n for n in names if names.count(n) > 1}) == []


def test_error_codes_are_unique_across_the_product() -> None:
    # Specs also live beside their feature (bank, e-invoice, receipts); a code
    # means one thing wherever the client meets it.
    root = KERNEL.parent
    codes: list[str] = []
    for package in ("setledger", "edge", "hub"):
        for path in (root / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                if (
                    isinstance(node, ast.Call)
                    and getattr(node.func, "id", None) == "ErrorSpec"
                    and node.args
                    and isinstance(node.args[0], ast.Constant)
                ):
                    codes.append(str(node.args[0].value))
    assert len(codes) > len(errors.CATALOGUE)  # the feature modules were read
    assert sorted({c for c in codes if codes.count(c) > 1}) == []


def test_error_messages_fill_from_their_details() -> None:
    for spec in errors.CATALOGUE:
        fields = {
            name.split("!")[0] for _, name, _, _ in string.Formatter().parse(spec.message) if name
        }
        err = spec.error(**{name: f"<{name}>" for name in fields})
        assert "{" not in err.message, spec.code
        body = err.body("corr-1")["error"]
        assert body["code"] == spec.code
        assert body["correlation_id"] == "corr-1"
        assert body["remediation"] == spec.remediation


FORBIDDEN_MODULES = {
    "sqlite3", "socket", "subprocess", "http", "urllib", "asyncio", "shutil", "requests",
    "httpx", "fastapi", "starlette", "sqlalchemy", "sqlmodel", "psycopg", "paho", "logging",
    "edge", "hub", "appkit", "ops", "pathlib", "io", "tempfile",
}  # fmt: skip


def test_the_kernel_imports_no_io() -> None:
    offenders = []
    for path in KERNEL.rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Call) and getattr(node.func, "id", None) == "open":
                offenders.append(f"{path.name}: open()")
            for name in names:
                if name.split(".")[0] in FORBIDDEN_MODULES:
                    offenders.append(f"{path.name}: import {name}")
    assert offenders == []


def test_the_kernel_has_no_float_literals() -> None:
    floats = []
    for path in KERNEL.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, float):
                floats.append(f"{path.name}:{node.lineno}")
    assert floats == []
