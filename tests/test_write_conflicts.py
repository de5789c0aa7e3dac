"""What a write says when its rows do not match the sheet, on every backend."""

from __future__ import annotations

import pytest

from pixely_benefits.errors import WriteConflictError
from pixely_benefits.sheet import open_store
from pixely_benefits.sheet.base import ChangeSet, RowAppend, RowUpdate
from pixely_benefits.sheet.schema import DELIVERIES
from tests.conftest import SheetFactory, demo_rows


def test_a_key_repeated_at_write_time_does_not_say_the_sheet_changed(
    sheet: SheetFactory,
) -> None:
    tabs = demo_rows()
    tabs["Entregas"].append(list(tabs["Entregas"][1]))
    location = sheet.create(tabs)
    key = str(tabs["Entregas"][1][0])
    changes = ChangeSet(updates=[RowUpdate(DELIVERIES, key, {"Notas": "x"})])

    with pytest.raises(WriteConflictError) as raised:
        open_store(location).write(changes)

    assert raised.value.message == (
        f"No se escribió nada: «{key}» está repetido en «Entregas» (filas 2, "
        f"{len(tabs['Entregas'])}). Deja una sola fila con cada ID y vuelve a "
        "ejecutar el comando."
    )


def test_a_row_gone_at_write_time_says_the_sheet_changed(
    sheet: SheetFactory,
) -> None:
    location = sheet.create(demo_rows())
    changes = ChangeSet(
        updates=[RowUpdate(DELIVERIES, "no-existe", {"Notas": "x"})],
        appends=[RowAppend(DELIVERIES, {"ID": str(demo_rows()["Entregas"][1][0])})],
    )

    with pytest.raises(WriteConflictError) as raised:
        open_store(location).write(changes)

    assert raised.value.message.startswith(
        "La hoja cambió y no se escribió nada: «no-existe» ya no está en «Entregas»; "
    )
