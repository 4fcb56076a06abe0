"""Every script in bench/ still loads against the code it measures: a bench
that no longer imports (a renamed function) prints no figures, and nobody
notices until the figures are wanted. Loading runs the module's top level
only; each script measures under `if __name__ == "__main__"`."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"


@pytest.mark.parametrize("script", sorted(BENCH.glob("*.py")), ids=lambda p: p.stem)
def test_the_bench_script_loads(script: Path) -> None:
    name = f"bench_{script.stem}"
    spec = importlib.util.spec_from_file_location(name, script)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    # Dataclasses look their module up while the class is made.
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[name]
    assert callable(getattr(module, "main", None)), f"{script.name} has no main()"
