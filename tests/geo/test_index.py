"""The place index file: built from the installed packages, loaded with checks,
and never trusted (or executed) when it is damaged or foreign."""

from __future__ import annotations

import dataclasses
import os
import pickle
import shutil
from pathlib import Path

import pytest

from padron.geo import build as geo_build
from padron.geo import build_index, index_path, open_resolver
from padron.geo.fold import fold
from padron.geo.index import (
    ALTERNATE,
    NO_STATE,
    Cities,
    Index,
    IndexFileError,
    Trust,
    fold_version,
    load_index,
    read_header,
)
from padron.geo.provision import IndexUnavailable
from padron.geo.sources import package_versions


@pytest.fixture(scope="module")
def index(data_dir: Path, resolver: object) -> Index:
    return load_index(index_path(data_dir), versions=geo_build.data_versions())


@pytest.fixture()
def copy(data_dir: Path, resolver: object, tmp_path: Path) -> Path:
    """A private copy of the built index, under the name padron looks for."""
    target = index_path(tmp_path)
    shutil.copyfile(index_path(data_dir), target)
    return target


def test_index_file_is_keyed_by_package_versions_and_folding_rules(data_dir: Path) -> None:
    name = index_path(data_dir).name
    for package, version in package_versions().items():
        assert f"{package}-{version}" in name
    assert fold_version() in name


def test_header_names_format_fold_versions_and_checksum(data_dir: Path, resolver: object) -> None:
    header = read_header(index_path(data_dir))
    assert header["fold"] == fold_version()
    assert header["versions"] == geo_build.data_versions()
    assert len(header["checksum"]) == 32
    assert {name for name, _, _ in header["sections"]} >= {"countries", "states", "qid", "posts"}


def test_loaded_index_holds_the_reference_places(index: Index) -> None:
    c, s, ci = index.countries, index.states, index.cities
    esp = c.by_alpha3["ESP"]
    assert c.alpha2[esp] == "ES" and c.numeric[724] == esp
    barcelona = s.codes["ES-B"]
    assert s.country[barcelona] == esp
    entries = ci.by_qid(11492)  # Mataró, province of Barcelona
    assert entries
    assert {fold(ci.label[k]) for k in entries} == {fold("Mataró")}
    assert all(s.within(ci.state_of(k), barcelona) for k in entries)
    assert any(k in entries for k in ci.named(fold("Mataró")))
    # the API documentation's example id is Mollet de Peralada's; Mollet del
    # Vallès, which the data gives it as a copy, is known but has no id
    assert {fold(ci.label[k]) for k in ci.by_qid(11355)} == {fold("Mollet de Peralada")}
    vallès = [k for k in ci.named(fold("Mollet del Vallès")) if not k & ALTERNATE]
    assert vallès and all(ci.qid[k] == 0 and ci.trust(k) == Trust.COPIED for k in vallès)
    # Sabadell carries S'Agaró's id and names in the data: known, no id
    sabadell = [k for k in ci.named(fold("Sabadell")) if not k & ALTERNATE]
    assert sabadell and all(ci.trust(k) == Trust.MISNAMED for k in sabadell)
    assert 140_000 < len(ci) < 250_000


def test_every_entry_without_an_id_says_why_and_every_id_is_trusted(index: Index) -> None:
    ci = index.cities
    for k in range(len(ci)):
        # (an UNPLACED entry keeps its id for requests that send its state)
        assert (ci.qid[k] == 0) == (ci.trust(k) not in (Trust.CONFIRMED, Trust.UNPLACED))
    assert any(ci.trust(k) == Trust.UNPLACED for k in range(len(ci)))
    unconfirmed = {ci.trust(k) for k in range(len(ci)) if not ci.qid[k]}
    assert unconfirmed == {
        Trust.NO_ID,
        Trust.COPIED,
        Trust.DISPUTED,
        Trust.MISNAMED,
        Trust.DIVISION,
    }


def test_load_is_quick_enough_to_start_a_server(data_dir: Path, resolver: object) -> None:
    import time

    started = time.process_time()
    load_index(index_path(data_dir))
    assert time.process_time() - started < 3.0  # 1 s on an idle machine; CI is shared


@pytest.mark.parametrize("where", ["header", "body", "end"])
def test_a_damaged_file_is_refused_with_one_line(copy: Path, where: str) -> None:
    raw = bytearray(copy.read_bytes())
    if where == "header":
        raw[30] ^= 0x55
    elif where == "body":
        raw[len(raw) // 2] ^= 0x01
    else:
        del raw[-100:]
    copy.write_bytes(bytes(raw))
    with pytest.raises(IndexFileError) as caught:
        load_index(copy)
    assert "\n" not in str(caught.value)
    with pytest.raises(IndexUnavailable, match="padron geo build"):
        open_resolver(copy.parent, build_if_missing=False, log=lambda _: None)


def test_an_index_of_other_folding_rules_is_refused(copy: Path) -> None:
    raw = copy.read_bytes()
    copy.write_bytes(raw.replace(fold_version().encode(), b"0.00000000", 1))
    with pytest.raises(IndexFileError, match="folding rules"):
        load_index(copy)


class _Marker:
    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self) -> tuple[object, tuple[str, str]]:
        return (open, (self.path, "w"))  # unpickling this creates the file


