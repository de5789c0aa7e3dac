"""Commands that point to another command keep the sheet the user named."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.conftest import demo_rows, write_xlsx


def test_explain_points_to_check_on_the_same_sheet(cli: Any, tmp_path: Path) -> None:
    tabs = demo_rows()
    tabs["Suscripciones"].append(["001", "31/02/2026", None, None])
    sheet = write_xlsx(tmp_path / "otra hoja.xlsx", tabs)

    result = cli("--sheet", str(sheet), "explain", "001", "--month", "2026-12")

    assert result.exit_code == 0
    assert f"pixely --sheet '{sheet}' check" in " ".join(result.stderr.split())
