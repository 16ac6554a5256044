"""Response curves: what the next dollar in each channel is likely to return.

Attributed ROAS says what happened; a CFO asks what another 100K (or 100K less) would do.
This is a light marketing-mix model in the manner of Robyn, Meridian and PyMC-Marketing:
per channel a carry-over (normalised geometric adstock) and diminishing returns (logistic
saturation), plus a baseline with trend and yearly seasonality, fitted by bounded nonlinear
least squares (scipy) with weak priors, and moving-block bootstrap refits for intervals.
It is correlation, not an experiment; the page says so.

Pure numpy/scipy: the store-reading service lives in ``alignment.allocation.next_dollar``.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field

import numpy as np
import pandas as pd
from scipy.optimize import least_squares

from alignment.shared.errors import ValidationFailed

LAGS = {"week": 8, "month": 3}
"""Carry-over window: about two months either way."""
PERIODS_PER_MONTH = {"week": 52 / 12, "month": 1.0}
MIN_PERIODS = {"week": 26, "month": 12}
PERIOD_WORD = {"week": "weeks", "month": "months"}
REFERENCE_PERIODS = {"week": 52, "month": 12}
"""'Today' is the last year: its monthly average spend, and its spend pattern scaled up or down."""
BOOTSTRAP_DRAWS = 40
INTERVAL = (5.0, 95.0)
ALPHA_BOUNDS = (0.0, 0.9)
LAMBDA_BOUNDS = (0.05, 4.0)
ALPHA_PRIOR = (0.3, 0.4)
LOG_LAMBDA_PRIOR = (math.log(1.5), 0.5)
PRIOR_WEIGHT = 0.3


class NotEnoughData(ValidationFailed):
    """The figures cannot support a fit; the message says which and why."""


@functools.lru_cache(maxsize=1024)
def _weights(alpha: float, lags: int) -> tuple[np.ndarray, np.ndarray]:
    """Normalised geometric weights alpha**l / sum(alpha**j) and their derivative in alpha.
    Kept (read-only) per alpha: a proposal asks for the same few thousands of times."""
    powers = np.arange(lags, dtype=float)
    raw = alpha**powers
    slope = np.where(powers > 0, powers * alpha ** np.maximum(powers - 1, 0), 0.0)
    total, total_slope = raw.sum(), slope.sum()
    weights, slopes = raw / total, (slope * total - raw * total_slope) / total**2
    weights.setflags(write=False)
    slopes.setflags(write=False)
    return weights, slopes


def adstock(spend: np.ndarray, alpha: float, lags: int) -> np.ndarray:
    """Carry-over: each period keeps a share of earlier spend (weights alpha**l, summing to 1).

    Spend before the first period counts as zero, as in PyMC-Marketing.
    """
    spend = np.asarray(spend, dtype=float)
    return np.convolve(spend, _weights(alpha, lags)[0])[: len(spend)]


def saturation(level: np.ndarray | float, lam: float) -> np.ndarray | float:
    """Diminishing returns: logistic (1 - e^-lam*x) / (1 + e^-lam*x), 0 at 0 and 1 at infinity."""
    return np.tanh(np.multiply(lam, level) / 2.0)


@dataclass(frozen=True)
class ChannelCurve:
    """One channel's response: beta * saturation(adstock(spend / scale, alpha), lam)."""

    channel: str
    alpha: float
    lam: float
    beta: float
    scale: float
    lags: int

    def effect(self, spend: np.ndarray) -> np.ndarray:
        return np.asarray(
            self.beta
            * saturation(
                adstock(np.asarray(spend, float) / self.scale, self.alpha, self.lags), self.lam
            )
        )


@dataclass(frozen=True)
class Model:
    """A fitted (or given) model: a baseline per period plus every channel's effect."""

    curves: tuple[ChannelCurve, ...]
    baseline: np.ndarray

    def predict(self, spend: pd.DataFrame) -> np.ndarray:
        total = np.array(self.baseline, dtype=float)
        for curve in self.curves:
            total = total + curve.effect(spend[curve.channel].to_numpy(float))
        return total

    def curve(self, channel: str) -> ChannelCurve:
        return next(c for c in self.curves if c.channel == channel)


def roi(model: Model, spend: pd.DataFrame, channel: str) -> float:
    """Predicted outcome with actual spend minus the prediction with the channel switched off,
    over the channel's spend: the model's incremental return per unit spent."""
    switched_off = spend.copy()
    switched_off[channel] = 0.0
    gain = model.predict(spend) - model.predict(switched_off)
    return float(gain.sum() / spend[channel].sum())


