"""What PHP clients, PDO and spreadsheets send for integers, metadata and codes
(issue 12: client encodings, identity of codes, errors that point the right way)."""

from __future__ import annotations

import unicodedata
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from padron.customers.codes import normalise_code
from padron.ids import current_year
from tests.conftest import Api

JSON = {"Content-Type": "application/json"}

#: Every borderline value of an integer field and what padron decides (API.md,
#: docs/api.md "Integer fields"): the stored integer, or the error code.
INTEGER_CASES: list[tuple[str, Any, Any]] = [
    ("gender", 2, 2),
    ("gender", "2", 2),
    ("gender", 2.0, 2),
    ("gender", "2.0", 2),
    ("gender", " 2 ", 2),
    ("gender", "02", 2),
    ("gender", -0.0, 0),
    ("gender", "2.5", "invalid_type"),
    ("gender", 2.5, "invalid_type"),
    ("gender", True, "invalid_type"),
    ("gender", "0x10", "invalid_type"),
    ("gender", "+2", "invalid_type"),
    ("gender", "-1", "invalid_type"),
    ("gender", "1e0", "invalid_type"),
    ("gender", "２", "invalid_type"),
    ("gender", "", "invalid_type"),
    ("gender", "two", "invalid_type"),
    ("gender", [2], "invalid_type"),
    ("gender", 4, "out_of_range"),
    ("gender", "4", "out_of_range"),
    ("gender", 1e3, "out_of_range"),
    ("gender", 10**30, "out_of_range"),
    ("gender", "9" * 5000, "out_of_range"),
    ("yearBorn", 1990, 1990),
    ("yearBorn", "1990", 1990),
    ("yearBorn", 1990.0, 1990),
    ("yearBorn", "1990.0", 1990),
    ("yearBorn", " 1990 ", 1990),
    ("yearBorn", 1.99e3, 1990),
    ("yearBorn", "１９９０", "invalid_type"),
    ("yearBorn", "1990.5", "invalid_type"),
    ("yearBorn", 1990.5, "invalid_type"),
    ("yearBorn", False, "invalid_type"),
    ("yearBorn", "0x7C6", "invalid_type"),
    ("yearBorn", "+1990", "invalid_type"),
    ("yearBorn", "1e3", "invalid_type"),
    ("yearBorn", "1990 1991", "invalid_type"),
    ("yearBorn", 1e3, "out_of_range"),
    ("yearBorn", "1899", "out_of_range"),
    ("yearBorn", str(current_year() + 1), "out_of_range"),
    ("yearBorn", 1e308, "out_of_range"),
    ("yearBorn", "1" * 30, "out_of_range"),
]


def _errors(r: Any) -> dict[str, dict[str, Any]]:
    assert r.status_code == 400, r.text
    (element,) = r.json()
    return {fe["payload"]["field"]: fe["payload"] for fe in element["payload"]["fieldErrors"]}


def test_integer_fields_take_digit_strings_and_zero_fractions_and_nothing_else(api: Api) -> None:
    for i, (field, sent, expected) in enumerate(INTEGER_CASES):
        r = api.post({"code": f"int-{i}", field: sent})
        if isinstance(expected, int):
            assert r.status_code == 201, (field, sent, r.text)
            stored = r.json()["payload"][field]
            assert stored == expected and type(stored) is int, (field, sent, stored)
        else:
            errors = _errors(r)
            assert errors[field]["code"] == expected, (field, sent, errors)
            described = errors[field]["description"]
            assert "send" in described or "must be" in described, described


def test_a_huge_number_in_json_is_out_of_range_not_a_crash(api: Api) -> None:
    raw = b'{"code": "big", "yearBorn": 1e400, "gender": 123456789012345678901234567890}'
    r = api.client.post("/customers", content=raw, headers={**api.headers, **JSON})
    errors = _errors(r)
    assert errors["yearBorn"]["code"] == "out_of_range"
    assert errors["gender"]["code"] == "out_of_range"


