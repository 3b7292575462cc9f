"""A short run of the concurrency soak (`scripts/soak_store.py`): 20 simulated users
for a few seconds lose no write and see no error other than clean conflicts."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from tests.support.store import FAST_HASHER

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "soak_store.py"


def _soak_module():
    spec = importlib.util.spec_from_file_location("soak_store", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_short_soak(database, mission, plan):
    """Field updates, teams edits and plan reads from 20 threads for 3 s."""
    result = _soak_module().run_soak(
        seconds=3, threads=20, url=database, mission=mission, plan=plan, hasher=FAST_HASHER
    )
    print(result.summary())
    assert result.errors == []
    assert result.lost_writes == 0
    assert result.field_updates > 0 and result.reads > 0 and result.teams_edits > 0
