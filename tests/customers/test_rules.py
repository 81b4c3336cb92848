"""The field rules of one customer object (API.md, "Field rules"), called
directly: each test names the rule it pins, so a failure points at the rule
and not at an HTTP envelope. Descriptions are checked too: they are what a
client's developer reads."""

from __future__ import annotations

import json
from typing import Any

import pytest

from padron.customers.decode import decode_json
from padron.customers.rules import (
    MAX_CODE,
    MAX_LOCATION,
    MAX_METADATA,
    MAX_METADATA_DEPTH,
    MIN_YEAR,
    Problem,
    check,
    check_places,
    sent_code,
    storable,
)
from padron.geo.types import OMITTED
from padron.ids import current_year


def obj(**fields: Any) -> tuple[tuple[str, Any], ...]:
    """A customer object as the decoder hands it over (objects as pairs)."""
    return tuple(decode_json(json.dumps(fields).encode()))


def problems_of(**fields: Any) -> list[Problem]:
    return check(obj(**fields))[2]


def only_problem(**fields: Any) -> Problem:
    problems = problems_of(**fields)
    assert len(problems) == 1, problems
    return problems[0]


# -- code ----------------------------------------------------------------------


def test_a_valid_customer_has_no_problems_and_its_code() -> None:
    patch, code, problems = check(obj(code="C1"))
    assert problems == [] and code == "C1" and patch.code == "C1"
    assert patch.values == {} and not patch.touches_location


def test_code_is_required() -> None:
    assert only_problem(gender=1) == Problem(
        "code", "required", "code is required; send the customer's code"
    )
    assert only_problem(code=None) == Problem(
        "code", "required", "code is required and may not be null; send the code"
    )


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (True, "a boolean"),
        ([1], "an array"),
        ({"a": 1}, "an object"),
        (1.5, "a number with a fraction"),
    ],
)
def test_code_must_be_a_string(value: Any, shown: str) -> None:
    assert only_problem(code=value) == Problem(
        "code",
        "invalid_type",
        f"code must be a string (or an integer), not {shown}; send the code as a string",
    )


def test_an_integer_code_is_taken_as_its_digits() -> None:
    patch, code, problems = check(obj(code=42))
    assert (code, patch.code, problems) == ("42", "42", [])


def test_code_may_not_be_blank() -> None:
    for blank in ("", "   ", "\t\n"):
        assert only_problem(code=blank) == Problem(
            "code", "invalid_value", "code may not be empty or blank; send the code"
        )


def test_code_length_limit_is_inclusive() -> None:
    assert check(obj(code="c" * MAX_CODE))[2] == []
    assert only_problem(code="c" * (MAX_CODE + 1)) == Problem(
        "code", "too_long", f"code has {MAX_CODE + 1} characters; send at most {MAX_CODE}"
    )


def test_code_that_no_database_can_store() -> None:
    assert only_problem(code="a\x00b") == Problem(
        "code",
        "invalid_value",
        "code contains the control character U+0000 (character 2); remove it",
    )
    lone = check((("code", "a\ud800"),))[2]
    assert lone == [
        Problem(
            "code",
            "invalid_value",
            "code contains a lone surrogate (not valid Unicode); send valid UTF-8 text",
        )
    ]


def test_c1_characters_are_named_with_their_likely_cause() -> None:
    why = "(a C1 character usually means Windows-1252 text decoded as Latin-1)"
    assert only_problem(code="a\x9f") == Problem(
        "code",
        "invalid_value",
        f"code contains the control character U+009F (character 2); remove it {why}",
    )
    # DEL (U+007F) is a control character, but no sign of a Windows-1252 mix-up
    assert only_problem(code="ab\x7f").description == (
        "code contains the control character U+007F (character 3); remove it"
    )


def test_a_bad_code_is_not_known_but_the_rest_is_still_checked() -> None:
    patch, code, problems = check(obj(code=True, gender=9))
    assert code is None and patch.code == ""
    assert [p.field for p in problems] == ["code", "gender"]


