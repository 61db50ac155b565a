from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from signals.models import Evidence, Signal, WindowFigures
from streams.alerts import (
    AlertRules,
    surge_alert,
    surge_holds,
    surge_triggered,
    threshold_alerts,
    threshold_hit,
    usd_amount,
)
from streams.settings import Settings

RULES = AlertRules()
REV = "revenue_change"


def make_signal(**overrides: Any) -> Signal:
    fields: dict[str, Any] = {
        "signal_id": "s1",
        "article_id": "a1",
        "kind": "funding",
        "company": "Acme",
        "company_mention": "Acme",
        "language": "en",
        "confidence": 0.9,
        "evidence": Evidence(field="body", start=0, end=10, sentence="Acme raised"),
        "published_at": datetime(2026, 1, 1, 12, 0, tzinfo=UTC),
    }
    fields.update(overrides)
    return Signal(**fields)


def hour(count: int = 1) -> WindowFigures:
    start = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    return WindowFigures(window="1h", start=start, end=start, count=count)


@pytest.mark.parametrize(
    ("overrides", "rule", "severity"),
    [
        ({"amount": 100e6, "currency": "USD"}, "funding_threshold", "warning"),
        ({"amount": 6e9, "currency": "USD"}, "funding_threshold", "critical"),
        ({"amount": 99e6, "currency": "USD"}, None, None),
        ({"amount": 500e6, "currency": "EUR"}, None, None),  # no USD figure
        ({"amount": 500e6, "currency": "EUR", "amount_usd": 540e6}, "funding_threshold", "warning"),
        ({"amount": 6e9, "currency": "USD", "hedged": True}, "funding_threshold", "warning"),
        ({"kind": "gpu_procurement", "quantity": 10_000}, "gpu_threshold", "warning"),
        ({"kind": "gpu_procurement", "quantity": 350_000}, "gpu_threshold", "critical"),
        ({"kind": "gpu_procurement", "quantity": 9_999}, None, None),
        ({"kind": "gpu_procurement"}, None, None),
        ({"kind": "revenue", "direction": "down", "change_pct": -50.0}, REV, "critical"),
        ({"kind": "revenue", "direction": "up", "change_pct": 20.0}, REV, "warning"),
        ({"kind": "revenue", "direction": "down", "change_pct": -20.0}, REV, "warning"),
        ({"kind": "revenue", "direction": "up", "change_pct": 19.9}, None, None),
        ({"kind": "revenue", "direction": "down"}, None, None),
    ],
)
def test_threshold_rules(overrides: dict[str, Any], rule: str | None, severity: str | None) -> None:
    alerts = threshold_alerts(make_signal(**overrides), RULES, [hour()])
    if rule is None:
        assert alerts == []
        return
    [alert] = alerts
    assert (alert.rule, alert.severity) == (rule, severity)
    assert alert.company == "Acme"
    assert alert.signals[0].signal_id == "s1"
    assert alert.windows == [hour()]
    assert alert.occurred_at == datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


def test_alert_id_is_deterministic_and_depends_on_the_signal() -> None:
    one = threshold_alerts(make_signal(amount=2e8, currency="USD"), RULES, [hour(1)])[0]
    again = threshold_alerts(make_signal(amount=2e8, currency="USD"), RULES, [hour(5)])[0]
    other = threshold_alerts(make_signal(signal_id="s2", amount=2e8, currency="USD"), RULES)[0]
    assert one.alert_id == again.alert_id
    assert one.alert_id != other.alert_id


def test_thresholds_come_from_settings() -> None:
    rules = AlertRules.from_settings(
        Settings(funding_threshold_usd=1e6, gpu_threshold=5, revenue_change_pct=5.0)
    )
    assert threshold_alerts(make_signal(amount=2e6, currency="USD"), rules)
    assert threshold_alerts(make_signal(kind="gpu_procurement", quantity=6), rules)
    assert threshold_alerts(make_signal(kind="revenue", change_pct=-6.0), rules)


