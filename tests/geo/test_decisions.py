"""The resolver's decisions among namesakes, as a client sees them: which place
is stored, which state comes with it, and the warning that says why (its code,
its description, its candidates). The policy is API.md *Locations*; these pin
the edges a mutation run of the decision functions found unpinned
(docs/quality.md)."""

from __future__ import annotations

import pytest

from padron.geo import OMITTED, Resolver, StoredLocation


@pytest.mark.parametrize(
    ("state", "city", "nearest", "city_id"),
    [
        # Windsor, California lies nearest to Oregon (others: Connecticut, Colorado, …)
        ("US-OR", "Windsor", "US-CA", "Q986852"),
        # Johnston, South Carolina, beside North Carolina (another: Iowa)
        ("US-NC", "Johnston", "US-SC", "Q2193099"),
        # Glendora, New Jersey, is twice as near to Wisconsin as Glendora, California
        ("US-WI", "Glendora", "US-NJ", "Q1089218"),
    ],
)
def test_of_namesakes_in_other_states_the_nearest_by_distance_is_stored(
    resolver: Resolver, state: str, city: str, nearest: str, city_id: str
) -> None:
    # the nearest is found by distance from the sent state, whatever the order
    # of the places in the data
    res = resolver.resolve("USA", state, city)
    assert (res.country, res.state, res.city, res.errors) == ("USA", nearest, city_id, ())
    [warning] = res.warnings
    assert (warning.field, warning.code) == ("city", "state_mismatch")
    assert warning.description == (
        f"{city!r} resolved to {city_id} ({city}), filed under {nearest} in the place data, "
        f"not under {state}; the state is stored as {nearest}"
    )
    assert [(p.id, p.state) for p in warning.candidates] == [(city_id, nearest)]


def test_namesakes_none_clearly_nearest_are_kept_nearest_first(resolver: Resolver) -> None:
    # Springfields in 21 other states, none twice as near to Texas as the next:
    # the name is kept, and the candidates begin with the nearest (Missouri)
    res = resolver.resolve("USA", "US-TX", "Springfield")
    assert (res.country, res.state, res.city, res.errors) == ("USA", "US-TX", "Springfield", ())
    [warning] = res.warnings
    assert (warning.field, warning.code) == ("city", "ambiguous")
    assert warning.description == (
        "'Springfield' matches 21 places; none of them lies in US-TX and none is clearly "
        "the nearest to it; send the Wikidata id; city stored as sent ('Springfield')"
    )
    assert len(warning.candidates) == 10
    assert (warning.candidates[0].id, warning.candidates[0].state) == ("Q135615", "US-MO")
    assert all(p.country == "USA" and p.state != "US-TX" for p in warning.candidates)
    # refusing what would be kept: the same reason, as the city's error
    refused = resolver.resolve("USA", "US-TX", "Springfield", reject_unresolved=True)
    assert refused.city is None and refused.warnings == ()
    [error] = refused.errors
    assert (error.field, error.code) == ("city", "ambiguous")
    assert warning.description.startswith(error.description + "; ")
    assert error.candidates == warning.candidates


def test_a_wikidata_id_is_stored_in_its_canonical_form(resolver: Resolver) -> None:
    # Q11355 sent with Barcelona: a row carrying it lies there (the API's example)
    for sent in ("Q11355", "q11355", " Q11355 "):
        res = resolver.resolve("ESP", "ES-B", sent)
        assert (res.country, res.state, res.city, res.errors, res.warnings) == (
            "ESP",
            "ES-B",
            "Q11355",
            (),
            (),
        )


def test_an_unknown_wikidata_id_is_kept_as_sent_with_a_warning(resolver: Resolver) -> None:
    res = resolver.resolve("ESP", OMITTED, " q999999999 ")
    assert (res.country, res.state, res.city, res.errors) == ("ESP", None, "q999999999", ())
    [warning] = res.warnings
    assert (warning.field, warning.code, warning.candidates) == ("city", "unresolved", ())
    assert warning.description == (
        "no city has the Wikidata id Q999999999; city stored as sent ('q999999999')"
    )
    refused = resolver.resolve("ESP", OMITTED, " q999999999 ", reject_unresolved=True)
    assert (refused.city, refused.warnings) == (None, ())
    [error] = refused.errors
    assert (error.field, error.code, error.description) == (
        "city",
        "not_found",
        "no city has the Wikidata id Q999999999",
    )


