"""Optional compiled build of the detection library (everything else is in pyproject.toml).

``SIGNALS_COMPILE=1 pip install .`` (or ``make compiled`` in a checkout) compiles the modules of
``signals`` that ``detect()`` runs, with mypyc, the compiler of the project's type checker: the
same source, checked by ``mypy --strict``, turned into C extension modules (as black and mypy
ship). Without the variable the package is pure Python, which is what development and the test
suite use; ``tests/signals/test_compiled_build.py`` builds the compiled wheel and runs the
library's tests and the outputs comparison against it. Needs a C compiler and the Python headers.
"""

from __future__ import annotations

import os

from setuptools import setup

# What detect() runs. Not compiled: signals/models.py (pydantic models: mypyc cannot build them),
# the story stage's modules (their tests subclass the index, which a compiled class refuses) and
# the small modules of the CLI.
COMPILED = [
    "signals/actors.py",
    "signals/build.py",
    "signals/cues.py",
    "signals/detect.py",
    "signals/document.py",
    "signals/entities.py",
    "signals/fx.py",
    "signals/ids.py",
    "signals/hedging.py",
    "signals/numbers.py",
    "signals/text.py",
    "signals/triggers.py",
    "signals/detectors/backers.py",
    "signals/detectors/funding.py",
    "signals/detectors/gpu.py",
    "signals/detectors/revenue.py",
    "signals/detectors/rounds.py",
]

if os.environ.get("SIGNALS_COMPILE") == "1":
    from mypyc.build import mypycify

    setup(ext_modules=mypycify(COMPILED, opt_level="3"))
else:
    setup()
