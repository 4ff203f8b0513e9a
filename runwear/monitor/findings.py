"""What a check finds: a kind, a severity, a subject, and the figure against its threshold."""

from __future__ import annotations

from dataclasses import asdict, dataclass

INFO, WARN, ALERT = "info", "warn", "alert"
SEVERITY_ORDER = {ALERT: 0, WARN: 1, INFO: 2}


@dataclass(frozen=True)
class Finding:
    """One finding: what kind, how serious, about what, and the figure against its threshold."""

    kind: str
    severity: str  # info | warn | alert
    subject: str
    message: str
    value: float
    threshold: float

    def as_dict(self) -> dict[str, object]:
        """The JSON shape: kind, severity, subject, message, value, threshold."""
        return asdict(self)


def is_problem(warnings: list[Finding]) -> bool:
    """True when any warning is a warn or an alert (the exit code of `check` says so)."""
    return any(w.severity in (WARN, ALERT) for w in warnings)
