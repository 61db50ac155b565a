"""The compiled build (``SIGNALS_COMPILE=1``, mypyc; see setup.py) is the same library.

Builds the wheel as a user would (``pip wheel`` of the source, in a temporary copy), unpacks it,
and in child processes that import that build: every module setup.py lists is an extension
module; detect() gives byte-identical signals on every labelled corpus, the seed and 2,000
benchmark articles; and the library's own tests (tests/signals) pass.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from signals import NewsEvent, detect

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared"

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]

# One child process: JSON events on stdin, one line per event out (its signals' JSON).
_DETECT = """
import json, sys
from signals import NewsEvent, detect
for line in sys.stdin:
    out = detect(NewsEvent.model_validate(json.loads(line)))
    print(json.dumps([s.model_dump_json() for s in out]))
"""


def _compiled_modules() -> list[str]:
    """Dotted names of the modules setup.py compiles."""
    listed = re.findall(r'"(signals/[\w/]+)\.py"', (REPO / "setup.py").read_text("utf-8"))
    assert listed, "setup.py lists no module"
    return [m.replace("/", ".") for m in listed]


@pytest.fixture(scope="module")
def compiled_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A directory holding the unpacked compiled wheel, to put first on a child's path."""
    tmp = tmp_path_factory.mktemp("compiled")
    src = tmp / "src"
    src.mkdir()
    for name in ("pyproject.toml", "setup.py", "README.md"):
        shutil.copy(REPO / name, src / name)
    for package in ("signals", "streams"):
        shutil.copytree(
            REPO / package, src / package, ignore=shutil.ignore_patterns("*.so", "__pycache__")
        )
    wheels = tmp / "wheels"
    env = dict(os.environ, SIGNALS_COMPILE="1")
    # no isolation: the venv's setuptools and mypy (dev extra) build it, without the network
    cmd = [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation"]
    done = subprocess.run(
        [*cmd, "-w", str(wheels), str(src)],
        capture_output=True,
        text=True,
        env=env,
        timeout=840,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    (wheel,) = wheels.glob("market_signals-*.whl")
    site = tmp / "site"
    with zipfile.ZipFile(wheel) as zf:
        zf.extractall(site)
    yield site


def _child_env(site: Path) -> dict[str, str]:
    return dict(os.environ, PYTHONPATH=str(site), SIGNALS_EXPECT_COMPILED="1")


def _python_on(site: Path, *args: str, stdin: str | None = None) -> str:
    """Stdout of a child Python whose path starts with the compiled build in ``site``."""
    done = subprocess.run(
        [sys.executable, *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=_child_env(site),
        cwd=site,
        timeout=600,
        check=True,
    )
    return done.stdout


def test_every_listed_module_is_an_extension_module(compiled_site: Path) -> None:
    modules = _compiled_modules()
    assert "signals.document" in modules and "signals.models" not in modules
    probe = (
        "import importlib, sys\nfor m in sys.argv[1:]: print(importlib.import_module(m).__file__)"
    )
    files = _python_on(compiled_site, "-c", probe, *modules).split()
    assert len(files) == len(modules)
    for module, file in zip(modules, files, strict=True):
        assert file.startswith(str(compiled_site)) and file.endswith(".so"), (module, file)
    said = _python_on(compiled_site, "-c", "import signals; print(signals.build())")
    assert said.strip() == "compiled"


def _events() -> list[str]:
    """Every labelled corpus, the seed and 2,000 benchmark articles, as JSON lines."""
    paths = [
        SHARED / "eval" / "dev_news.jsonl",
        REPO / "tests" / "samples" / "holdout.jsonl",
        REPO / "bench" / "data" / "holdout2.jsonl",
        REPO / "docs" / "eval" / "holdout3.jsonl",
    ]
    lines = [ln for p in paths for ln in p.read_text("utf-8").splitlines() if ln.strip()]
    seed = (SHARED / "seed" / "xai-funding-fr.txt").read_text("utf-8")
    lines.append(json.dumps({"id": "seed", "body": seed, "language": "fr"}))
    sys.path.insert(0, str(REPO / "bench"))
    try:
        from extract_bench import build_corpus
    finally:
        sys.path.remove(str(REPO / "bench"))
    return lines + build_corpus(SHARED / "eval" / "dev_news.jsonl", 2000, 7)


def test_compiled_detect_gives_the_same_signals(compiled_site: Path) -> None:
    events = _events()
    compiled = _python_on(compiled_site, "-c", _DETECT, stdin="\n".join(events) + "\n").splitlines()
    pure = [
        json.dumps([s.model_dump_json() for s in detect(NewsEvent.model_validate(json.loads(e)))])
        for e in events
    ]
    assert len(compiled) == len(pure) == len(events)
    differ = [i for i, (c, p) in enumerate(zip(compiled, pure, strict=True)) if c != p]
    assert differ == [], (
        f"{len(differ)} of {len(events)} events differ, first: {events[differ[0]][:300]}"
    )
    assert sum(len(json.loads(p)) for p in pure) > 3000  # the comparison is not vacuous


def test_library_tests_pass_on_the_compiled_build(compiled_site: Path) -> None:
    """tests/signals in a child whose path starts with the compiled build (checked by conftest)."""
    pytest_bin = Path(sys.executable).with_name("pytest")
    done = subprocess.run(
        [
            str(pytest_bin),
            "tests/signals",
            "-q",
            "-p",
            "no:cacheprovider",
            "-o",
            f"pythonpath={compiled_site}",
            "--ignore",
            "tests/signals/test_compiled_build.py",
        ],
        capture_output=True,
        text=True,
        env=_child_env(compiled_site),
        cwd=REPO,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert " passed" in done.stdout.splitlines()[-1]
