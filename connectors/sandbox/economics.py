"""What the sandbox's traffic costs: the shape of a channel's costs (CPM, click-through rate and
cost per install, USD), the spread between campaigns, and the reference exchange rates the
sandbox converts at.
Together with the customers' value (connectors/sandbox/customers.py) they make the demo's
economics; each platform's sandbox package (connectors/sandbox/<name>/world.py) declares its
own costs and customers, and says whether it pays back."""

from __future__ import annotations

from dataclasses import dataclass

from connectors.sandbox.platforms import ByPlatform

#: Units of each currency per US dollar (EUR 0.926 = 1 / 1.08 USD per euro, and so on): the
#: levels around which the demo's synthetic exchange rates wander.
UNITS_PER_USD = {
    "USD": 1.0,
    "EUR": 1 / 1.08,
    "GBP": 0.86 / 1.08,
    "JPY": 158.0 / 1.08,
    "AUD": 1.64 / 1.08,
    "CAD": 1.47 / 1.08,
}


@dataclass(frozen=True)
class ChannelCosts:
    """What a platform's traffic costs (USD): CPM, click-through rate and cost per install."""

    cpm: tuple[float, float]
    ctr: tuple[float, float]
    cpi: float
    #: Share of installs the platform reports as purchases, and their mean value (USD).
    purchase_rate: float
    order_value: float


#: Per platform, as its sandbox package declares it (connectors/sandbox/<name>/world.py).
CHANNEL_COSTS: ByPlatform[ChannelCosts] = ByPlatform("costs")
#: Daily budget of a campaign (USD, before weekday and season).
DAILY_BUDGET_USD = (3.0, 12.0)
#: A campaign's CPI ranges around its channel's by this factor, its quality by this.
CPI_SPREAD = (0.75, 1.35)
QUALITY_SPREAD = (0.55, 1.5)