@pytest.mark.parametrize(("country", "state"), [("USA", "US-PR"), ("PRI", "PR-153")])
def test_a_city_id_filed_in_two_countries_is_answered_in_the_country_sent(
    resolver: Resolver, country: str, state: str
) -> None:
    # Yauco, Q368526: ISO 3166 has Puerto Rico both as a country (PR) and as a
    # subdivision of the United States (US-PR); the data files it under both
    res = resolver.resolve(country, OMITTED, "Q368526")
    assert (res.country, res.state, res.city, res.errors, res.warnings) == (
        country,
        state,
        "Q368526",
        (),
        (),
    )


def test_a_city_id_outside_the_state_sent_stores_its_own_state_with_a_warning(
    resolver: Resolver,
) -> None:
    res = resolver.resolve("ESP", "ES-M", "Q1492")  # Barcelona sent with Madrid
    assert (res.state, res.city, res.errors) == ("ES-B", "Q1492", ())
    [warning] = res.warnings
    assert (warning.field, warning.code) == ("city", "state_mismatch")
    assert warning.description == (
        "'Q1492' resolved to Q1492 (Barcelona), filed under ES-B in the place data, "
        "not under ES-M; the state is stored as ES-B"
    )
    # the stored state is only context: replaced by the city's, without a warning
    moved = resolver.resolve(OMITTED, OMITTED, "Q1492", StoredLocation("ESP", "ES-M", "Q2807"))
    assert (moved.country, moved.state, moved.city, moved.errors, moved.warnings) == (
        "ESP",
        "ES-B",
        "Q1492",
        (),
        (),
    )


def test_a_city_id_with_a_state_of_another_country_is_the_states_error(
    resolver: Resolver,
) -> None:
    # Barcelona's id with Texas and Spain: the state contradicts the country (a
    # 400 naming the state), never a failure of the server
    res = resolver.resolve("ESP", "US-TX", "Q1492")
    assert [(e.field, e.code) for e in res.errors] == [("state", "inconsistent")]
    assert res.warnings == ()


def test_prominence_names_the_place_chosen_and_those_passed_over(resolver: Resolver) -> None:
    res = resolver.resolve("US", OMITTED, "Jacksonville")  # Florida's, 950,000 people
    assert (res.country, res.state, res.city, res.errors) == ("USA", "US-FL", "Q16568", ())
    [warning] = res.warnings
    assert (warning.field, warning.code) == ("city", "prominence")
    assert warning.description.startswith(
        "'Jacksonville' resolved to Q16568 (Jacksonville), by far the most populous of its "
        "namesakes; passed over: Q986369 (Jacksonville, US-NC), "
    )
    passed_over = [p.id for p in warning.candidates]
    assert len(passed_over) >= 5 and "Q16568" not in passed_over
    assert all(f"{p.id} ({p.name}, {p.state})" in warning.description for p in warning.candidates)


def test_ten_times_as_populous_is_enough_to_win(resolver: Resolver) -> None:
    # Valverde, El Hierro (5,000 people) and a namesake under GeoNames' 500:
    # exactly ten times the floor, so at least the 5,000 docs/geo.md names
    res = resolver.resolve("ESP", OMITTED, "Valverde")
    assert (res.city, res.errors) == ("Q1853429", ())
    [warning] = res.warnings
    assert warning.code == "prominence" and [p.id for p in warning.candidates] == ["Q46778"]