# -- keys of the object ----------------------------------------------------------


def test_an_unknown_field_with_a_near_name_gets_a_hint() -> None:
    assert only_problem(code="c", yearborn=1990) == Problem(
        "yearborn",
        "unknown_field",
        "unknown field 'yearborn'; did you mean 'yearBorn'? send it as 'yearBorn'",
    )


def test_an_unknown_field_without_a_near_name_gets_no_hint() -> None:
    assert only_problem(code="c", zip="08001") == Problem(
        "zip",
        "unknown_field",
        "unknown field 'zip'; remove it (the fields are code, isActive, country, state, "
        "city, yearBorn, gender, metadata)",
    )


def test_a_long_unknown_field_is_cut_in_the_answer() -> None:
    name = "x" * 100
    problem = only_problem(code="c", **{name: 1})
    shown = "x" * 64 + "…"
    assert problem.field == shown and problem.code == "unknown_field"
    assert problem.description.startswith(f"unknown field {shown!r}; remove it")
    assert check(obj(code="c", **{"x" * 64: 1}))[2][0].field == "x" * 64
    assert check(obj(code="c", **{"x" * 65: 1}))[2][0].field == "x" * 64 + "…"


def test_a_field_sent_twice_is_refused_and_the_last_value_counts() -> None:
    _, code, problems = check((("code", "a"), ("gender", 1), ("code", "b")))
    assert problems == [
        Problem("code", "invalid_value", "'code' is sent twice in one customer; send it once")
    ]
    assert code == "b"


# -- isActive, yearBorn, gender -----------------------------------------------------


def test_is_active() -> None:
    for value in (True, False, None):
        patch, _, problems = check(obj(code="c", isActive=value))
        assert problems == [] and patch.values == {"isActive": value}
    assert only_problem(code="c", isActive="yes") == Problem(
        "isActive",
        "invalid_type",
        "isActive must be true, false or null, not a string; send one of them",
    )
    assert "not an integer;" in only_problem(code="c", isActive=1).description


def test_year_born_range_is_inclusive() -> None:
    last = current_year()
    for year in (MIN_YEAR, last, 1990):
        patch, _, problems = check(obj(code="c", yearBorn=year))
        assert problems == [] and patch.values == {"yearBorn": year}
    for year in (MIN_YEAR - 1, last + 1):
        assert only_problem(code="c", yearBorn=year) == Problem(
            "yearBorn",
            "out_of_range",
            f"yearBorn {year} is outside {MIN_YEAR}–{last}; send a year in that range, or null",
        )


def test_year_born_as_digits() -> None:
    for sent in ("1990", " 1990 ", "01990", "1990.0", 1990.0, 1.99e3):
        patch, _, problems = check(obj(code="c", yearBorn=sent))
        assert problems == [] and patch.values == {"yearBorn": 1990}, sent
    assert check(obj(code="c", yearBorn=None))[0].values == {"yearBorn": None}
    assert only_problem(code="c", yearBorn="19x0") == Problem(
        "yearBorn",
        "invalid_type",
        "yearBorn must be a whole year, not '19x0'; send it as an integer such as 1990 "
        "(or a string of the digits 0-9), or null",
    )
    for refused in ("１９９０", "+1990", "-1990", "1e3", "0x7c6", "", "1990.5", True, 1990.5):
        assert only_problem(code="c", yearBorn=refused).code == "invalid_type", refused
    assert "not a boolean;" in only_problem(code="c", yearBorn=True).description
    assert "not 1990.5;" in only_problem(code="c", yearBorn=1990.5).description
    # a whole number of any length is out of range, never converted in full; a
    # long one is cut in the description
    assert only_problem(code="c", yearBorn="1" * 40).description.startswith(
        "yearBorn '" + "1" * 40 + "' is outside"
    )
    assert only_problem(code="c", yearBorn="1" * 41).description.startswith(
        "yearBorn '" + "1" * 40 + "…' is outside"
    )
    for huge in (1e300, "9" * 5000):
        assert only_problem(code="c", yearBorn=huge).code == "out_of_range"
    [infinite] = check((("code", "c"), ("yearBorn", float("inf"))))[2]
    assert infinite.code == "out_of_range"