# PHP's json_encode(['code' => 'p1', 'metadata' => []]) and, with the SDK's default
# flags, '/' as '\/' and non-ASCII as \uXXXX escapes.
PHP_BODY = b'{"code":"p1","metadata":[]}'
PHP_ESCAPED = (
    b'{"code":"shop\\/p\\u00e9","metadata":[],"city":"M\\u00fcnchen","country":"DE",'
    b'"gender":"2","yearBorn":"1990"}'
)


def test_the_php_sdks_empty_array_is_empty_metadata(api: Api) -> None:
    r = api.client.post("/customers", content=PHP_BODY, headers={**api.headers, **JSON})
    assert r.status_code == 201, r.text
    assert r.json()["payload"]["metadata"] == {}
    assert api.get(code="p1").json()["payload"]["metadata"] == {}


def test_the_php_sdks_escaped_body_is_taken_as_the_characters_it_escapes(api: Api) -> None:
    r = api.client.post("/customers", content=PHP_ESCAPED, headers={**api.headers, **JSON})
    assert r.status_code == 201, r.text
    payload = r.json()["payload"]
    assert payload["code"] == "shop/pé"
    assert payload["metadata"] == {}
    assert (payload["gender"], payload["yearBorn"], payload["country"]) == (2, 1990, "DEU")


def test_only_the_empty_array_is_taken_for_metadata(api: Api) -> None:
    assert _errors(api.post({"code": "m", "metadata": [1]}))["metadata"]["code"] == "invalid_type"
    assert _errors(api.post({"code": "m", "metadata": [[]]}))["metadata"]["code"] == "invalid_type"
    assert _errors(api.post({"code": "m", "metadata": ""}))["metadata"]["code"] == "invalid_type"


# -- identity of codes --------------------------------------------------------

NFC = unicodedata.normalize("NFC", "José-1")
NFD = unicodedata.normalize("NFD", "José-1")


def test_a_code_in_nfd_and_in_nfc_is_one_customer(api: Api) -> None:
    assert NFC != NFD
    first = api.post({"code": NFD, "gender": 1})
    assert first.status_code == 201, first.text
    assert first.json()["payload"]["code"] == NFC
    second = api.post({"code": NFC, "gender": 2})
    assert second.status_code == 200, second.text
    assert second.json()["id"] == first.json()["id"]
    for code in (NFC, NFD, f" {NFD}\t"):
        got = api.get(code=code)
        assert got.status_code == 200, code
        assert got.json()["payload"] == {**second.json()["payload"], "code": NFC}
    assert api.delete(code=NFD).json()["deleted"] is True
    assert api.get(code=NFC).status_code == 404


def test_spaces_around_a_code_are_not_part_of_it(api: Api) -> None:
    created = api.post({"code": " N-5 ", "yearBorn": 1980})
    assert created.status_code == 201
    assert created.json()["payload"]["code"] == "N-5"
    again = api.post([{"code": "N-5"}, {"code": "\u00a0N-5\u3000"}])
    assert again.status_code == 200
    assert again.json()["payload"]["unchanged"] == 2
    assert api.get(code=" N-5 ").json()["id"] == created.json()["id"]


def test_compatibility_only_differences_stay_different_codes(api: Api) -> None:
    # NFKC would make these one code; padron applies canonical equivalence only.
    for code in ("ﬁ-1", "fi-1", "１２", "12", "x²", "x2"):
        assert api.post({"code": code}).status_code == 201, code
    assert api.get(code="１２").json()["payload"]["code"] == "１２"


CONTROL_CODES = ["a\x01b", "a\x7fb", "\x8aibenik", "x\x9f", "a\x85", "a\x1cb", "a\tb", "a\nb"]


@pytest.mark.parametrize("field", ["code", "country", "state", "city"])
def test_control_characters_in_codes_and_places_are_refused(api: Api, field: str) -> None:
    for i, bad in enumerate(CONTROL_CODES):
        body = {"code": f"ctl-{i}", field: bad}
        errors = _errors(api.post(body))
        assert errors[field]["code"] == "invalid_value", (bad, errors)
        assert "control character U+" in errors[field]["description"]
    assert api.runtime.store.count_customers(api.runtime.access.project("shop").id) == 0