def test_a_place_without_a_trusted_id_is_kept_as_sent_saying_why(resolver: Resolver) -> None:
    # every populous place the data has without a trustworthy id, sent by its
    # name with its country: the name is stored, and the warning says what the
    # name was taken for and why its id is not stored
    # (also sent with another state of its country: the nearest place decides)
    ix = resolver.index
    ci, states = ix.cities, ix.states
    judged = 0
    for k in range(len(ci.qid)):
        if ci.qid[k] or ci.population[k] < 50_000:
            continue
        name, country = ci.label[k], ci.country[k]
        elsewhere = next(
            (
                j
                for j in range(len(states.code))
                if states.country[j] == country
                and states.parent[j] < 0
                and not states.within(ci.state_of(k), j)
            ),
            None,
        )
        sent = [(ix.countries.alpha3[country], OMITTED)]
        if elsewhere is not None:
            sent.append((ix.countries.alpha3[country], states.code[elsewhere]))
        for country_sent, state_sent in sent:
            res = resolver.resolve(country_sent, state_sent, name)
            if [w.code for w in res.warnings if w.field == "city"] != ["unresolved"]:
                continue  # a namesake with an id decides, or the name is ambiguous
            judged += 1
            [warning] = [w for w in res.warnings if w.field == "city"]
            assert res.city == name and res.errors == ()
            assert warning.description.startswith(f"{name!r} is "), warning.description
            assert warning.description.endswith(f"; city stored as sent ({name!r})")
    assert judged >= 5


def test_an_ambiguous_city_says_what_would_tell_the_namesakes_apart(
    resolver: Resolver,
) -> None:
    # in a country, the state or the id would; anywhere, the country too
    [error] = resolver.resolve("US", OMITTED, "Paris").errors
    assert (error.field, error.code) == ("city", "ambiguous")
    assert error.description.startswith("'Paris' matches ")
    assert error.description.endswith(" places; send the state or the Wikidata id")
    assert len(error.candidates) >= 2 and all(p.country == "USA" for p in error.candidates)
    [error] = resolver.resolve(OMITTED, OMITTED, "Paris").errors
    assert error.description.startswith("'Paris' matches ")
    assert error.description.endswith(" places; send the country, the state or the Wikidata id")
    assert {p.country for p in error.candidates} >= {"FRA", "USA"}
    # a state no data knows, with its country: the city is kept, saying the same
    res = resolver.resolve("USA", "Zzyzx County", "Paris")
    assert (res.state, res.city, res.errors) == ("Zzyzx County", "Paris", ())
    assert [(w.field, w.code) for w in res.warnings] == [
        ("state", "unresolved"),
        ("city", "ambiguous"),
    ]
    kept = res.warnings[1]
    assert kept.description.startswith("'Paris' matches ")
    assert kept.description.endswith(
        " places; send the state or the Wikidata id; city stored as sent ('Paris')"
    )
    assert kept.candidates and all(p.country == "USA" for p in kept.candidates)


def test_every_state_s_city_sent_with_another_state_is_warned(resolver: Resolver) -> None:
    # the rule over every state of the data: its most populous city's id, sent
    # with another state of its country (one where no row carrying the id lies),
    # stores the city's own state with a state_mismatch warning
    ix = resolver.index
    ci, states = ix.cities, ix.states
    carriers: dict[int, list[int]] = {}
    for k, number in enumerate(ci.carried):
        if number:
            carriers.setdefault(number, []).append(k)
    best: dict[int, int] = {}
    for k, number in enumerate(ci.qid):
        j = ci.state_of(k)
        if number and j >= 0 and (j not in best or ci.population[k] > ci.population[best[j]]):
            best[j] = k
    judged = 0
    for j, k in best.items():
        number = ci.qid[k]
        if any(ci.state_of(e) != j for e in ci.by_qid(number)):
            continue  # filed under several states
        rows = [ci.state_of(c) for c in carriers.get(number, ())]
        other = next(
            (
                o
                for o in range(len(states.code))
                if states.country[o] == states.country[j]
                and states.parent[o] < 0
                and not states.within(j, o)
                and not states.within(o, j)
                and not any(states.within(row, o) for row in rows)
            ),
            None,
        )
        if other is None:
            continue
        res = resolver.resolve(
            ix.countries.alpha3[states.country[j]], states.code[other], f"Q{number}"
        )
        assert (res.state, res.city, res.errors) == (states.code[j], f"Q{number}", ()), res
        assert [(w.field, w.code) for w in res.warnings] == [("city", "state_mismatch")], res
        judged += 1
    assert judged >= 3000