def test_gender() -> None:
    for value in (0, 1, 2, 3, None):
        patch, _, problems = check(obj(code="c", gender=value))
        assert problems == [] and patch.values == {"gender": value}
    for value in (-1, 4):
        assert only_problem(code="c", gender=value) == Problem(
            "gender",
            "out_of_range",
            f"gender {value} is not one of 0 (unknown), 1 (male), 2 (female), 3 (other); "
            "send one of them, or null",
        )
    for value in ("1", 1.0, " 1 ", "01"):
        patch, _, problems = check(obj(code="c", gender=value))
        assert problems == [] and patch.values == {"gender": 1}, value
    for value, shown in ((True, "a boolean"), ("x", "'x'"), (1.5, "1.5")):
        assert only_problem(code="c", gender=value) == Problem(
            "gender",
            "invalid_type",
            f"gender must be an integer 0–3, not {shown}; send 0 (unknown), 1 (male), "
            "2 (female), 3 (other) or null",
        )


# -- metadata -------------------------------------------------------------------------


def test_metadata_is_kept_as_compact_json() -> None:
    patch, _, problems = check(obj(code="c", metadata={"a": [1, 2.5, None, "é"], "b": {}}))
    assert problems == []
    assert patch.values == {"metadata": '{"a":[1,2.5,null,"é"],"b":{}}'}
    assert check(obj(code="c", metadata=None))[0].values == {"metadata": None}


@pytest.mark.parametrize(
    ("value", "shown"), [([1], "an array"), ("x", "a string"), (1, "an integer")]
)
def test_metadata_must_be_an_object(value: Any, shown: str) -> None:
    assert only_problem(code="c", metadata=value) == Problem(
        "metadata",
        "invalid_type",
        f"metadata must be a JSON object, not {shown}; send an object ({{}} for none) or null",
    )


def test_an_empty_array_is_the_empty_object() -> None:
    # PHP's json_encode writes an empty associative array as []
    patch, _, problems = check(obj(code="c", metadata=[]))
    assert problems == [] and patch.values == {"metadata": "{}"}


def test_metadata_size_limit_is_inclusive() -> None:
    frame = len('{"x":""}')
    fits = {"x": "a" * (MAX_METADATA - frame)}
    assert check(obj(code="c", metadata=fits))[2] == []
    over = {"x": "a" * (MAX_METADATA - frame + 1)}
    assert only_problem(code="c", metadata=over) == Problem(
        "metadata",
        "too_long",
        f"metadata is {MAX_METADATA + 1} characters as compact JSON; send at most {MAX_METADATA}",
    )


def test_metadata_depth_limit_is_inclusive() -> None:
    deep: Any = {}
    for _ in range(MAX_METADATA_DEPTH - 1):
        deep = {"k": deep}
    assert check(obj(code="c", metadata=deep))[2] == []
    problem = only_problem(code="c", metadata={"k": deep})
    assert problem.code == "invalid_value"
    assert problem.description.endswith(
        f"is nested deeper than {MAX_METADATA_DEPTH} levels; send flatter metadata"
    )
    arrays: Any = {"k": [[[]]]}
    assert check(obj(code="c", metadata=arrays))[2] == []
    # arrays count as levels too; the values in the deepest one are no level
    arrays = [1, "x", None]
    for _ in range(MAX_METADATA_DEPTH - 2):
        arrays = [arrays]
    assert check(obj(code="c", metadata={"k": arrays}))[2] == []
    problem = only_problem(code="c", metadata={"k": [arrays]})
    assert problem.description.endswith(
        f"is nested deeper than {MAX_METADATA_DEPTH} levels; send flatter metadata"
    )


