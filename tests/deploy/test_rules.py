"""deploy/prometheus.yml and the rules: promtool check config, check rules and test rules."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from deploy_service import DEPLOY

RULES = DEPLOY / "rules"


def promtool(*args: str, cwd: Path = DEPLOY) -> subprocess.CompletedProcess[str]:
    binary = shutil.which("promtool")
    assert binary, "promtool missing: `make promtool` installs Debian's prometheus package"
    return subprocess.run([binary, *args], cwd=cwd, capture_output=True, text=True, timeout=60)


def test_prometheus_config_and_its_rule_files_are_valid() -> None:
    result = promtool("check", "config", "prometheus.yml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 rule files found" in result.stdout


def test_rules_pass_promtool_check_rules() -> None:
    result = promtool("check", "rules", "signals.rules.yml", cwd=RULES)
    assert result.returncode == 0, result.stdout + result.stderr


def test_rules_pass_their_unit_tests() -> None:
    result = promtool("test", "rules", "signals.rules.test.yml", cwd=RULES)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout


def test_rule_unit_tests_fail_when_a_threshold_changes(tmp_path: Path) -> None:
    # the unit tests are able to fail: loosen the rejected-ratio threshold and they must
    rules = (RULES / "signals.rules.yml").read_text()
    changed = rules.replace(
        "signals:news_rejected:ratio5m > 0.1", "signals:news_rejected:ratio5m > 0.5"
    )
    assert changed != rules
    (tmp_path / "signals.rules.yml").write_text(changed)
    (tmp_path / "signals.rules.test.yml").write_text((RULES / "signals.rules.test.yml").read_text())
    result = promtool("test", "rules", "signals.rules.test.yml", cwd=tmp_path)
    assert result.returncode != 0
    assert "SignalsRejectedRatioHigh" in result.stdout + result.stderr
