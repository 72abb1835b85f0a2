"""The Makefile rebuilds the dashboard only when its sources changed: the real `make` and `npm`
on a small frontend whose build script counts its runs."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
COUNTING_BUILD = (
    "node -e \"const fs=require('fs');fs.mkdirSync('dist',{recursive:true});"
    "fs.writeFileSync('dist/index.html','<html></html>');"
    "fs.appendFileSync('builds.txt','x')\""
)


@pytest.fixture
def checkout(tmp_path) -> Path:
    if shutil.which("npm") is None:
        pytest.fail("npm is missing: the dashboard cannot be built (install Node.js 20+)")
    frontend = tmp_path / "frontend"
    (frontend / "src").mkdir(parents=True)
    (frontend / "package.json").write_text(
        json.dumps({"name": "counting", "private": True, "scripts": {"build": COUNTING_BUILD}})
    )
    (frontend / "src" / "main.tsx").write_text("export const answer = 42;\n")
    (frontend / "index.html").write_text("<div id=root></div>\n")
    (frontend / "node_modules").mkdir()
    time.sleep(0.01)
    (frontend / "node_modules" / ".installed").touch()  # installed after package.json
    shutil.copy(ROOT / "Makefile", tmp_path / "Makefile")
    return tmp_path


def builds(checkout: Path) -> int:
    path = checkout / "frontend" / "builds.txt"
    return len(path.read_text()) if path.exists() else 0


def build(checkout: Path) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAKE")}
    done = subprocess.run(
        ["make", "--no-print-directory", "frontend-build"],
        cwd=checkout,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_the_dashboard_is_built_once_then_only_when_its_sources_change(checkout):
    build(checkout)
    assert builds(checkout) == 1

    assert "frontend/dist is up to date with its sources" in build(checkout)
    assert builds(checkout) == 1

    (checkout / "frontend" / "src" / "main.tsx").write_text("export const answer = 43;\n")
    build(checkout)
    assert builds(checkout) == 2

    (checkout / "frontend" / "src" / "new.ts").write_text("export {};\n")
    build(checkout)
    assert builds(checkout) == 3

    shutil.rmtree(checkout / "frontend" / "dist")
    build(checkout)
    assert builds(checkout) == 4


def test_touching_a_source_without_changing_it_does_not_rebuild(checkout):
    build(checkout)
    os.utime(checkout / "frontend" / "src" / "main.tsx")
    build(checkout)
    assert builds(checkout) == 1