def marginal_roi(model: Model, spend: pd.DataFrame, channel: str, step: float = 0.01) -> float:
    """The gain from 1% more spend in every period, over that 1%: what the next dollar does."""
    more = spend.copy()
    more[channel] = more[channel] * (1 + step)
    gain = model.predict(more) - model.predict(spend)
    return float(gain.sum() / (step * spend[channel].sum()))


@dataclass(frozen=True)
class ResponseData:
    """What the model sees: spend per channel and the chosen outcome, one row per period."""

    grain: str
    starts: tuple[dt.date, ...]
    spend: pd.DataFrame
    outcome: np.ndarray
    outcome_label: str
    attributed: dict[str, float] = field(default_factory=dict)
    """Attributed return per channel over the same periods (outcome label), for comparison."""
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class ChannelResult:
    """One channel's fitted response, with the intervals the page must show beside it."""

    channel: str
    spend: float
    monthly_spend: float
    roi: float
    roi_low: float
    roi_high: float
    marginal_roi: float
    marginal_roi_low: float
    marginal_roi_high: float
    attributed_roas: float | None
    carry_over: float


@dataclass(frozen=True)
class ResponseFit:
    grain: str
    periods: int
    first: dt.date
    last: dt.date
    outcome_label: str
    channels: tuple[ChannelResult, ...]
    left_out: tuple[str, ...]
    notes: tuple[str, ...]
    r_squared: float
    model: Model
    draws: tuple[Model, ...]
    spend: pd.DataFrame
    reference_periods: int

    @property
    def summary(self) -> str:
        """What the curves were fitted on and how closely they follow it, in one sentence."""
        word = PERIOD_WORD[self.grain]
        return (
            f"Fitted on {self.periods} {word} of {self.outcome_label}, {self.first:%b %Y} to "
            f"{self.last:%b %Y}; the model explains {self.r_squared:.1%} of its ups and downs."
        )

    @property
    def periods_per_month(self) -> float:
        return PERIODS_PER_MONTH[self.grain]

    @property
    def monthly_spend(self) -> float:
        """Today's monthly spend on the fitted channels (last year's average)."""
        return sum(c.monthly_spend for c in self.channels)

    def channel(self, name: str) -> ChannelResult:
        return next(c for c in self.channels if c.channel == name)

    @functools.cached_property
    def _spend_by_channel(self) -> dict[str, tuple[float, np.ndarray]]:
        """Each channel's monthly spend today and its spend per period, read once: a
        proposal evaluates the curves thousands of times."""
        return {
            c.channel: (c.monthly_spend, self.spend[c.channel].to_numpy(float))
            for c in self.channels
        }

    def monthly_outcome(self, model: Model, channel: str, monthly_spend: float) -> float:
        """The channel's average monthly outcome over the reference year had its spend there
        been scaled to ``monthly_spend`` a month (same ups and downs, carry-over included)."""
        today, spend = self._spend_by_channel[channel]
        factor = monthly_spend / today if today > 0 else 0.0
        effect = model.curve(channel).effect(spend * factor)
        return float(effect[-self.reference_periods :].sum() / self.reference_months)

    @property
    def reference_months(self) -> float:
        return self.reference_periods / self.periods_per_month

    def curve_frame(self, channel: str, points: int = 41) -> pd.DataFrame:
        """Monthly spend against the monthly outcome it buys, with the bootstrap band."""
        today = self.channel(channel).monthly_spend
        monthly = np.linspace(0.0, today * 2.5, points)

        def outcome(model: Model) -> np.ndarray:
            return np.array([self.monthly_outcome(model, channel, m) for m in monthly])

        frame = pd.DataFrame({"monthly_spend": monthly, "monthly_outcome": outcome(self.model)})
        if self.draws:
            draws = np.array([outcome(m) for m in self.draws])
            frame["low"] = np.percentile(draws, INTERVAL[0], axis=0)
            frame["high"] = np.percentile(draws, INTERVAL[1], axis=0)
        else:
            frame["low"] = frame["high"] = frame["monthly_outcome"]
        return frame