def test_usd_amount() -> None:
    assert usd_amount(make_signal(amount=5.0, currency="usd")) == 5.0
    assert usd_amount(make_signal(amount=5.0, currency="EUR")) is None
    assert usd_amount(make_signal(amount=5.0, currency="EUR", amount_usd=6.0)) == 6.0


def test_surge_needs_three_signals_from_two_sources() -> None:
    assert not surge_holds({"a": "x", "b": "y"}, RULES)
    assert not surge_holds({"a": "x", "b": "x", "c": "x"}, RULES)
    assert surge_holds({"a": "x", "b": "y", "c": "x"}, RULES)


def test_surge_fires_once_on_the_crossing_signal() -> None:
    members = {"s1": "wire", "s2": "paper", "s3": "wire"}
    third = make_signal(signal_id="s3")
    alert = surge_alert(third, members, hour(3), RULES)
    assert alert is not None and alert.rule == "surge"
    # the same signal replayed gives the same alert id
    replay = surge_alert(third, members, hour(3), RULES)
    assert replay is not None and replay.alert_id == alert.alert_id
    # a fourth signal in the same window does not alert again
    members["s4"] = "paper"
    assert surge_alert(make_signal(signal_id="s4"), members, hour(4), RULES) is None
    # nor does a signal that is not a member
    assert surge_alert(make_signal(signal_id="zz"), members, hour(4), RULES) is None


def test_surge_alert_id_is_per_company_and_window() -> None:
    members = {"s1": "wire", "s2": "paper", "s3": "wire"}
    a = surge_alert(make_signal(signal_id="s3"), members, hour(3), RULES)
    b = surge_alert(make_signal(signal_id="s3", company="Other"), members, hour(3), RULES)
    assert a is not None and b is not None and a.alert_id != b.alert_id


@pytest.mark.parametrize(
    "overrides",
    [
        {"amount": 6e9, "currency": "USD", "hedged": True},
        {"amount": 99e6, "currency": "USD"},
        {"kind": "gpu_procurement", "quantity": 350_000, "status": "ordered"},
        {"kind": "gpu_procurement"},
        {"kind": "revenue", "direction": "down", "change_pct": -50.0, "metric": "arr"},
        {"kind": "revenue", "direction": "up", "change_pct": 19.9},
    ],
)
def test_threshold_hit_decides_what_threshold_alerts_builds(overrides: dict[str, Any]) -> None:
    signal = make_signal(**overrides)
    hit = threshold_hit(signal, RULES)
    alerts = threshold_alerts(signal, RULES, [hour(2)])
    assert (hit is None) == (alerts == [])
    if hit is not None:  # the rule is decided without figures; the alert carries them
        assert [hit.alert(signal, [hour(2)])] == alerts
        assert (hit.rule, hit.severity, hit.summary) == (
            alerts[0].rule,
            alerts[0].severity,
            alerts[0].summary,
        )


@pytest.mark.parametrize(
    ("members", "signal_id", "triggered"),
    [
        ({"s1": "wire", "s2": "paper", "s3": "wire"}, "s3", True),
        ({"s1": "wire", "s2": "paper", "s3": "wire"}, "zz", False),  # not a member
        ({"s1": "wire", "s2": "wire", "s3": "wire"}, "s3", False),  # one source
        ({"s1": "wire", "s2": "paper", "s3": "wire", "s4": "paper"}, "s4", False),  # held before
        ({"s1": "wire", "s2": "paper"}, "s2", False),  # too few
    ],
)
def test_surge_triggered_is_when_surge_alert_fires(
    members: dict[str, str], signal_id: str, triggered: bool
) -> None:
    assert surge_triggered(signal_id, members, RULES) is triggered
    alert = surge_alert(make_signal(signal_id=signal_id), members, hour(len(members)), RULES)
    assert (alert is not None) is triggered
