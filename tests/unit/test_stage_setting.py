"""scripts/stage_setting.py: `make smoke STAGE=…` finds the stage's Cart service."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scripts.stage_setting import CONFIG, main, setting


def test_every_deployed_stage_names_its_cart_service_over_https() -> None:
    stages = json.loads(CONFIG.read_text())["stages"]
    for stage in ("dev", "sit", "prod"):
        assert setting(stage, "CART_API_URL").startswith("https://cart-api"), stage
    assert set(stages) >= {"dev", "sit", "prod"}


def test_an_unknown_stage_or_setting_exits_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"stages": {"dev": {"environment_variables": {"A": "1"}}}}))
    assert setting("dev", "A", config) == "1"
    with pytest.raises(SystemExit, match="no stage 'qa'"):
        setting("qa", "A", config)
    with pytest.raises(SystemExit, match="has no setting B"):
        setting("dev", "B", config)
    assert main(["sit", "CART_API_URL"]) == 0
    assert capsys.readouterr().out == "https://cart-api-sit.bbws.io\n"
