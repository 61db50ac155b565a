"""Subscriptions file: parsing, filters, SSRF refusals, and a listing without secrets."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from webhook_receiver import make_alert, new_secret

from streams.subscriptions import (
    SubscriptionError,
    TargetRefused,
    check_resolved,
    check_url,
    list_subscriptions,
    load_subscriptions,
    parse_subscriptions,
    public_target,
)

SECRET = new_secret(1)


def one(url: str, allow: bool = False, **extra: object) -> dict[str, object]:
    return {
        "allow_private_targets": allow,
        "subscriptions": [{"id": "desk", "url": url, "secret": SECRET, **extra}],
    }


def test_yaml_and_json_files_load(tmp_path: Path) -> None:
    yml = tmp_path / "hooks.yaml"
    yml.write_text(
        "subscriptions:\n"
        "  - id: desk\n"
        "    url: https://hooks.example.com/in\n"
        f"    secret: {SECRET}\n"
        "    filters: {kinds: [funding], min_severity: warning, companies: [Example Robotics]}\n"
    )
    js = tmp_path / "hooks.json"
    js.write_text(json.dumps(one("https://hooks.example.com/in")))
    config = load_subscriptions(yml)
    assert [s.id for s in config.subscriptions] == ["desk"]
    assert config.subscriptions[0].filters.kinds == ("funding",)
    assert load_subscriptions(js).subscriptions[0].url == "https://hooks.example.com/in"
    assert load_subscriptions(None).subscriptions == ()


@pytest.mark.parametrize(
    ("filters", "alert_overrides", "matches"),
    [
        ({}, {}, True),
        ({"kinds": ["funding"]}, {}, True),
        ({"kinds": ["revenue"]}, {}, False),
        ({"min_severity": "warning"}, {"severity": "warning"}, True),
        ({"min_severity": "critical"}, {"severity": "warning"}, False),
        ({"min_severity": "info"}, {"severity": "critical"}, True),
        ({"companies": ["example robotics"]}, {}, True),
        ({"companies": ["Other Co"]}, {}, False),
    ],
)
def test_filters(filters: dict[str, Any], alert_overrides: dict[str, Any], matches: bool) -> None:
    config = parse_subscriptions(one("https://hooks.example.com/in", filters=filters))
    assert config.subscriptions[0].matches(make_alert(**alert_overrides)) is matches


@pytest.mark.parametrize(
    "url",
    [
        "ftp://hooks.example.com/in",
        "file:///etc/passwd",
        "gopher://127.0.0.1/",
        "http://127.0.0.1:8080/hook",
        "http://localhost/hook",
        "http://api.localhost/hook",
        "http://[::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://10.0.0.5/hook",
        "http://172.16.3.4/hook",
        "http://192.168.1.1/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[fe80::1]/hook",
        "http://100.64.0.1/hook",
        "http://0.0.0.0/hook",
        "http://224.0.0.1/hook",
        "https:///nohost",
    ],
)
def test_refused_targets(url: str) -> None:
    with pytest.raises(TargetRefused):
        check_url(url, allow_private=False)
    with pytest.raises(SubscriptionError) as info:
        parse_subscriptions(one(url))
    assert SECRET not in str(info.value)


def test_loopback_is_allowed_only_when_the_config_says_so() -> None:
    check_url("http://127.0.0.1:9/hook", allow_private=True)
    config = parse_subscriptions(one("http://127.0.0.1:9/hook", allow=True))
    assert config.allow_private_targets
    with pytest.raises(TargetRefused):
        check_url("ftp://127.0.0.1/", allow_private=True)  # the scheme rule always holds


def test_public_targets_pass_and_resolution_is_checked() -> None:
    check_url("https://hooks.example.com/in", allow_private=False)
    check_url("https://93.184.216.34/in", allow_private=False)
    check_resolved(["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"], allow_private=False)
    with pytest.raises(TargetRefused):
        check_resolved(["93.184.216.34", "127.0.0.1"], allow_private=False)
    check_resolved(["127.0.0.1"], allow_private=True)


@pytest.mark.parametrize(
    "bad",
    ["s3cr3t-value", "whsec_", "whsec_not base64!", "whsec_" + "QUJD", "Bearer " + SECRET],
)
def test_bad_secrets_are_refused_without_echoing_them(bad: str) -> None:
    data = one("https://hooks.example.com/in")
    data["subscriptions"][0]["secret"] = bad  # type: ignore[index]
    with pytest.raises(SubscriptionError) as info:
        parse_subscriptions(data)
    assert bad not in str(info.value)


def test_duplicate_ids_are_refused() -> None:
    sub = {"id": "desk", "url": "https://hooks.example.com/in", "secret": SECRET}
    with pytest.raises(SubscriptionError, match="duplicate"):
        parse_subscriptions({"subscriptions": [sub, sub]})


def test_unparsable_file_error_does_not_quote_it(tmp_path: Path) -> None:
    path = tmp_path / "hooks.yaml"
    path.write_text(f"subscriptions: [{{id: desk, secret: {SECRET}\n")
    with pytest.raises(SubscriptionError) as info:
        load_subscriptions(path)
    assert SECRET not in str(info.value)


def test_listing_has_no_secret_and_no_credentials() -> None:
    url = "https://bob:pa55@hooks.example.com:8443/in?token=t0ken#frag"
    config = parse_subscriptions(one(url))
    listing = list_subscriptions(config, disabled=["desk"])
    text = json.dumps(listing)
    for secret in (SECRET, SECRET.removeprefix("whsec_"), "pa55", "t0ken", "bob"):
        assert secret not in text
    assert listing == [
        {
            "id": "desk",
            "target": "https://hooks.example.com:8443/in",
            "filters": {"kinds": [], "min_severity": "info", "companies": []},
            "enabled": False,
        }
    ]
    assert SECRET not in repr(config)
    assert public_target("http://[::1]:8080/x?y=1") == "http://[::1]:8080/x"
