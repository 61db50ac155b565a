"""Alert rules: pure functions of signals and window figures (no I/O, no clock).

Threshold rules look at one signal; the surge rule looks at one company's signals of the last
hour. Every ``alert_id`` is derived from what triggered it, so a replayed input yields the same
alert and consumers can drop duplicates by id.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from signals.models import Alert, Severity, Signal, WindowFigures, stable_id
from streams.settings import Settings

_LOWER: dict[Severity, Severity] = {"critical": "warning", "warning": "info", "info": "info"}


@dataclass(frozen=True)
class AlertRules:
    """Thresholds of every rule (from ``SIGNALS_*`` settings)."""

    funding_usd: float = 100_000_000.0
    gpu_quantity: int = 10_000
    revenue_change_pct: float = 20.0
    surge_min_signals: int = 3
    surge_min_sources: int = 2
    # a figure this many times the threshold makes the alert critical
    critical_factor: float = 10.0

    @classmethod
    def from_settings(cls, settings: Settings) -> AlertRules:
        return cls(
            funding_usd=settings.funding_threshold_usd,
            gpu_quantity=settings.gpu_threshold,
            revenue_change_pct=settings.revenue_change_pct,
            surge_min_signals=settings.surge_min_signals,
            surge_min_sources=settings.surge_min_sources,
        )


def usd_amount(signal: Signal) -> float | None:
    """The amount in USD: ``amount_usd``, or ``amount`` when the currency is USD."""
    if signal.amount_usd is not None:
        return signal.amount_usd
    if signal.amount is not None and (signal.currency or "").upper() == "USD":
        return signal.amount
    return None


@dataclass(frozen=True)
class ThresholdHit:
    """A threshold rule that a signal meets (the alert is built from it with the figures)."""

    rule: str
    severity: Severity
    summary: str

    def alert(self, signal: Signal, windows: Sequence[WindowFigures] = ()) -> Alert:
        return Alert(
            alert_id=stable_id("alert", self.rule, signal.signal_id),
            rule=self.rule,
            severity=self.severity,
            kind=signal.kind,
            company=signal.company,
            article_id=signal.article_id,
            summary=self.summary,
            signals=[signal],
            windows=list(windows),
            occurred_at=signal.published_at,
        )


def threshold_hit(signal: Signal, rules: AlertRules) -> ThresholdHit | None:
    """The per-signal threshold rule ``signal`` meets, if any (each kind has one rule).

    Cheap: no window figures are needed to decide, only to build the alert.
    """
    critical: bool
    if signal.kind == "funding":
        usd = usd_amount(signal)
        if usd is None or usd < rules.funding_usd:
            return None
        rule = "funding_threshold"
        critical = usd >= rules.funding_usd * rules.critical_factor
        summary = f"{signal.company} raised {_money(usd)} USD"
    elif signal.kind == "gpu_procurement":
        qty = signal.quantity
        if qty is None or qty < rules.gpu_quantity:
            return None
        rule = "gpu_threshold"
        critical = qty >= rules.gpu_quantity * rules.critical_factor
        verb = signal.status or "procures"
        summary = f"{signal.company} {verb} {qty:,} GPUs"
    else:
        pct = signal.change_pct
        if pct is None or abs(pct) < rules.revenue_change_pct:
            return None
        rule = "revenue_change"
        critical = abs(pct) >= min(100.0, rules.revenue_change_pct * 2.5)
        metric = signal.metric or "revenue"
        summary = f"{signal.company} {metric} {pct:+g}%"
    severity: Severity = "critical" if critical else "warning"
    if signal.hedged:  # reported, not confirmed
        severity = _LOWER[severity]
    return ThresholdHit(rule, severity, summary)


def threshold_alerts(
    signal: Signal, rules: AlertRules, windows: Sequence[WindowFigures] = ()
) -> list[Alert]:
    """Alerts of the per-signal threshold rules (at most one: each kind has one rule)."""
    hit = threshold_hit(signal, rules)
    return [] if hit is None else [hit.alert(signal, windows)]


def surge_holds(members: Mapping[str, str], rules: AlertRules) -> bool:
    """``members`` maps signal_id -> source; true when the surge thresholds are met."""
    return (
        len(members) >= rules.surge_min_signals
        and len(set(members.values())) >= rules.surge_min_sources
    )


def surge_triggered(signal_id: str, members: Mapping[str, str], rules: AlertRules) -> bool:
    """True when the surge rule holds with ``signal_id`` among ``members`` and not without it
    (``members`` maps signal_id -> source): :func:`surge_alert` then yields an alert."""
    if signal_id not in members or not surge_holds(members, rules):
        return False
    without = {k: v for k, v in members.items() if k != signal_id}
    return not surge_holds(without, rules)


def surge_alert(
    signal: Signal,
    members: Mapping[str, str],
    window: WindowFigures,
    rules: AlertRules,
    windows: Sequence[WindowFigures] = (),
) -> Alert | None:
    """The surge alert that ``signal`` triggers, if any.

    ``members`` are the company's signals (id -> source) in the hour window of ``signal``,
    ``signal`` included. It triggers when the rule holds with it and not without it, so one
    window yields one surge alert, and a replay of the same signal yields the same alert.
    """
    if not surge_triggered(signal.signal_id, members, rules):
        return None
    return surge_alert_of(signal, members, window, windows)


def surge_alert_of(
    signal: Signal,
    members: Mapping[str, str],
    window: WindowFigures,
    windows: Sequence[WindowFigures] = (),
) -> Alert:
    """The surge alert of ``signal``, once :func:`surge_triggered` has said it fires."""
    n, sources = len(members), len(set(members.values()))
    return Alert(
        alert_id=stable_id("alert", "surge", signal.company, window.start.isoformat()),
        rule="surge",
        severity="warning",
        kind=signal.kind,
        company=signal.company,
        article_id=signal.article_id,
        summary=f"{signal.company}: {n} signals from {sources} sources within {window.window}",
        signals=[signal],
        windows=[window, *windows],
        occurred_at=signal.published_at,
    )


def _money(value: float) -> str:
    for scale, unit in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
        if abs(value) >= scale:
            return f"{value / scale:,.2f}".rstrip("0").rstrip(".") + unit
    return f"{value:,.0f}"