@pytest.mark.parametrize(
    ("sent", "state", "city_id", "other"),
    [("Burgstädt", "DE-SN", "Q71095", "Q33427886"), ("Bürgstadt", "DE-BY", "Q33427886", "Q71095")],
)
def test_the_accents_sent_choose_between_namesakes_with_a_warning(
    resolver: Resolver, sent: str, state: str, city_id: str, other: str
) -> None:
    # Burgstädt, Saxony, and Bürgstadt, Bavaria: one key without accents
    res = resolver.resolve("DEU", OMITTED, sent)
    assert (res.state, res.city, res.errors) == (state, city_id, ())
    [warning] = res.warnings
    assert (warning.field, warning.code) == ("city", "spelling")
    assert warning.description.startswith(
        f"{sent!r} resolved to {city_id} ({sent}), the only namesake spelled with these "
        f"accents; passed over: {other} ("
    )
    assert [p.id for p in warning.candidates] == [other]


@pytest.mark.parametrize(
    ("state", "city", "chosen", "why", "passed_over"),
    [
        # the town, not its municipality, which has the name only among its others
        ("BG-02", "Karnobat", "Q406227 (Karnobat)", "the one named so", ["Q2476853"]),
        # the town, not the former municipality that held it and had its name
        ("FI-19", "Pargas", "Q13405837 (Pargas)", "the one named so", ["Q1010550"]),
        # a village and its commune: the village is the more prominent
        ("RO-CS", "Măureni", "Q1076604 (Măureni)", "the most prominent", ["Q16426030"]),
        # two places named so and one with the name among its others: the
        # name alone tells none apart
        (
            "PH-03",
            "San Felipe",
            "Q56584 (San Felipe)",
            "the most prominent",
            ["Q31503209", "Q31503190"],
        ),
    ],
)
def test_the_chosen_namesake_in_the_state_says_why_it_was_chosen(
    resolver: Resolver, state: str, city: str, chosen: str, why: str, passed_over: list[str]
) -> None:
    res = resolver.resolve(state[:2], state, city)
    assert (res.state, res.city, res.errors) == (state, chosen.split()[0], ())
    [warning] = res.warnings
    assert (warning.field, warning.code) == ("city", "chosen")
    assert [(p.id, p.state) for p in warning.candidates] == [(i, state) for i in passed_over]
    others = ", ".join(f"{p.id} ({p.name}, {state})" for p in warning.candidates)
    assert warning.description == (
        f"{city!r} names {len(passed_over) + 1} places in {state}; chose {chosen}, {why}; "
        f"passed over: {others}"
    )


@pytest.mark.parametrize(
    ("sent", "city_id", "other", "other_name"),
    [("Naidăș", "Q75494", "Q12724985", "Naidaş"), ("Naidaş", "Q12724985", "Q75494", "Naidăș")],
)
def test_the_accents_sent_choose_between_namesakes_in_the_state_sent(
    resolver: Resolver, sent: str, city_id: str, other: str, other_name: str
) -> None:
    # two places in Caraș-Severin whose names differ only by the a (ă, a) and
    # the s (ș with a comma, ş with a cedilla): each spelling chooses its own
    res = resolver.resolve("ROU", "RO-CS", sent)
    assert (res.state, res.city, res.errors) == ("RO-CS", city_id, ())
    [warning] = res.warnings
    assert (warning.field, warning.code) == ("city", "spelling")
    assert warning.description == (
        f"{sent!r} resolved to {city_id} ({sent}), the only namesake spelled with these "
        f"accents; passed over: {other} ({other_name}, RO-CS)"
    )
    assert [(p.id, p.state) for p in warning.candidates] == [(other, "RO-CS")]


def test_a_one_letter_city_with_its_country_and_state_is_answered(resolver: Resolver) -> None:
    # Y, a commune of the Somme: a name of one letter is a name like any other
    for _ in range(2):  # the first of its (country, state) pair, then a known pair
        res = resolver.resolve("FRA", "FR-80", "Y")
        assert (res.country, res.state, res.city, res.errors) == ("FRA", "FR-80", "Y", ())
        [warning] = res.warnings
        assert (warning.field, warning.code) == ("city", "unresolved")
        assert warning.description.endswith("; city stored as sent ('Y')")


