"""docker-compose.yml, the Grafana provisioning and the dashboard, validated without Docker."""

from __future__ import annotations

import json
import shutil
import subprocess
from typing import Any

import pytest
import yaml
from compose_spec import PyCompose
from deploy_service import DEPLOY, REPO

COMPOSE = REPO / "docker-compose.yml"
GRAFANA = DEPLOY / "grafana"


def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(COMPOSE.read_text())
    return data


def test_docker_compose_config_accepts_the_file() -> None:
    binary = shutil.which("docker-compose")
    assert binary, "docker-compose missing: `make promtool` installs Debian's docker-compose"
    result = subprocess.run(
        [binary, "-f", str(COMPOSE), "config", "-q"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr


def test_docker_compose_config_rejects_a_broken_file(tmp_path: Any) -> None:
    broken = tmp_path / "docker-compose.yml"
    broken.write_text(COMPOSE.read_text().replace("condition: service_healthy", "condition: 7", 1))
    result = subprocess.run(
        ["docker-compose", "-f", str(broken), "config", "-q"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0


@pytest.mark.parametrize(
    ("change", "valid"),
    [
        (("", ""), True),
        (("condition: service_healthy", "condition: sometimes"), False),
        (("    healthcheck:\n      test:", "    healthcheck:\n      tset:"), False),
    ],
)
def test_compose_spec_validates_the_file(change: tuple[str, str], valid: bool) -> None:
    text = COMPOSE.read_text()
    if change[0]:
        assert change[0] in text
        text = text.replace(change[0], change[1], 1)
    try:
        parsed = PyCompose.from_yaml(text)
        parsed.validate()
        spec = parsed.to_spec()
        parsed.validate_volumes()
        accepted = spec.services is not None
    except ValueError:
        accepted = False
    assert accepted is valid


def test_services_health_and_startup_order() -> None:
    data = compose()
    assert "name" not in data  # Debian's docker-compose rejects a top-level name
    services = data["services"]
    assert set(services) == {"kafka", "worker", "api", "prometheus", "grafana"}
    for name, service in services.items():
        assert "healthcheck" in service, f"{name} has no healthcheck"
        for dep, cond in service.get("depends_on", {}).items():
            assert cond == {"condition": "service_healthy"}, f"{name} -> {dep}"
    assert services["worker"]["deploy"]["replicas"] == 2
    assert set(services["worker"]["depends_on"]) == {"kafka"}
    assert services["worker"]["command"] == ["worker"]
    assert services["api"]["command"] == ["api"]
    env = services["kafka"]["environment"]
    assert env["KAFKA_PROCESS_ROLES"] == "broker,controller"  # KRaft, no ZooKeeper
    assert services["kafka"]["image"].startswith("apache/kafka:")


def test_mounted_files_exist() -> None:
    for name, service in compose()["services"].items():
        for volume in service.get("volumes", []):
            source = volume.split(":", 1)[0]
            if source.startswith("./"):
                assert (REPO / source).exists(), f"{name} mounts missing {source}"
    grafana = compose()["services"]["grafana"]["volumes"]
    assert "./deploy/grafana/provisioning:/etc/grafana/provisioning:ro" in grafana
    dockerfile = compose()["services"]["worker"]["build"]["dockerfile"]
    assert (REPO / dockerfile).exists()


def test_grafana_provisioning_points_at_the_dashboard_and_datasources() -> None:
    datasources = yaml.safe_load((GRAFANA / "provisioning/datasources/datasources.yml").read_text())
    uids = {d["uid"] for d in datasources["datasources"]}
    providers = yaml.safe_load((GRAFANA / "provisioning/dashboards/dashboards.yml").read_text())
    path = providers["providers"][0]["options"]["path"]
    mounts = compose()["services"]["grafana"]["volumes"]
    assert f"./deploy/grafana/dashboards:{path}:ro" in mounts
    dashboard = json.loads((GRAFANA / "dashboards/market-signals.json").read_text())
    titles = " ".join(p["title"].lower() for p in dashboard["panels"])
    for topic in ("throughput", "lag", "latency", "signals", "alerts", "webhook", "top companies"):
        assert topic in titles
    for panel in dashboard["panels"]:
        assert panel["datasource"]["uid"] in uids
        assert panel["targets"], panel["title"]
        for target in panel["targets"]:
            assert target["datasource"]["uid"] in uids
