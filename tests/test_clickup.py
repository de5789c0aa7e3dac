"""The ClickUp client against a fake ClickUp on loopback: requests, auth, limits, errors."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest

from pixely_benefits.clickup import ClickUp, ClickUpError, due_millis, task_id_from
from tests.fake_clickup import TOKEN, FakeClickUp

START = 1_800_000_000.0


class FakeClock:
    """Time that moves only when the client sleeps; shared with the fake server."""

    def __init__(self) -> None:
        self.now = START
        self.waits: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def fake(clock: FakeClock) -> Iterator[FakeClickUp]:
    server = FakeClickUp(clock=clock)
    server.add_task("86abc123", "Panadería La Espiga")
    with server.running():
        yield server


def client(
    fake: FakeClickUp, clock: FakeClock, token: str = TOKEN, **options: float
) -> ClickUp:
    return ClickUp(token, fake.url, sleep=clock.sleep, clock=clock, **options)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("86abc123", "86abc123"),
        ("  86abc123 ", "86abc123"),
        ("#86abc123", "86abc123"),
        ("https://app.clickup.com/t/86abc123", "86abc123"),
        ("https://app.clickup.com/t/86abc123/", "86abc123"),
        ("https://app.clickup.com/t/86abc123?comment=90", "86abc123"),
        ("https://app.clickup.com/t/9011234/86abc123", "86abc123"),
        ("http://sharing.clickup.com/t/86abc123#x", "86abc123"),
        ("https://example.com/t/86abc123", None),
        ("tarea de Lucía", None),
        ("PROJ-123", None),
        ("", None),
    ],
)
def test_task_id_from_reads_ids_and_task_links(cell: str, expected: str | None) -> None:
    assert task_id_from(cell) == expected


def test_due_date_is_noon_utc_in_milliseconds() -> None:
    millis = due_millis(date(2026, 12, 23))
    assert millis % 1000 == 0
    assert datetime.fromtimestamp(millis / 1000, UTC) == datetime(
        2026, 12, 23, 12, tzinfo=UTC
    )


def test_user_and_list_send_the_personal_token_as_it_is(
    fake: FakeClickUp, clock: FakeClock
) -> None:
    api = client(fake, clock)
    assert api.user() == "Lucía Pixely"
    assert api.list_name("901") == "Clientes Pixely"
    assert [(c.method, c.path) for c in fake.calls] == [
        ("GET", "/api/v2/user"),
        ("GET", "/api/v2/list/901"),
    ]
    assert {c.authorization for c in fake.calls} == {TOKEN}


def test_create_task_and_comment_send_clickup_shaped_bodies(
    fake: FakeClickUp, clock: FakeClock
) -> None:
    api = client(fake, clock)
    task = api.create_task(
        "901", "Café Aroma", "Beneficio: Estudio", date(2026, 12, 23)
    )
    assert task.task_id == "86c00002"
    assert task.url == "https://app.clickup.com/t/86c00002"
    assert fake.calls[0].body == {
        "name": "Café Aroma",
        "description": "Beneficio: Estudio",
        "due_date": due_millis(date(2026, 12, 23)),
        "due_date_time": False,
    }
    assert api.comment(task.task_id, "Aviso enviado") == "90001"
    assert fake.calls[1].path == "/api/v2/task/86c00002/comment"
    assert fake.calls[1].body == {"comment_text": "Aviso enviado", "notify_all": False}
    assert fake.comments == [("86c00002", "Aviso enviado")]
    assert api.task("86c00002").name == "Café Aroma"


def test_a_refused_token_is_named_but_never_shown(
    fake: FakeClickUp, clock: FakeClock
) -> None:
    secret = "pk_999_WRONGTOKEN"
    with pytest.raises(ClickUpError) as caught:
        client(fake, clock, token=secret).user()
    assert caught.value.status == 401
    assert caught.value.stops_run
    assert "PIXELY_CLICKUP_TOKEN" in caught.value.message
    assert secret not in caught.value.message
    assert fake.calls[0].authorization == secret


def test_429_waits_until_the_reset_and_repeats(
    fake: FakeClickUp, clock: FakeClock
) -> None:
    fake.fail(429, times=2, reset_in=20)
    api = client(fake, clock)
    assert api.comment("86abc123", "Beneficio entregado") == "90001"
    assert clock.waits == [21.0, 21.0]  # until the reset, plus a second of rounding
    assert len(fake.calls) == 3
    assert fake.comments == [("86abc123", "Beneficio entregado")]


def test_429_that_never_ends_is_bounded(fake: FakeClickUp, clock: FakeClock) -> None:
    fake.fail(429, times=99, reset_in=3600)
    api = client(fake, clock, max_wait=30, attempts=3)
    with pytest.raises(ClickUpError) as caught:
        api.comment("86abc123", "hola")
    assert caught.value.status == 429
    assert caught.value.stops_run
    assert clock.waits == [30.0, 30.0]
    assert len(fake.calls) == 3
    assert fake.comments == []


def test_an_exhausted_window_is_waited_for_before_the_next_request(
    clock: FakeClock,
) -> None:
    server = FakeClickUp(clock=clock, limit=2)
    server.add_task("86abc123", "Panadería")
    with server.running():
        api = client(server, clock)
        for n in range(3):
            api.comment("86abc123", f"comentario {n}")
    assert clock.waits == [61.0]  # the window of 60 s opened at START, one of rounding
    assert [c for c in server.calls if c.authorization != TOKEN] == []
    assert len(server.calls) == 3  # no request was refused with 429
    assert [t for _, t in server.comments] == [
        "comentario 0",
        "comentario 1",
        "comentario 2",
    ]


def test_server_errors_are_not_repeated(fake: FakeClickUp, clock: FakeClock) -> None:
    fake.fail(500)
    with pytest.raises(ClickUpError) as caught:
        client(fake, clock).comment("86abc123", "hola")
    assert caught.value.status == 500
    assert caught.value.stops_run
    assert "próxima ejecución" in caught.value.message
    assert len(fake.calls) == 1
    assert clock.waits == []


@pytest.mark.parametrize(
    ("call", "status", "words"),
    [
        (
            lambda api: api.comment("nope1", "hola"),
            404,
            "no encuentra la tarea «nope1»",
        ),
        (lambda api: api.task("nope1"), 404, "no encuentra la tarea «nope1»"),
        (lambda api: api.list_name("777"), 404, "no encuentra la lista «777»"),
        (lambda api: api.create_task("901", " ", "", None), 400, "rechazó"),
    ],
)
def test_a_fault_of_one_task_or_list_does_not_stop_the_run(
    fake: FakeClickUp, clock: FakeClock, call: object, status: int, words: str
) -> None:
    with pytest.raises(ClickUpError) as caught:
        call(client(fake, clock))  # type: ignore[operator]
    assert caught.value.status == status
    assert not caught.value.stops_run
    assert words in caught.value.message


def test_an_unreachable_server_is_a_clear_error(clock: FakeClock) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    api = ClickUp(
        TOKEN, f"http://127.0.0.1:{port}/api/v2", sleep=clock.sleep, clock=clock
    )
    with pytest.raises(ClickUpError) as caught:
        api.user()
    assert caught.value.status is None
    assert caught.value.stops_run
    assert "No se pudo conectar con ClickUp" in caught.value.message