def _check(data: ResponseData) -> tuple[list[str], list[str]]:
    """The channels a fit can use and why the others cannot; raises when nothing can be fitted."""
    word = PERIOD_WORD[data.grain]
    n = len(data.outcome)
    needed = MIN_PERIODS[data.grain]
    if n < needed:
        held = f"{n} {word if n != 1 else data.grain}"
        raise NotEnoughData(
            f"Response curves need at least {needed} {word} of spend and "
            f"{data.outcome_label}; the figures hold {held}. Until then, use attributed ROAS "
            "and say it is attributed."
        )
    outcome = np.asarray(data.outcome, dtype=float)
    missing = [data.starts[i] for i in np.flatnonzero(~np.isfinite(outcome))]
    if missing:
        shown = ", ".join(_period_name(d, data.grain) for d in missing[:3])
        raise NotEnoughData(
            f"{data.outcome_label.capitalize()} is missing for {shown}"
            f"{' and others' if len(missing) > 3 else ''}; the model needs it for every "
            f"{data.grain} it uses."
        )
    negative = [data.starts[i] for i in np.flatnonzero(outcome < 0)]
    if negative:
        raise NotEnoughData(
            f"{data.outcome_label.capitalize()} is negative in "
            f"{_period_name(negative[0], data.grain)}; the model cannot fit an outcome below zero."
        )
    if not np.any(outcome > 0):
        raise NotEnoughData(
            f"{data.outcome_label.capitalize()} is zero throughout; there is nothing to explain."
        )
    usable, left_out = [], []
    for channel in data.spend.columns:
        spend = data.spend[channel].to_numpy(float)
        if np.any(~np.isfinite(spend)) or np.any(spend < 0):
            raise NotEnoughData(
                f"{channel} has missing or negative spend; the model needs spend of zero "
                f"or more in every {data.grain}."
            )
        if not np.any(spend > 0):
            left_out.append(
                f"{channel} had no spend in these {n} {word}, so the model cannot say what "
                "it returns; it is left out."
            )
        elif spend.std() <= 0.01 * spend.mean():
            left_out.append(
                f"{channel}'s spend barely changed from {data.grain} to {data.grain}, so its "
                "effect cannot be told apart from the baseline; it is left out."
            )
        else:
            usable.append(channel)
    if not usable:
        raise NotEnoughData(
            "No channel's spend varies over these "
            f"{word}, so no response curve can be fitted. " + " ".join(left_out)
        )
    return usable, left_out


def _period_name(day: dt.date, grain: str) -> str:
    return f"{day:%Y-%m}" if grain == "month" else f"the week of {day:%Y-%m-%d}"


def _baseline_design(starts: tuple[dt.date, ...]) -> np.ndarray:
    """Intercept, linear trend and yearly seasonality: none under a year of data, a second
    harmonic only from three years on, so that short series keep their degrees of freedom."""
    n = len(starts)
    ordinal = np.array([d.toordinal() for d in starts], dtype=float)
    span_days = ordinal[-1] - ordinal[0]
    trend = (ordinal - ordinal[0]) / max(span_days, 1.0)
    columns = [np.ones(n), trend]
    day_of_year = np.array([d.timetuple().tm_yday for d in starts], dtype=float)
    harmonics = 0 if span_days < 330 else 1 if span_days < 3 * 365 else 2
    for k in range(1, harmonics + 1):
        angle = 2 * np.pi * k * day_of_year / 365.25
        columns += [np.sin(angle), np.cos(angle)]
    return np.column_stack(columns)


