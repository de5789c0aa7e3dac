"""Machine settings: a wrong value in the environment or .env is one Spanish line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pixely_benefits.errors import ConfigurationError
from pixely_benefits.settings import get_settings


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("PIXELY_NOW", "mañana", "PIXELY_NOW debe ser una fecha y hora"),
        ("PIXELY_GOOGLE_RETRY_SECONDS", "abc", "PIXELY_GOOGLE_RETRY_SECONDS debe"),
        ("PIXELY_GOOGLE_RETRY_SECONDS", "-3", "mayor que 0"),
    ],
)
def test_a_bad_variable_is_named_without_its_value(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, expected: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigurationError) as raised:
        get_settings()
    assert expected in raised.value.message
    assert value not in raised.value.message


def test_a_bad_dotenv_stops_a_command_with_one_line(
    cli: Any, demo_xlsx: Path, tmp_path: Path
) -> None:
    (tmp_path / ".env").write_text("PIXELY_NOW=mañana\n", encoding="utf-8")
    result = cli("--sheet", str(demo_xlsx), "eligible")
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("Error: Una variable de configuración no es válida")
    assert "PIXELY_NOW" in lines[0] and "mañana" not in lines[0]


def variables() -> list[str]:
    """Every variable pixely reads, as its settings describe it."""
    from pixely_benefits.settings import Settings

    names: list[str] = []
    for field in Settings.model_fields.values():
        assert field.description, field
        names += [n for n in field.description.split(":")[0].split(" or ")]
    return names


@pytest.mark.parametrize("document", ["README.md", ".env.example"])
def test_every_variable_is_documented(document: str) -> None:
    text = (Path(__file__).parent.parent / document).read_text(encoding="utf-8")
    missing = [name for name in variables() if name not in text]
    assert missing == []
    assert "PIXELY_MAIL_REPLY_TO" in variables()
