"""ISO 4217 currency codes, current and withdrawn (historical revenue may be in kuna), from the
Unicode CLDR data that babel maintains; "XXX" (no currency) and "XTS" (testing) are not money."""

from __future__ import annotations

from functools import lru_cache

from babel.numbers import format_currency, list_currencies

NOT_MONEY = frozenset({"XXX", "XTS"})


@lru_cache(maxsize=1)
def iso_4217_codes() -> frozenset[str]:
    return frozenset(list_currencies()) - NOT_MONEY


def is_currency(code: str) -> bool:
    """Whether `code` (upper case) is an ISO 4217 currency code."""
    return code in iso_4217_codes()


def money_text(value: float, currency: str) -> str:
    """An amount as a sentence shows it, with the currency's symbol (CLDR's, English): whole
    units from 100 ("€1,250"), cents below ("$9.50")."""
    if abs(value) >= 100:
        return format_currency(value, currency, "¤#,##0", locale="en_US", currency_digits=False)
    return format_currency(value, currency, locale="en_US")
