"""Response curves: daily spend -> daily outcome with carryover and saturation.

The model of one item (a channel or a campaign), for day t with weekday d(t):

    adstock_t = (1 - decay) * sum_k decay**k * spend_{t-k}        (geometric carryover)
    outcome_t = beta * w_{d(t)} * hill(adstock_t)                  (saturation, weekday)
    hill(a)   = a**shape / (half**shape + a**shape)

The adstock is normalized, so a spend held at x for long enough has adstock x and the
steady-state daily outcome `beta * hill(x)` (the weekday factors `w` have mean 1). Fitting is a
profile over a grid of (decay, half, shape): for each grid point the weekday coefficients are a
closed-form least-squares solution, so every grid point of every bootstrap replicate is scored
with a few matrix products. Uncertainty comes from a moving-block bootstrap of the residuals
(blocks of a week, so autocorrelation and the weekday pattern survive); draw 0 of a curve is the
fit to the data itself, draws 1.. the bootstrap refits.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from threadpoolctl import threadpool_limits

#: Grid of the carryover decay (share of a day's adstock that carries to the next day).
DECAYS = np.array([0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8])
#: Grid of the Hill shape.
SHAPES = np.array([0.6, 0.8, 1.0, 1.3, 1.7])
#: Grid of the half-saturation spend, as multiples of the item's mean daily spend.
HALF_MULTIPLES = np.geomspace(0.2, 8.0, 12)
#: Fits of up to this many series keep every design in memory between passes (float32,
#: ~1 MB per series-year); larger ones compute them again.
KEEP_DESIGNS = 250
#: Carryover beyond this many days is ignored (0.8**42 < 1e-4).
ADSTOCK_DAYS = 42
BOOTSTRAP_DRAWS = 40
BLOCK_DAYS = 28


def adstock(spend: np.ndarray, decay: float) -> np.ndarray:
    """Normalized geometric adstock of a daily series (days before the series spent nothing)."""
    spend = np.asarray(spend, dtype=float)
    if decay == 0.0:
        return spend.copy()
    kernel = (1.0 - decay) * decay ** np.arange(min(ADSTOCK_DAYS, len(spend)))
    return np.convolve(spend, kernel)[: len(spend)]


def hill(spend: np.ndarray, half: np.ndarray | float, shape: np.ndarray | float) -> np.ndarray:
    """Hill saturation in [0, 1): a**shape / (half**shape + a**shape)."""
    spend = np.maximum(np.asarray(spend, dtype=float), 0.0)
    ratio = np.power(spend / half, shape)
    return ratio / (1.0 + ratio)


class _Steady:
    """What every curve offers on top of `revenue`: marginal returns."""

    def revenue(self, spend: np.ndarray | float) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError

    def estimate(self, spend: np.ndarray | float) -> np.ndarray:
        """Steady-state daily outcome of draw 0 (the fit itself) only."""
        return self.revenue(spend)[0]

    def marginal(self, spend: np.ndarray | float, step: float | None = None) -> np.ndarray:
        """d outcome / d spend at steady state (central difference), per draw."""
        x = np.asarray(spend, dtype=float)
        h = step if step is not None else np.maximum(x * 1e-3, 1e-6)
        lo = np.maximum(x - h, 0.0)
        return (self.revenue(x + h) - self.revenue(lo)) / (x + h - lo)


@dataclass
class ResponseCurve(_Steady):
    """A fitted curve: one parameter set per draw (0: the fit, 1..: bootstrap refits)."""

    beta: np.ndarray
    half: np.ndarray
    shape: np.ndarray
    decay: np.ndarray
    #: Weekday factors (Monday first) of draw 0, mean 1.
    weekday: np.ndarray = field(default_factory=lambda: np.ones(7))
    #: Residuals of draw 0's fit, for predictive intervals.
    residuals: np.ndarray = field(default_factory=lambda: np.zeros(0))

    @property
    def draws(self) -> int:
        return len(self.beta)

    def revenue(self, spend: np.ndarray | float) -> np.ndarray:
        """Steady-state daily outcome at daily spend `spend`: shape (draws, *spend.shape)."""
        x = np.asarray(spend, dtype=float)
        expand = (slice(None),) + (None,) * x.ndim
        return self.beta[expand] * hill(x[None, ...], self.half[expand], self.shape[expand])

    def estimate(self, spend: np.ndarray | float) -> np.ndarray:
        return self.beta[0] * hill(spend, self.half[0], self.shape[0])

    def predict_daily(self, spend: np.ndarray, weekdays: np.ndarray) -> np.ndarray:
        """Daily outcome of a spend history (carryover included), per draw: (draws, days)."""
        out = np.empty((self.draws, len(spend)))
        for d in range(self.draws):
            stock = adstock(spend, float(self.decay[d]))
            out[d] = self.beta[d] * hill(stock, self.half[d], self.shape[d])
        return out * self.weekday[weekdays][None, :]

    def to_dict(self) -> dict:
        return {
            "beta": self.beta.tolist(),
            "half": self.half.tolist(),
            "shape": self.shape.tolist(),
            "decay": self.decay.tolist(),
            "weekday": self.weekday.tolist(),
            "residuals": self.residuals.tolist(),
        }

    @classmethod
    def from_dict(cls, data: dict) -> ResponseCurve:
        return cls(**{k: np.asarray(v, dtype=float) for k, v in data.items()})


@dataclass
class CompositeCurve(_Steady):
    """A channel's curve as the sum of its campaigns' when the channel's spend is shared among
    them in proportion to `weights` (their current shares)."""

    keys: list[str]
    parts: list[ResponseCurve]
    weights: np.ndarray
    #: The channel's daily residuals (the sum of its campaigns').
    residuals: np.ndarray

    @property
    def draws(self) -> int:
        return self.parts[0].draws if self.parts else 1

    def revenue(self, spend: np.ndarray | float) -> np.ndarray:
        x = np.asarray(spend, dtype=float)
        total = np.zeros((self.draws, *x.shape))
        for part, weight in zip(self.parts, self.weights, strict=True):
            if weight > 0:
                total += part.revenue(x * weight)
        return total

    def estimate(self, spend: np.ndarray | float) -> np.ndarray:
        x = np.asarray(spend, dtype=float)
        total = np.zeros(x.shape)
        for part, weight in zip(self.parts, self.weights, strict=True):
            if weight > 0:
                total = total + part.estimate(x * weight)
        return total

    def to_dict(self) -> dict:
        return {
            "keys": list(self.keys),
            "parts": [p.to_dict() for p in self.parts],
            "weights": self.weights.tolist(),
            "residuals": self.residuals.tolist(),
        }

    @classmethod
    def from_dict(cls, data: dict) -> CompositeCurve:
        return cls(
            keys=list(data["keys"]),
            parts=[ResponseCurve.from_dict(p) for p in data["parts"]],
            weights=np.asarray(data["weights"], dtype=float),
            residuals=np.asarray(data["residuals"], dtype=float),
        )


def curve_from_dict(data: dict) -> ResponseCurve | CompositeCurve:
    return CompositeCurve.from_dict(data) if "parts" in data else ResponseCurve.from_dict(data)


def fit_response_curve(
    spend: np.ndarray,
    outcome: np.ndarray,
    weekdays: np.ndarray,
    *,
    draws: int = BOOTSTRAP_DRAWS,
    seed: int = 0,
) -> ResponseCurve:
    """Fit one item's curve to aligned daily series (weekday 0 = Monday) with bootstrap draws."""
    design = SeriesDesign(spend, outcome, weekdays, keep=True)
    return fit_designs([design], draws=draws, seed=seed)[0]


