from pathlib import Path

import pytest

from padron.geo import build_index, index_path, open_resolver
from padron.geo.sources import package_versions


def test_index_file_is_keyed_by_package_versions(data_dir: Path) -> None:
    name = index_path(data_dir).name
    for package, version in package_versions().items():
        assert f"{package}-{version}" in name


def test_open_resolver_loads_the_existing_index_without_building(
    data_dir: Path, resolver: object
) -> None:
    messages: list[str] = []
    open_resolver(data_dir, build_if_missing=False, log=messages.append)
    assert messages == []


def test_missing_index_is_an_error_when_building_is_off(tmp_path: Path) -> None:
    from padron.geo.provision import IndexUnavailable, shipped_index

    if shipped_index() is not None:
        pytest.skip("this padron ships its index: it is never missing")
    with pytest.raises(IndexUnavailable, match="padron geo build"):
        open_resolver(tmp_path, build_if_missing=False)


def test_build_index_returns_the_index_path(data_dir: Path, resolver: object) -> None:
    assert index_path(data_dir).exists()
    assert callable(build_index)
