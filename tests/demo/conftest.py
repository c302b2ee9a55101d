from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from uptake.demo import TRUTH_FILE, generate


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo-xs")
    generate(out, "xs", 42)
    return out


@pytest.fixture(scope="session")
def truth(demo_dir: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((demo_dir / TRUTH_FILE).read_text(encoding="utf-8"))
    return data