class SeriesDesign:
    """One series' design: hill(adstock) of every grid point, with the days sorted by weekday
    so that each weekday is a contiguous slice."""

    def __init__(
        self, spend: np.ndarray, outcome: np.ndarray, weekdays: np.ndarray, keep: bool = False
    ) -> None:
        #: Keep the design in memory once computed (else it is computed again when asked).
        self.keep = keep
        self.spend = np.asarray(spend, dtype=float)
        self.y = np.asarray(outcome, dtype=float)
        self.weekdays = np.asarray(weekdays, dtype=int)
        positive = self.spend > 0
        self.scale = float(self.spend[positive].mean()) if positive.any() else 1.0
        self.order = np.argsort(self.weekdays, kind="stable")
        edges = np.searchsorted(self.weekdays[self.order], np.arange(8))
        self.slices = [slice(edges[d], edges[d + 1]) for d in range(7)]
        self.present = np.array([edges[d + 1] > edges[d] for d in range(7)])
        self._design: tuple[np.ndarray, np.ndarray] | None = None

    def design(self) -> tuple[np.ndarray, np.ndarray]:
        """Features (G, days in weekday order) and their sums of squares per weekday (G, 7)."""
        if self._design is not None:
            return self._design
        features = _features(self.spend, self.scale)[:, self.order]
        den = np.stack(
            [np.einsum("gt,gt->g", features[:, sl], features[:, sl]) for sl in self.slices], 1
        )
        design = features, np.maximum(den.astype(float), 1e-12)
        if self.keep:
            self._design = design
        return design

    def gains(self, features: np.ndarray, den: np.ndarray, targets: np.ndarray) -> np.ndarray:
        """Explained sum of squares of each grid point for each target column: (G, C)."""
        targets = targets[self.order].astype(np.float32)
        gain = np.zeros((features.shape[0], targets.shape[1]))
        for d, sl in enumerate(self.slices):
            if self.present[d]:
                nums = (features[:, sl] @ targets[sl]).astype(float)
                gain += nums**2 / den[:, d : d + 1]
        return gain

    def coefficients(self, rows: np.ndarray, targets: np.ndarray) -> np.ndarray:
        """Weekday coefficients of feature rows `rows` (R, days in weekday order) fitted to the
        target columns (days in time order, R): (R, 7), not negative."""
        targets = targets[self.order]
        coef = np.zeros((rows.shape[0], 7))
        for d, sl in enumerate(self.slices):
            if self.present[d]:
                r = rows[:, sl].astype(float)
                num = np.einsum("rt,tr->r", r, targets[sl])
                coef[:, d] = num / np.maximum(np.einsum("rt,rt->r", r, r), 1e-12)
        return np.maximum(coef, 0.0)

    def fitted(self, row: np.ndarray, coef: np.ndarray) -> np.ndarray:
        """The fit in time order from one feature row (weekday order) and its coefficients."""
        out = np.empty(len(self.y))
        out[self.order] = row.astype(float) * coef[self.weekdays[self.order]]
        return out

    def replicates(self, fitted: np.ndarray, draws: int, seed: int) -> np.ndarray:
        """The data and `draws` bootstrap replicates around `fitted`: (days, 1 + draws)."""
        rng = np.random.default_rng(seed)
        boot = np.maximum(fitted[:, None] + _block_resample(self.y - fitted, draws, rng), 0.0)
        return np.concatenate([self.y[:, None], boot], axis=1)


