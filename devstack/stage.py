"""A stage's configuration as Chalice computes it from `.chalice/config.json` (one truth)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[1]
API_HANDLER = "api_handler"


@dataclass(frozen=True)
class FunctionConfig:
    """What Lambda would give one function: its environment, timeout and memory."""

    name: str
    environment: dict[str, str]
    timeout_s: int
    memory_mb: int


def function_config(stage: str, function: str, project_dir: Path = PROJECT_DIR) -> FunctionConfig:
    """Merged top-level, stage and per-function settings, exactly as `chalice` merges them."""
    from chalice.config import Config

    disk = json.loads((project_dir / ".chalice" / "config.json").read_text())
    config = Config(chalice_stage=stage, function_name=function, config_from_disk=disk)
    return FunctionConfig(
        name=function,
        environment=dict(config.environment_variables),
        timeout_s=int(config.lambda_timeout),
        memory_mb=int(config.lambda_memory_size),
    )