def test_metadata_refusals_name_the_place() -> None:
    dup = (("code", "c"), ("metadata", (("a", (("b", [1, (("x", 1), ("x", 2))]),)),)))
    assert check(dup)[2] == [
        Problem(
            "metadata", "invalid_value", "metadata.a.b[1] has the key 'x' twice; send each key once"
        )
    ]
    lone_value = (("code", "c"), ("metadata", (("a", "\udc80"),)))
    assert check(lone_value)[2] == [
        Problem(
            "metadata",
            "invalid_value",
            "metadata.a contains a lone surrogate (not valid Unicode); send valid UTF-8 text",
        )
    ]
    lone_key = (("code", "c"), ("metadata", (("ok", [(("\udc80", 1),)]),)))
    assert check(lone_key)[2] == [
        Problem(
            "metadata",
            "invalid_value",
            "metadata.ok[0] has a key that contains a lone surrogate (not valid Unicode); "
            "send valid UTF-8 text",
        )
    ]
    lone_in_list = (("code", "c"), ("metadata", (("a", ["\udc80"]),)))
    assert check(lone_in_list)[2][0].description == (
        "metadata.a[0] contains a lone surrogate (not valid Unicode); send valid UTF-8 text"
    )
    huge = (("code", "c"), ("metadata", (("n", [float("inf")]),)))
    assert check(huge)[2] == [
        Problem(
            "metadata",
            "invalid_value",
            "metadata.n[0] is a number too large for JSON; send it as a string",
        )
    ]


def test_a_long_metadata_path_is_cut() -> None:
    key = "k" * 70
    doc = (("code", "c"), ("metadata", ((key, (("x", 1), ("x", 1))),)))
    description = check(doc)[2][0].description
    assert description == f"metadata.{key[:59]}… has the key 'x' twice; send each key once"


def test_nul_is_fine_inside_metadata() -> None:
    patch, _, problems = check(obj(code="c", metadata={"a\x00": "b\x00"}))
    assert problems == [] and patch.values == {"metadata": '{"a\\u0000":"b\\u0000"}'}


# -- locations ------------------------------------------------------------------------


@pytest.mark.parametrize("field", ["country", "state", "city"])
def test_location_values(field: str) -> None:
    patch, _, problems = check(obj(code="c", **{field: "Río"}))
    assert problems == [] and getattr(patch, field) == "Río" and patch.touches_location
    patch, _, _ = check(obj(code="c", **{field: None}))
    assert getattr(patch, field) is None and patch.touches_location
    patch, _, _ = check(obj(code="c", **{field: 724}))
    assert getattr(patch, field) == 724
    assert check(obj(code="c", **{field: "p" * MAX_LOCATION}))[2] == []
    assert only_problem(code="c", **{field: "p" * (MAX_LOCATION + 1)}) == Problem(
        field,
        "too_long",
        f"{field} has {MAX_LOCATION + 1} characters; send at most {MAX_LOCATION}",
    )
    assert only_problem(code="c", **{field: "a\x00"}) == Problem(
        field,
        "invalid_value",
        f"{field} contains the control character U+0000 (character 2); remove it",
    )
    for value, shown in ((True, "a boolean"), (10**9, "an integer"), ([], "an array")):
        assert only_problem(code="c", **{field: value}) == Problem(
            field,
            "invalid_type",
            f"{field} must be a string, not {shown}; send a name or a code as a string",
        )
    assert check(obj(code="c", **{field: -(10**9 - 1)}))[2] == []


@pytest.mark.parametrize("control", ["\x1c", "\x1f", "\x85"])
def test_a_control_character_at_the_end_is_refused_not_trimmed(control: str) -> None:
    # Python counts U+001C-U+001F and U+0085 as white space; the field rules
    # trim only white space proper (codes.SPACE) and refuse every control character
    problem = only_problem(code="c", city="Paris" + control)
    assert (problem.field, problem.code) == ("city", "invalid_value")
    assert f"control character U+{ord(control):04X} (character 6)" in problem.description
    assert check(obj(code="c", city=" Paris\u3000"))[2] == []  # white space proper: trimmed
    assert only_problem(code="c", yearBorn="1990" + control).code == "invalid_type"
    assert check(obj(code="c", yearBorn=" 1990\u3000"))[2] == []