def fit_shared_curves(
    series: list[tuple[np.ndarray, np.ndarray, np.ndarray]],
    *,
    draws: int = BOOTSTRAP_DRAWS,
    seed: int = 0,
) -> list[ResponseCurve]:
    """Fit several series (the campaigns of a channel) with one carryover and saturation shape
    per draw (half-saturation as the same multiple of each one's mean spend) and a level and
    weekday factors of their own: partial pooling of the shape, each its own size."""
    keep = len(series) <= KEEP_DESIGNS
    return fit_designs([SeriesDesign(*one, keep=keep) for one in series], draws=draws, seed=seed)


def fit_designs(
    items: list[SeriesDesign], *, draws: int = BOOTSTRAP_DRAWS, seed: int = 0
) -> list[ResponseCurve]:
    """`fit_shared_curves` on prepared designs (a design kept in memory serves again)."""
    with threadpool_limits(1):  # small products: threads only contend
        return _fit_designs(items, draws, seed)


def _fit_designs(items: list[SeriesDesign], draws: int, seed: int) -> list[ResponseCurve]:
    grid = _grid()
    total = np.zeros(len(grid))
    for item in items:  # pass 1: the fit to the data
        total += item.gains(*item.design(), item.y[:, None])[:, 0]
    g0 = int(total.argmax())
    gains = np.zeros((len(grid), draws))
    fitted_all = []
    for i, item in enumerate(items):  # pass 2: bootstrap replicates around that fit
        features, den = item.design()
        coef = item.coefficients(features[g0 : g0 + 1], item.y[:, None])[0]
        fitted = item.fitted(features[g0], coef)
        fitted_all.append(fitted)
        if draws:
            gains += item.gains(features, den, item.replicates(fitted, draws, seed + i)[:, 1:])
    chosen = np.concatenate([[g0], gains.argmax(axis=0)]).astype(int)
    curves = []
    for i, item in enumerate(items):  # pass 3: each series' level and weekdays per draw
        rows = item.design()[0][chosen]
        coef = item.coefficients(rows, item.replicates(fitted_all[i], draws, seed + i))
        level = coef[:, item.present].mean(axis=1)
        weekday = np.ones(7)
        if level[0] > 0:
            weekday[item.present] = coef[0, item.present] / level[0]
        curves.append(
            ResponseCurve(
                beta=level,
                half=grid[chosen, 1] * item.scale,
                shape=grid[chosen, 2].copy(),
                decay=grid[chosen, 0].copy(),
                weekday=weekday,
                residuals=item.y - fitted_all[i],
            )
        )
    return curves