def test_white_space_around_a_place_is_not_a_control_character(api: Api) -> None:
    r = api.post({"code": "ws", "country": "\tSpain\n", "city": " Zzyzx Nowhere\r\n"})
    assert r.status_code == 201, r.text
    assert r.json()["payload"]["country"] == "ESP"


def test_customer_code_is_named_in_every_rejection_where_it_is_known(api: Api) -> None:
    long_code = "é" * 300
    r = api.post([{"code": long_code}, {"code": "ok\x01"}, {"code": "  k1 ", "gender": 9}])
    assert r.status_code == 400
    by_index = {e["payload"]["index"]: e["payload"] for e in r.json()}
    assert by_index[0]["customerCode"] == "é" * 255
    assert by_index[0]["fieldErrors"][0]["payload"]["code"] == "too_long"
    assert "at most 255" in by_index[0]["fieldErrors"][0]["payload"]["description"]
    assert by_index[1]["customerCode"] == "ok\x01"
    assert by_index[2]["customerCode"] == "k1"


@given(st.text())
def test_normalising_a_code_twice_changes_nothing(text: str) -> None:
    once = normalise_code(text)
    assert normalise_code(once) == once
    assert unicodedata.is_normalized("NFC", once)
    assert once == once.strip(" \t\r\n\u00a0\u2003\u3000")


def test_a_code_stored_as_sent_before_normalisation_stays_reachable(api: Api) -> None:
    # A database written by an earlier padron may hold a code in NFD or with spaces.
    from padron.customers.model import Customer
    from padron.ids import new_id, now

    store = api.runtime.store
    project = api.runtime.access.project("shop")
    old = Customer(
        id=new_id("cus"),
        project_id=project.id,
        code=f" {NFD}",
        created_at=now(),
        updated_at=now(),
        gender=3,
    )
    store.write_batch(project.id, [old.code], lambda stored: ([old], None))
    got = api.get(code=f" {NFD}")
    assert got.status_code == 200 and got.json()["id"] == old.id
    assert api.get(code=NFC).status_code == 404  # the stored text is not the NFC code
    assert api.delete(code=f" {NFD}").json()["id"] == old.id
    assert api.get(code=f" {NFD}").status_code == 404


#: Words that tell the client what to do; every 4xx description carries one.
INSTRUCTIONS = ("send", "remove", "use", "give", "format", "retry", "check", "percent-encode")

BAD_BODIES: list[bytes] = [
    b"{",
    b"\xff\xfe{}",
    b"[1]",
    b"NaN",
    b'{"code": "a", "code": "b"}',
    b'{"code": null}',
    b'{"code": true}',
    b'{"code": "  "}',
    b'{"code": "' + b"x" * 300 + b'"}',
    b'{"code": "a\\u0001"}',
    b'{"code": "c", "isActive": "yes"}',
    b'{"code": "c", "yearBorn": "\\uff11\\uff19\\uff19\\uff10", "gender": 7}',
    b'{"code": "c", "metadata": [1]}',
    b'{"code": "c", "metadata": {"x": "' + b"y" * 60_001 + b'"}}',
    b'{"code": "c", "yearborn": 1990, "nickname": "x"}',
    b'{"code": "c", "city": "Par\\u0085is"}',
]


def _descriptions(body: Any) -> list[str]:
    items = body if isinstance(body, list) else [body]
    out = []
    for item in items:
        payload = item["payload"]
        out.append(payload["description"])
        out += [fe["payload"]["description"] for fe in payload.get("fieldErrors", [])]
    return out


def test_every_description_of_a_refused_body_says_what_to_change(api: Api) -> None:
    for raw in BAD_BODIES:
        r = api.client.post("/customers", content=raw, headers={**api.headers, **JSON})
        assert 400 <= r.status_code < 500, raw[:60]
        for text in _descriptions(r.json()):
            if text.endswith(("field is invalid", "fields are invalid")):
                continue  # the summary line; its field errors carry the advice
            assert any(word in text for word in INSTRUCTIONS), (raw[:60], text)
