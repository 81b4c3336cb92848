"""CI smoke test of an installed padron: serve on an empty data folder, POST, GET.

Run with the Python of the clean venv the wheel was installed into (standard
library only):  python .ci/smoke.py DATA_DIR
Fails (exit 1) unless padron is ready within 10 s, answers a POST with resolved
places and the GET with the same customer, and the venv holds no Django, DRF
or pydantic. Prints the time to ready and the resident memory.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path


def main(data_dir: str) -> int:
    for framework in ("django", "rest_framework", "pydantic"):
        assert importlib.util.find_spec(framework) is None, f"{framework} is installed"
    padron = Path(sys.executable).parent / "padron"
    started = time.monotonic()
    server = subprocess.Popen(
        [str(padron), "serve", "--port", "0", "--data-dir", data_dir],
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        assert server.stdout is not None
        key = url = ""
        for line in server.stdout:
            if line.startswith("pdn_"):
                key = line.strip()
            found = re.search(r"ready in .*?: (http://\S+)", line)
            if found:
                url = found.group(1)
                break
        ready = time.monotonic() - started
        assert key and url, "no key or ready line"
        rss = next(
            int(line.split()[1])
            for line in Path(f"/proc/{server.pid}/status").read_text().splitlines()
            if line.startswith("VmRSS")
        )
        headers = {"X-API-Key": key, "X-API-Version": "1", "Content-Type": "application/json"}
        body = {"code": "smoke-1", "country": "Deutschland", "state": "Bayern", "city": "München"}
        request = urllib.request.Request(
            url + "/customers", json.dumps(body).encode(), headers, method="POST"
        )
        with urllib.request.urlopen(request, timeout=30) as answer:
            created = json.load(answer)
            assert answer.status == 201, answer.status
        payload = created["payload"]
        assert (payload["country"], payload["state"]) == ("DEU", "DE-BY"), payload
        assert re.fullmatch(r"Q\d+", payload["city"] or ""), payload
        request = urllib.request.Request(url + "/customers?code=smoke-1", headers=headers)
        with urllib.request.urlopen(request, timeout=30) as answer:
            assert json.load(answer)["payload"] == payload
        # the wheel has no pycountry: the index itself says England is a country of GB
        body = {"code": "smoke-2", "country": "England"}
        request = urllib.request.Request(
            url + "/customers", json.dumps(body).encode(), headers, method="POST"
        )
        with urllib.request.urlopen(request, timeout=30) as answer:
            england = json.load(answer)["payload"]
        assert (england["country"], england["state"]) == ("GBR", "GB-ENG"), england
        # the wheel ships the dashboard's templates and static files
        with urllib.request.urlopen(url + "/ui/sign-in", timeout=30) as answer:
            assert answer.status == 200 and b"API key" in answer.read(), answer.status
        with urllib.request.urlopen(url + "/ui/static/padron.css", timeout=30) as answer:
            assert answer.status == 200 and answer.read(), answer.status
        print(f"smoke: ready in {ready:.2f} s, {rss / 1024:.0f} MB resident; POST and GET ok")
        assert ready < 10, f"ready only after {ready:.1f} s"
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(30)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