def _grid() -> np.ndarray:
    """(decay, half multiple, shape) of every grid point, in the order of `_features`' rows."""
    mesh = np.meshgrid(DECAYS, HALF_MULTIPLES, SHAPES, indexing="ij")
    return np.stack(mesh, axis=-1).reshape(-1, 3)


def _features(spend: np.ndarray, scale: float) -> np.ndarray:
    """hill(adstock) of each grid point of `_grid()` for a spend series: (G, days)."""
    stocks = np.stack([adstock(spend, float(d)) for d in DECAYS]) / scale  # (D, days)
    with np.errstate(divide="ignore", over="ignore"):
        logs = np.log(stocks[:, None, :] / HALF_MULTIPLES[None, :, None]).astype(np.float32)
        exponent = -SHAPES.astype(np.float32)[None, None, :, None] * logs[:, :, None, :]
        return (1.0 / (1.0 + np.exp(exponent))).reshape(-1, len(spend))


def _block_resample(residuals: np.ndarray, draws: int, rng: np.random.Generator) -> np.ndarray:
    """Moving-block bootstrap of a residual series: (days, draws)."""
    n = len(residuals)
    block = min(BLOCK_DAYS, n)
    blocks = -(-n // block)
    starts = rng.integers(0, n - block + 1, size=(draws, blocks))
    index = (starts[:, :, None] + np.arange(block)[None, None, :]).reshape(draws, -1)[:, :n]
    return residuals[index].T


def window_sum_noise(
    residuals: np.ndarray, days: int, draws: int, rng: np.random.Generator
) -> np.ndarray:
    """The outcome's noise over a window of `days`, per draw: normal, with the spread of the
    fit's residuals summed over every `days` consecutive days of its history (errors that
    persist for weeks, as a budget plan lasts, count as they happened)."""
    if len(residuals) < 2:
        return np.zeros(draws)
    span = min(days, len(residuals))
    sums = np.convolve(residuals, np.ones(span), mode="valid") * (days / span)
    spread = max(float(sums.std()), float(residuals.std()) * np.sqrt(days))
    return rng.normal(0.0, spread, size=draws)
