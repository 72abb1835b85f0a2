"""The dashboard's number formats for the en-US locale, written independently of its code, so a
test can say which text a figure of the API must appear as on the page."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥"}


def _rounded(value: float | int | str, places: int) -> Decimal:
    exponent = Decimal(1).scaleb(-places)
    return Decimal(str(value)).quantize(exponent, rounding=ROUND_HALF_UP)


def _signed(text: str, negative: bool) -> str:
    return f"-{text}" if negative else text


def money(value: float | int | str, currency: str) -> str:
    """Table cells and unit costs: "$1,234.56" (Intl currency style, two decimals)."""
    amount = _rounded(value, 2)
    return _signed(f"{SYMBOLS[currency]}{abs(amount):,.2f}", amount < 0)


def money_whole(value: float | int | str, currency: str) -> str:
    """KPI cards: whole units from 1,000 up ("$634,051"), cents below."""
    if abs(Decimal(str(value))) < 1000:
        return money(value, currency)
    amount = _rounded(value, 0)
    return _signed(f"{SYMBOLS[currency]}{abs(amount):,.0f}", amount < 0)


def integer(value: int | float) -> str:
    return f"{_rounded(value, 0):,.0f}"


def number(value: float | int | str, places: int = 2) -> str:
    """A plain number with at most `places` decimals, trailing zeros dropped: 0.80 → "0.8"."""
    text = f"{_rounded(value, places):,.{places}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def churn_note(overall: dict | None, at_age: dict | None) -> str:
    """The note beside a predicted churn: the backtest at the customers' age ("AUC 0.77 at
    D90", or its Brier score where the AUC is undefined), else the overall "AUC 0.81"."""
    if at_age and at_age.get("auc") is not None:
        return f"AUC {number(at_age['auc'])} at {at_age['age_bucket']}"
    if at_age and at_age.get("brier") is not None:
        return f"Brier {number(at_age['brier'])} at {at_age['age_bucket']}"
    return f"AUC {number(overall['auc'])}"


def roas(ratio: float | str) -> str:
    """A ratio as a percentage with one decimal: 0.157 → "15.7%", 1.2 → "120.0%"."""
    percent = _rounded(Decimal(str(ratio)) * 100, 1)
    return f"{percent:,.1f}%"


def delta(current: float | str, previous: float | str) -> str:
    """A KPI's change against the previous range: "+3.8%", "-10.8%", "0%" (one decimal at most)."""
    ratio = (Decimal(str(current)) - Decimal(str(previous))) / abs(Decimal(str(previous)))
    percent = _rounded(ratio * 100, 1)
    if percent == 0:
        return "0%"
    text = f"{abs(percent):,.1f}"
    text = text[:-2] if text.endswith(".0") else text
    return f"{'+' if percent > 0 else '-'}{text}%"


def date(day: str) -> str:
    """A calendar day: "2026-11-29" → "Nov 29, 2026"."""
    import datetime as dt

    return dt.date.fromisoformat(day).strftime("%b %-d, %Y")


def ratio_percent(ratio: float | str) -> str:
    """A share as a percentage with one decimal: 0.2224 → "22.2%"."""
    return f"{_rounded(Decimal(str(ratio)) * 100, 1):,.1f}%"
