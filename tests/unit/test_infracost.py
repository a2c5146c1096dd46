"""`make infracost` (scripts/infracost.py): skips with a reason without a key, runs infracost
with one. A stand-in `infracost` on PATH records its arguments and writes what the real one
would, so the sequence and the files are checked without the network."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from scripts import infracost
from scripts.infracost import InfracostError

FAKE = """#!/bin/sh
echo "$@" >> "{log}"
for arg in "$@"; do
  case "$arg" in --out-file=*) out="${{arg#--out-file=}}";; esac
done
[ -n "$out" ] && echo '{{"projects": []}}' > "$out"
exit {code}
"""


def fake_infracost(tmp_path: Path, code: int = 0) -> tuple[dict[str, str], Path]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "calls.log"
    script = bin_dir / "infracost"
    script.write_text(FAKE.format(log=log, code=code))
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    summary = tmp_path / "summary.md"
    environ = {
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "INFRACOST_API_KEY": "ico-test",
        "GITHUB_STEP_SUMMARY": str(summary),
    }
    return environ, log


def test_without_a_key_it_says_so_and_succeeds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    summary = tmp_path / "summary.md"
    text = infracost.run({"GITHUB_STEP_SUMMARY": str(summary)}, build=tmp_path / "build")
    assert "INFRACOST_API_KEY is not configured" in capsys.readouterr().out
    assert text in summary.read_text()
    assert not (tmp_path / "build").exists()  # nothing ran


def test_with_a_key_but_no_binary_it_fails_with_the_way_to_install(tmp_path: Path) -> None:
    with pytest.raises(InfracostError, match="infracost is not installed"):
        infracost.run({"INFRACOST_API_KEY": "k", "PATH": str(tmp_path)}, build=tmp_path)


def test_a_breakdown_per_environment_with_its_tfvars_into_the_summary(tmp_path: Path) -> None:
    environ, log = fake_infracost(tmp_path)
    build = tmp_path / "build"
    infracost.run(environ, root=tmp_path / "repo", build=build, packaging=False)
    calls = log.read_text().splitlines()
    assert [c.split()[0] for c in calls] == ["breakdown", "output", "output"]
    assert f"--config-file={build / 'infracost-change.yml'}" in calls[0]
    config = (build / "infracost-change.yml").read_text()
    for stage in ("dev", "sit", "prod"):
        path = json.dumps(str(tmp_path / "repo" / "infrastructure" / "environments" / stage))
        assert f"  - path: {path}\n    name: {stage}\n" in config
        assert f"      - {stage}.tfvars\n" in config
    assert "--format=github-comment" in calls[2]
    assert (tmp_path / "summary.md").read_text().startswith("### infracost\n")


def test_with_a_base_it_diffs_the_change_against_it(tmp_path: Path) -> None:
    environ, log = fake_infracost(tmp_path)
    environ["INFRACOST_BASE"] = str(tmp_path / "base")
    build = tmp_path / "build"
    infracost.run(environ, root=tmp_path / "repo", build=build, packaging=False)
    calls = log.read_text().splitlines()
    assert [c.split()[0] for c in calls] == ["breakdown", "diff", "output", "output"]
    assert f"--config-file={build / 'infracost-base.yml'}" in calls[0]
    assert f"--compare-to={build / 'infracost-base.json'}" in calls[1]
    assert str(tmp_path / "base" / "infrastructure") in (build / "infracost-base.yml").read_text()


def test_a_failing_infracost_fails_the_target(tmp_path: Path) -> None:
    environ, _ = fake_infracost(tmp_path, code=3)
    with pytest.raises(InfracostError, match=r"infracost breakdown failed \(exit 3\)"):
        infracost.run(environ, root=tmp_path, build=tmp_path / "build", packaging=False)
