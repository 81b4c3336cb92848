"""The padron command: keys and projects, against a real database file."""

from __future__ import annotations

from pathlib import Path

from tests.serving import padron


def test_keys_create_prints_the_key_alone_on_the_last_line(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'p.db'}"
    out = padron("keys", "create", "--project", "acme", "--database", db)
    key = out.strip().splitlines()[-1]
    assert key.startswith("pdn_") and " " not in key and len(key) > 30
    assert "Created project 'acme'" in out
    # a second key for the same project does not create it again
    again = padron(
        "keys", "create", "--project", "acme", "--permissions", "status", "--database", db
    )
    assert "Created project" not in again
    listing = padron("keys", "list", "--database", db)
    assert listing.count("acme") == 2
    assert key not in listing  # secrets are never shown again
    assert "status " in listing or "status  " in listing


def test_keys_revoke_and_projects_list(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'p.db'}"
    padron("keys", "create", "--project", "acme", "--database", db)
    key_id = padron("keys", "list", "--database", db).split()[0]
    assert key_id.startswith("cli_")
    assert "Revoked" in padron("keys", "revoke", key_id, "--database", db)
    assert "revoked" in padron("keys", "list", "--database", db)
    projects = padron("projects", "list", "--database", db)
    assert "acme" in projects and "customers=0" in projects
    out = padron("projects", "set", "acme", "--unresolved-places", "reject", "--database", db)
    assert "states and cities" in out and "rejected" in out
    assert "unresolved-places=reject" in padron("projects", "list", "--database", db)
    # the flag's former name still works
    out = padron("projects", "set", "acme", "--unresolved-cities", "keep", "--database", db)
    assert "kept as sent" in out
    assert "unresolved-places=keep" in padron("projects", "list", "--database", db)


def test_database_url_comes_from_the_environment(tmp_path: Path) -> None:
    db = tmp_path / "env.db"
    padron(
        "keys", "create", "--project", "from-env", env={"PADRON_DATABASE_URL": f"sqlite:///{db}"}
    )
    assert db.exists()
    assert "from-env" in padron("projects", "list", "--database", f"sqlite:///{db}")


def test_about_names_the_data_licences() -> None:
    out = padron("about")
    for licence in ("ODbL", "CC BY 4.0", "LGPL"):
        assert licence in out


def test_the_announced_address_can_be_pasted_into_a_browser() -> None:
    from padron.config import Settings

    def url(host: str) -> str:
        return Settings.from_env({}, data_dir="/tmp/x", host=host, port=8000).url

    assert url("127.0.0.1") == "http://127.0.0.1:8000"
    assert url("localhost") == "http://localhost:8000"
    assert url("::1") == "http://[::1]:8000"
    assert url("::") == "http://[::]:8000"


def test_the_help_of_reresolve_and_serve_says_what_catching_up_does() -> None:
    # issue 10 item 6: a user reading --help learns what is re-resolved, how,
    # that the server may run meanwhile, and that serve says when it is behind
    rr = " ".join(padron("geo", "reresolve", "--help").split())
    for words in ("kept as sent", "100 at a time", "progress bar", "while the server runs"):
        assert words in rr, words
    assert "--project" in rr and "every project" in rr
    serve = " ".join(padron("serve", "--help").split())
    assert "place index is newer than the last re-resolution" in serve
    assert "padron geo reresolve" in serve
