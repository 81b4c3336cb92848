"""padron.client's reading side against a real ``padron serve``: every page of
the list, the change feed from a cursor, and following it."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from padron.client import Client, PadronError, ValidationFailed
from tests.serving import Server

pytestmark = pytest.mark.slow


@pytest.fixture
def client(server: tuple[Server, str, str]) -> Iterator[Client]:
    with Client(server[0].url, server[1]) as c:
        yield c


def test_iter_customers_walks_every_page_with_filters(client: Client) -> None:
    client.customers.ingest([{"code": f"rd-{i:02d}", "country": "Spain"} for i in range(25)])
    client.customers.ingest({"code": "rd-fr", "country": "France", "isActive": False})
    got = [c.code for c in client.customers.iter_customers(code_prefix="rd-", page_size=7)]
    assert got == [f"rd-{i:02d}" for i in range(25)] + ["rd-fr"]
    spain = list(client.customers.iter_customers(code_prefix="rd-", country="ES", page_size=10))
    assert len(spain) == 25 and {c.country for c in spain} == {"ESP"}
    inactive = client.customers.iter_customers(code_prefix="rd-", is_active=False)
    assert [c.code for c in inactive] == ["rd-fr"]
    with pytest.raises(ValidationFailed):
        list(client.customers.iter_customers(country="Narnia"))
    with pytest.raises(TypeError):
        list(client.customers.iter_customers(colour="red"))


def test_iter_changes_resumes_and_follows(client: Client) -> None:
    start = client.customers.latest_cursor()
    client.customers.ingest({"code": "ch-1", "gender": 1})
    client.customers.ingest({"code": "ch-1", "gender": 2})
    client.customers.delete(code="ch-1")
    stream = client.customers.iter_changes(after=start, page_size=2)
    seen = [(c.type, c.customer_code) for c in stream]
    assert seen == [("created", "ch-1"), ("updated", "ch-1"), ("deleted", "ch-1")]
    assert list(client.customers.iter_changes(after=stream.cursor)) == []

    def write_later() -> None:
        time.sleep(0.3)
        client.customers.ingest({"code": "ch-2"})

    writer = threading.Thread(target=write_later)
    writer.start()
    follow = client.customers.iter_changes(after=stream.cursor, follow=True, wait=5)
    change = next(iter(follow))
    writer.join()
    assert (change.type, change.customer_code) == ("created", "ch-2")
    assert change.customer is not None and change.customer.code == "ch-2"
    with pytest.raises(PadronError) as bad:
        list(client.customers.iter_changes(after="tampered"))
    assert bad.value.status == 400 and bad.value.code == "invalid_cursor"