def test_a_pickle_in_its_place_is_refused_and_never_run(copy: Path, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    copy.write_bytes(pickle.dumps({"format": 4, "cities": _Marker(str(marker))}))
    with pytest.raises(IndexFileError, match="not a padron place index"):
        load_index(copy)
    with pytest.raises(IndexUnavailable):
        open_resolver(copy.parent, build_if_missing=False, log=lambda _: None)
    assert not marker.exists()


def test_a_damaged_file_is_rebuilt_when_building_is_on(
    copy: Path, index: Index, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy.write_bytes(b"garbage")
    # the build itself is tested by the session's index; here, that it is redone
    monkeypatch.setattr(geo_build, "build_tables", lambda report=None: index)
    messages: list[str] = []
    rebuilt = geo_build.load_or_build(copy.parent, log=messages.append)
    assert "unusable" in messages[0] and "rebuilding" in messages[0]
    assert rebuilt.cities.by_qid(11492)
    load_index(copy)  # the file on disk is whole again


def test_missing_index_is_an_error_when_building_is_off(tmp_path: Path) -> None:
    from padron.geo.provision import IndexUnavailable, shipped_index

    if shipped_index() is not None:
        pytest.skip("this padron ships its index: it is never missing")
    with pytest.raises(IndexUnavailable, match="padron geo build"):
        open_resolver(tmp_path, build_if_missing=False)


def test_build_writes_a_report_of_dropped_joins(data_dir: Path, resolver: object) -> None:
    report = geo_build.report_path(data_dir).read_text(encoding="utf-8")
    assert "State joins by numeric id dropped" in report
    assert "City joins by numeric id dropped" in report
    assert callable(build_index)


def test_no_temporary_files_are_left_beside_the_index(data_dir: Path, resolver: object) -> None:
    leftovers = [n for n in os.listdir(data_dir) if ".tmp" in n]
    assert leftovers == []


def test_entries_without_a_state_are_few(index: Index) -> None:
    ci = index.cities
    assert sum(1 for st in ci.state if st == NO_STATE) < len(ci) // 100


@pytest.mark.parametrize("value", [len(Trust), 255])
def test_an_index_whose_trust_is_out_of_range_is_refused_when_loaded(
    index: Index, tmp_path: Path, value: int
) -> None:
    # a file written whole (its checksum matches) but whose trust byte names no
    # Trust: refused at load with the index's own error, never an IndexError
    # when the first city without an id is answered
    from array import array

    from padron.geo.index import write_index

    why = array("B", index.cities.why)
    why[len(why) // 2] = value
    broken = Index(
        index.countries,
        index.states,
        type(index.cities)(**{**_fields(index.cities), "why": why}),
        index.versions,
    )
    path = tmp_path / "broken.idx"
    write_index(path, broken)
    with pytest.raises(IndexFileError, match="trust") as caught:
        load_index(path)
    assert "\n" not in str(caught.value)


def _fields(cities: Cities) -> dict[str, object]:
    # the constructor's fields (not those made from them, such as the name buckets)
    return {f.name: getattr(cities, f.name) for f in dataclasses.fields(cities) if f.init}


def test_a_build_removes_the_indexes_it_supersedes(
    copy: Path, index: Index, monkeypatch: pytest.MonkeyPatch
) -> None:
    # an upgrade of padron or of a data package builds a new file: the old
    # ones (27 MB each) must not pile up in the data folder
    folder = copy.parent
    older = folder / "geo-index-v4_fold1.0_read1_fuse1_pycountry-1.idx"
    older.write_bytes(b"an index of an earlier padron")
    older.with_suffix(".report.txt").write_text("its build report", encoding="utf-8")
    unrelated = folder / "customers.sqlite3"
    unrelated.write_bytes(b"not the index's to remove")
    copy.unlink()
    monkeypatch.setattr(geo_build, "build_tables", lambda report=None: index)
    messages: list[str] = []
    geo_build.load_or_build(folder, log=messages.append)
    assert sorted(p.name for p in folder.glob("geo-index-*")) == sorted(
        [copy.name, geo_build.report_path(folder).name]
    )
    assert unrelated.exists()
    assert any("removed 1 superseded place index" in m for m in messages)
