"""Prices as people read them: the deployment's CURRENCY in its LOCALE (Babel). Shared
by every room (holds refuse with a price, tickets and emails print them)."""

from __future__ import annotations

import functools
from decimal import Decimal

from babel import Locale
from babel.numbers import format_currency, get_currency_precision

from webapp.booking.context import setting


def money(cents: int) -> str:
    """A price as pages, tickets and emails show it, in the deployment's CURRENCY and
    LOCALE (Babel): £15, £15.50; 15 €, 15,50 € in de_DE. Whole amounts drop the zeros."""
    return _formatted(cents, setting("CURRENCY"), setting("LOCALE"))


def money_range(low: int, high: int, joiner: str = "–") -> str:
    """Prices from `low` to `high` ("£25–£45"), or the one price when they are equal."""
    return money(low) if low == high else f"{money(low)}{joiner}{money(high)}"


@functools.lru_cache(maxsize=4096)  # a seat map shows one price per seat, from a few prices
def _formatted(cents: int, currency: str, locale: str) -> str:
    digits = get_currency_precision(currency)
    amount = Decimal(cents).scaleb(-digits)  # cents are the currency's minor unit
    pattern = Locale.parse(locale).currency_formats["standard"].pattern
    shown = digits if cents % 10**digits else 0  # the currency's own decimals, or none
    pattern = pattern.replace(".00", "." + "0" * shown if shown else "")
    return format_currency(amount, currency, format=pattern, locale=locale, currency_digits=False)