def test_the_chosen_namesake_without_an_id_is_kept_as_sent_saying_why(
    resolver: Resolver,
) -> None:
    # Arico, Tenerife: of the places so named in the state, the one chosen has
    # no id of its own; the name is stored, and only that is said
    res = resolver.resolve("ESP", "ES-TF", "Arico")
    why = "'Arico' is Arico (ES-TF), but the place data gives its Wikidata id to different places"
    assert (res.country, res.state, res.city, res.errors) == ("ESP", "ES-TF", "Arico", ())
    [warning] = res.warnings
    assert (warning.field, warning.code, warning.candidates) == ("city", "unresolved", ())
    assert warning.description == f"{why}; city stored as sent ('Arico')"
    refused = resolver.resolve("ESP", "ES-TF", "Arico", reject_unresolved=True)
    assert (refused.city, refused.warnings) == (None, ())
    assert [(e.field, e.code, e.description) for e in refused.errors] == [
        ("city", "not_found", why)
    ]


@pytest.mark.parametrize("city", ["", "   "])
def test_a_blank_city_with_its_country_and_state_is_the_city_s_error(
    resolver: Resolver, city: str
) -> None:
    # the first location of its (country, state) pair, then one of a known pair
    for state in ("ES-GI", "ES-GI"):
        res = resolver.resolve("ESP", state, city)
        assert (res.country, res.state, res.city, res.warnings) == ("ESP", state, None, ())
        assert [(e.field, e.code, e.description) for e in res.errors] == [
            ("city", "invalid_value", "city must not be empty")
        ]


def test_a_place_without_an_id_in_the_state_sent_is_kept_as_sent_saying_why(
    resolver: Resolver,
) -> None:
    # Dorud, Lorestan (120,000 people): the one place so named, without an id
    why = "'Dorud' is Dorud (IR-15), but no installed source gives it a Wikidata id"
    res = resolver.resolve("IRN", "IR-15", " Dorud ")
    assert (res.country, res.state, res.city, res.errors) == ("IRN", "IR-15", "Dorud", ())
    [warning] = res.warnings
    assert (warning.field, warning.code, warning.candidates) == ("city", "unresolved", ())
    assert warning.description == f"{why}; city stored as sent ('Dorud')"
    refused = resolver.resolve("IRN", "IR-15", " Dorud ", reject_unresolved=True)
    assert (refused.city, refused.warnings) == (None, ())
    assert [(e.field, e.code, e.description) for e in refused.errors] == [
        ("city", "not_found", why)
    ]


def test_a_city_id_of_another_country_is_the_city_s_error_naming_both(
    resolver: Resolver,
) -> None:
    # Paris's id sent with Spain: refused, saying where the place lies
    res = resolver.resolve("ESP", OMITTED, "Q90")
    assert (res.country, res.state, res.city, res.warnings) == ("ESP", None, None, ())
    assert [(e.field, e.code, e.description) for e in res.errors] == [
        ("city", "inconsistent", "'Q90' is Q90 (Paris), a place in FRA, not in ESP")
    ]


def test_a_city_in_the_region_sent_keeps_the_region(resolver: Resolver) -> None:
    # Barcelona lies in the province ES-B, within the region ES-CT (Catalonia):
    # the region sent, or stored, holds the city, so it is the state stored
    for sent, reject in [
        (("ESP", "ES-CT", "Barcelona"), False),
        (("ESP", "ES-CT", "Barcelona"), True),
        ((OMITTED, "ES-CT", "Barcelona"), False),
        ((OMITTED, OMITTED, "Q1492", StoredLocation("ESP", "ES-CT", None)), False),
    ]:
        res = resolver.resolve(*sent, reject_unresolved=reject)
        assert (res.country, res.state, res.city, res.errors, res.warnings) == (
            "ESP",
            "ES-CT",
            "Q1492",
            (),
            (),
        ), sent