def test_a_refused_location_is_not_passed_on() -> None:
    patch, _, problems = check(obj(code="c", city="p" * 300, country="ES"))
    assert patch.city is OMITTED and patch.country == "ES" and len(problems) == 1


def test_untouched_location() -> None:
    patch, _, _ = check(obj(code="c", gender=1, metadata={}))
    assert patch.country is OMITTED and patch.state is OMITTED and patch.city is OMITTED
    assert not patch.touches_location
    for field in ("country", "state", "city"):
        assert check(obj(code="c", **{field: "x"}))[0].touches_location


# -- helpers the service uses ------------------------------------------------------------


def test_sent_code_is_the_code_check_accepts() -> None:
    assert sent_code(obj(code="A1", gender=1)) == "A1"
    assert sent_code(obj(code=7)) == "7"
    assert sent_code((("code", "a"), ("code", "b"))) == "b"
    assert sent_code(obj(gender=1)) is None
    assert sent_code(obj(code=" ")) is None
    assert sent_code(obj(code="c" * 256)) is None


def test_storable() -> None:
    assert storable(None) and storable("abc") and storable("c" * MAX_CODE)
    assert not storable("c" * (MAX_CODE + 1))
    assert not storable("a\x00") and not storable("\ud800")


# -- boundaries of what a description shows ---------------------------------------------


def test_a_long_number_is_cut_in_the_description() -> None:
    shown = "1" + "0" * 39  # 40 characters: shown whole
    assert only_problem(code="c", yearBorn=10**39).description.startswith(
        f"yearBorn {shown} is outside"
    )
    assert only_problem(code="c", yearBorn=10**45).description.startswith(
        f"yearBorn {shown}… is outside"
    )
    # 41 characters: one too many, cut
    assert only_problem(code="c", yearBorn=10**40).description.startswith(
        f"yearBorn {shown}… is outside"
    )


def test_the_code_of_a_refused_customer_is_known_as_far_as_it_can_be() -> None:
    assert check(obj(code=" C1 ", gender=9))[1] == "C1"
    assert check(obj(code=42, gender=9))[1] == "42"
    assert check(obj(code="c" * 300))[1] == "c" * MAX_CODE
    for unknown in ("  ", [1], True):
        assert check(obj(code=unknown))[1] is None
    # no code at all: none is known (an error's customerCode is null, not "")
    _, code, problems = check(obj(gender=1))
    assert code is None and [p.code for p in problems] == ["required"]


def test_leading_zeros_are_no_digits_of_the_number() -> None:
    patch, _, problems = check(obj(code="c", yearBorn="0" * 20 + "1990", gender="00"))
    assert problems == [] and patch.values == {"yearBorn": 1990, "gender": 0}


def test_c1_starts_at_u0080() -> None:
    assert only_problem(code="a\x80").description.endswith(
        "(a C1 character usually means Windows-1252 text decoded as Latin-1)"
    )


def test_a_metadata_path_of_60_characters_is_shown_whole() -> None:
    def described(key: str) -> str:
        doc = (("code", "c"), ("metadata", ((key, (("x", 1), ("x", 1))),)))
        return check(doc)[2][0].description

    assert described("k" * 59) == f"metadata.{'k' * 59} has the key 'x' twice; send each key once"
    assert described("k" * 60).startswith(f"metadata.{'k' * 59}… has")


def test_the_dry_run_refuses_what_a_post_refuses() -> None:
    assert check_places("ES", OMITTED, "Barcelona") == []
    assert check_places(OMITTED, OMITTED, OMITTED) == []
    assert check_places(None, 724, None) == []
    problems = check_places("p" * (MAX_LOCATION + 1), "a\x00", True)
    assert [(p.field, p.code) for p in problems] == [
        ("country", "too_long"),
        ("state", "invalid_value"),
        ("city", "invalid_type"),
    ]
    assert (
        problems
        == check(obj(code="c", country="p" * (MAX_LOCATION + 1), state="a\x00", city=True))[2]
    )