@dataclass
class _Problem:
    """The least-squares problem for one outcome series (reused by every bootstrap refit)."""

    spend: np.ndarray
    scales: np.ndarray
    design: np.ndarray
    lags: int
    level: float

    @property
    def channels(self) -> int:
        return self.spend.shape[1]

    def unpack(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        k = self.channels
        return theta[:k], np.exp(theta[k : 2 * k]), theta[2 * k : 3 * k], theta[3 * k :]

    def effects(self, alphas: np.ndarray, lams: np.ndarray) -> np.ndarray:
        return np.column_stack(
            [
                saturation(
                    adstock(self.spend[:, c] / self.scales[c], alphas[c], self.lags), lams[c]
                )
                for c in range(self.channels)
            ]
        )

    def predict(self, theta: np.ndarray) -> np.ndarray:
        alphas, lams, betas, gammas = self.unpack(theta)
        return self.effects(alphas, lams) @ betas + self.design @ gammas

    def residuals(self, theta: np.ndarray, target: np.ndarray, spread: float) -> np.ndarray:
        k = self.channels
        priors = np.concatenate(
            [
                (theta[:k] - ALPHA_PRIOR[0]) / ALPHA_PRIOR[1],
                (theta[k : 2 * k] - LOG_LAMBDA_PRIOR[0]) / LOG_LAMBDA_PRIOR[1],
            ]
        )
        return np.concatenate([(self.predict(theta) - target) / spread, PRIOR_WEIGHT * priors])

    def jacobian(self, theta: np.ndarray, target: np.ndarray, spread: float) -> np.ndarray:
        """Exact derivatives, so each refit costs a handful of model evaluations."""
        k, n = self.channels, len(target)
        alphas, lams, betas, _ = self.unpack(theta)
        jac = np.zeros((n + 2 * k, len(theta)))
        for c in range(k):
            level = self.spend[:, c] / self.scales[c]
            weights, slopes = _weights(alphas[c], self.lags)
            carried = np.convolve(level, weights)[:n]
            carried_slope = np.convolve(level, slopes)[:n]
            tanh = np.tanh(lams[c] * carried / 2)
            bend = betas[c] * (1 - tanh**2)
            jac[:n, c] = bend * lams[c] / 2 * carried_slope
            jac[:n, k + c] = bend * carried / 2 * lams[c]
            jac[:n, 2 * k + c] = tanh
        jac[:n, 3 * k :] = self.design
        jac[:n] /= spread
        jac[n + np.arange(k), np.arange(k)] = PRIOR_WEIGHT / ALPHA_PRIOR[1]
        jac[n + k + np.arange(k), k + np.arange(k)] = PRIOR_WEIGHT / LOG_LAMBDA_PRIOR[1]
        return jac

    def bounds(self) -> tuple[np.ndarray, np.ndarray]:
        k, g = self.channels, self.design.shape[1]
        low = np.concatenate(
            [
                np.full(k, ALPHA_BOUNDS[0]),
                np.full(k, math.log(LAMBDA_BOUNDS[0])),
                np.zeros(k),
                np.full(g, -np.inf),
            ]
        )
        high = np.concatenate(
            [
                np.full(k, ALPHA_BOUNDS[1]),
                np.full(k, math.log(LAMBDA_BOUNDS[1])),
                np.full(k, np.inf),
                np.full(g, np.inf),
            ]
        )
        return low, high

    def solve(self, target: np.ndarray, starts: list[np.ndarray]) -> np.ndarray:
        spread = max(float(np.std(target)), 1e-9)
        low, high = self.bounds()
        best = None
        for start in starts:
            found = least_squares(
                self.residuals,
                np.clip(start, low + 1e-9, np.where(np.isfinite(high), high - 1e-9, high)),
                bounds=(low, high),
                args=(target, spread),
                jac=self.jacobian,
                method="trf",
                x_scale="jac",
                max_nfev=400,
            )
            if best is None or found.cost < best.cost:
                best = found
        assert best is not None
        return best.x

    def initial(self, target: np.ndarray, alpha: float, lam: float) -> np.ndarray:
        """Start from given carry-over and saturation, with the linear part solved exactly."""
        k = self.channels
        alphas, lams = np.full(k, alpha), np.full(k, lam)
        columns = np.column_stack([self.effects(alphas, lams), self.design])
        coefficients, *_ = np.linalg.lstsq(columns, target, rcond=None)
        betas = np.clip(coefficients[:k], 0.0, None)
        gammas, *_ = np.linalg.lstsq(
            self.design, target - self.effects(alphas, lams) @ betas, rcond=None
        )
        return np.concatenate([alphas, np.log(lams), betas, gammas])

    def model(self, theta: np.ndarray, names: list[str]) -> Model:
        alphas, lams, betas, gammas = self.unpack(theta)
        curves = tuple(
            ChannelCurve(
                name,
                float(alphas[c]),
                float(lams[c]),
                float(betas[c] * self.level),
                float(self.scales[c]),
                self.lags,
            )
            for c, name in enumerate(names)
        )
        return Model(curves, self.design @ gammas * self.level)


def fit(
    data: ResponseData,
    *,
    draws: int = BOOTSTRAP_DRAWS,
    seed: int = 20261123,
    progress: Callable[[float], None] | None = None,
) -> ResponseFit:
    """Fit every usable channel's curve, with bootstrap intervals on ROI and marginal ROI."""
    usable, left_out = _check(data)
    lags = LAGS[data.grain]
    spend_frame = data.spend[usable].astype(float)
    spend = spend_frame.to_numpy()
    outcome = np.asarray(data.outcome, dtype=float)
    level = float(outcome.mean())
    target = outcome / level
    scales = np.array([spend[:, c][spend[:, c] > 0].mean() for c in range(len(usable))])
    problem = _Problem(spend, scales, _baseline_design(data.starts), lags, level)
    starts = [problem.initial(target, a, lam) for a in (0.1, 0.5) for lam in (0.5, 1.5, 4.0)]
    theta = problem.solve(target, starts)
    model = problem.model(theta, usable)
    fitted = problem.predict(theta)
    if progress:
        progress(1 / (draws + 1))

    rng = np.random.default_rng(seed)
    residuals = target - fitted
    n, block = len(target), max(2, lags // 2)
    draw_models = []
    for i in range(draws):
        picks = np.concatenate(
            [np.arange(s, s + block) for s in rng.integers(0, n - block + 1, n // block + 1)]
        )[:n]
        resampled = fitted + residuals[picks]
        draw_models.append(problem.model(problem.solve(resampled, [theta]), usable))
        if progress:
            progress((i + 2) / (draws + 1))

    ppm = PERIODS_PER_MONTH[data.grain]
    reference = min(n, REFERENCE_PERIODS[data.grain])
    recent = spend[-reference:].mean(axis=0)
    results = []
    for c, channel in enumerate(usable):
        rois = [roi(m, spend_frame, channel) for m in draw_models]
        mrois = [marginal_roi(m, spend_frame, channel) for m in draw_models]
        curve = model.curve(channel)
        attributed = data.attributed.get(channel)
        results.append(
            ChannelResult(
                channel=channel,
                spend=float(spend[:, c].sum()),
                monthly_spend=float(recent[c] * ppm),
                roi=roi(model, spend_frame, channel),
                roi_low=_pct(rois, INTERVAL[0]),
                roi_high=_pct(rois, INTERVAL[1]),
                marginal_roi=marginal_roi(model, spend_frame, channel),
                marginal_roi_low=_pct(mrois, INTERVAL[0]),
                marginal_roi_high=_pct(mrois, INTERVAL[1]),
                attributed_roas=None
                if attributed is None
                else attributed / float(spend[:, c].sum()),
                carry_over=curve.alpha,
            )
        )
    total = float(np.sum((outcome - outcome.mean()) ** 2))
    r_squared = (
        1 - float(np.sum((outcome - fitted * level) ** 2)) / total if total > 0 else float("nan")
    )
    return ResponseFit(
        grain=data.grain,
        periods=n,
        first=data.starts[0],
        last=data.starts[-1],
        outcome_label=data.outcome_label,
        channels=tuple(results),
        left_out=tuple(left_out),
        notes=data.notes,
        r_squared=r_squared,
        model=model,
        draws=tuple(draw_models),
        spend=spend_frame,
        reference_periods=reference,
    )


def _pct(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else float("nan")


BOUNDS = (0.5, 2.0)
"""Default limits on each channel's proposed spend, as multiples of today's."""
ALLOCATION_STEPS = 2000


@dataclass(frozen=True)
class ProposalLine:
    channel: str
    today: float
    proposed: float
    lower: float
    upper: float
    marginal_roi_today: float
    marginal_roi_proposed: float
    at_bound: str | None

    @property
    def change(self) -> float:
        return self.proposed - self.today


@dataclass(frozen=True)
class Proposal:
    """A monthly split of the budget across the fitted channels; nothing is changed by it."""

    budget: float
    today_total: float
    lines: tuple[ProposalLine, ...]
    expected_change: float
    change_low: float
    change_high: float
    outcome_label: str
    assumptions: tuple[str, ...]

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            [{**vars(line), "change": line.change} for line in self.lines],
            columns=[
                "channel",
                "today",
                "proposed",
                "change",
                "lower",
                "upper",
                "marginal_roi_today",
                "marginal_roi_proposed",
                "at_bound",
            ],
        )


def default_bounds(fit: ResponseFit) -> dict[str, tuple[float, float]]:
    return {
        c.channel: (BOUNDS[0] * c.monthly_spend, BOUNDS[1] * c.monthly_spend) for c in fit.channels
    }


def next_dollar(fit: ResponseFit, model: Model, channel: str, monthly_spend: float) -> float:
    """Marginal return at a monthly spend level: the gain from 1% more, over that 1%."""
    step = max(monthly_spend, fit.channel(channel).monthly_spend * 1e-3) * 0.01
    more = fit.monthly_outcome(model, channel, monthly_spend + step)
    return (more - fit.monthly_outcome(model, channel, monthly_spend)) / step


def propose(
    fit: ResponseFit,
    budget: float,
    bounds: dict[str, tuple[float, float]] | None = None,
    money: Callable[[float], str] = lambda v: f"{v:,.0f}",
    steps: int = ALLOCATION_STEPS,
) -> Proposal:
    """Spread a monthly budget in small increments, each to the channel whose next increment
    returns most, within each channel's bounds, until the budget is spent."""
    if budget is None or not math.isfinite(budget):
        raise ValidationFailed(
            "The budget is not a number; give the monthly total to spread across the channels."
        )
    if budget <= 0:
        raise ValidationFailed(
            f"A budget of {money(budget)} cannot be split; give a monthly total above zero."
        )
    limits = dict(default_bounds(fit))
    for channel, (low, high) in (bounds or {}).items():
        if channel not in limits:
            raise ValidationFailed(
                f"{channel} has no response curve, so it cannot take part in the proposal."
            )
        if not (math.isfinite(low) and math.isfinite(high)) or low < 0:
            raise ValidationFailed(f"The bounds for {channel} must be amounts of zero or more.")
        if low > high:
            raise ValidationFailed(
                f"The lowest spend allowed for {channel} ({money(low)}) is above its "
                f"highest ({money(high)})."
            )
        limits[channel] = (low, high)
    floor = sum(low for low, _ in limits.values())
    ceiling = sum(high for _, high in limits.values())
    if floor > budget * (1 + 1e-9):
        raise ValidationFailed(
            f"The lowest spends allowed already add up to {money(floor)} a month, more than the "
            f"budget of {money(budget)}; lower the bounds or raise the budget."
        )
    if ceiling < budget * (1 - 1e-9):
        raise ValidationFailed(
            f"The highest spends allowed add up to only {money(ceiling)} a month, less than the "
            f"budget of {money(budget)}; raise the bounds or lower the budget."
        )

    model = fit.model
    spend = {channel: low for channel, (low, _) in limits.items()}
    remaining = budget - floor
    step = remaining / steps

    def gain(channel: str) -> float:
        room = min(step, limits[channel][1] - spend[channel])
        if room <= step * 1e-9:
            return -math.inf
        now = spend[channel]
        return (
            fit.monthly_outcome(model, channel, now + room)
            - fit.monthly_outcome(model, channel, now)
        ) / room

    gains = {channel: gain(channel) for channel in spend}
    while remaining > step * 1e-6:
        best = max(gains, key=gains.__getitem__)
        if gains[best] == -math.inf:
            break
        amount = min(step, remaining, limits[best][1] - spend[best])
        spend[best] += amount
        remaining -= amount
        gains[best] = gain(best)

    today = {c.channel: c.monthly_spend for c in fit.channels}

    def change(m: Model) -> float:
        return sum(
            fit.monthly_outcome(m, ch, spend[ch]) - fit.monthly_outcome(m, ch, today[ch])
            for ch in spend
        )

    changes = [change(m) for m in fit.draws]
    lines = []
    tolerance = max(step, budget * 1e-9)
    for channel, (low, high) in limits.items():
        bound = (
            "lower"
            if spend[channel] <= low + tolerance
            else "upper"
            if spend[channel] >= high - tolerance
            else None
        )
        lines.append(
            ProposalLine(
                channel=channel,
                today=today[channel],
                proposed=spend[channel],
                lower=low,
                upper=high,
                marginal_roi_today=next_dollar(fit, model, channel, today[channel]),
                marginal_roi_proposed=next_dollar(fit, model, channel, spend[channel]),
                at_bound=bound,
            )
        )
    today_total = fit.monthly_spend
    assumptions = [
        fit.summary,
        "Each channel keeps last year's ups and downs, scaled to the proposed monthly level; "
        "the change is the average per month over such a year, carry-over included.",
        "Each channel stays between its bounds (by default half and twice today's spend): "
        "beyond the spend the figures have seen, a curve is a guess.",
        f"The interval is the middle {INTERVAL[1] - INTERVAL[0]:.0f}% of {len(fit.draws)} refits "
        "on resampled figures; it does not cover a hidden driver the figures do not show.",
    ]
    if fit.left_out:
        assumptions.append(
            "Channels without a curve keep their spend and are not part of this budget."
        )
    return Proposal(
        budget=budget,
        today_total=today_total,
        lines=tuple(lines),
        expected_change=change(model),
        change_low=_pct(changes, INTERVAL[0]),
        change_high=_pct(changes, INTERVAL[1]),
        outcome_label=fit.outcome_label,
        assumptions=tuple(assumptions),
    )
