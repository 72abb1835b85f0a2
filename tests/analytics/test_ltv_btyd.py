"""BG/NBD and MBG/NBD: parameter recovery on simulated data, likelihood gradient, P(alive),
conditional expectations and the probability of no purchase."""

from __future__ import annotations

import numpy as np
import pytest

from analytics.ltv import (
    BTYDParams,
    GammaGammaParams,
    expected_purchases,
    fit_btyd,
    probability_alive,
    probability_no_purchase,
)
from analytics.ltv.btyd import _weighted_loglik, log_likelihood, unique_rows
from analytics.ltv.simulation import simulate_summary

SPEND = GammaGammaParams(6.0, 4.0, 15.0)
TRUE = (0.5, 20.0, 0.8, 3.0)


@pytest.mark.parametrize("modified", [False, True])
def test_fit_recovers_simulated_parameters_of_20k_customers(modified):
    summary = simulate_summary(20_000, BTYDParams(*TRUE, modified=modified), SPEND, 365, seed=3)
    fitted = fit_btyd(summary["frequency"], summary["recency"], summary["T"], modified=modified)
    np.testing.assert_allclose([fitted.r, fitted.alpha, fitted.a, fitted.b], TRUE, rtol=0.10)


@pytest.mark.parametrize("modified", [False, True])
def test_simulated_mean_purchases_match_the_unconditional_expectation(modified):
    params = BTYDParams(*TRUE, modified=modified)
    summary = simulate_summary(50_000, params, SPEND, 365, seed=4)
    # With no history (x = t_x = T = 0) the conditional expectation is the unconditional one.
    expected = expected_purchases(params, 365.0, 0.0, 0.0, 0.0)
    assert summary["frequency"].mean() == pytest.approx(float(expected), rel=0.03)


@pytest.mark.parametrize("modified", [False, True])
def test_analytic_gradient_matches_finite_differences(modified):
    rng = np.random.default_rng(0)
    x = rng.integers(0, 8, 200).astype(float)
    big_t = rng.uniform(5, 50, 200)
    t_x = np.where(x > 0, rng.uniform(0, 1, 200) * big_t, 0.0)
    w = rng.integers(1, 4, 200).astype(float)
    theta = np.array([0.4, 6.0, 0.9, 2.2])
    value, grad = _weighted_loglik(theta, x, t_x, big_t, w, modified)
    params = BTYDParams(*theta, modified=modified)
    assert value == pytest.approx(float(w @ log_likelihood(params, x, t_x, big_t)))
    numeric = [
        (
            _weighted_loglik(theta + e, x, t_x, big_t, w, modified)[0]
            - _weighted_loglik(theta - e, x, t_x, big_t, w, modified)[0]
        )
        / 2e-6
        for e in 1e-6 * np.eye(4)
    ]
    np.testing.assert_allclose(grad, numeric, rtol=1e-5)


def test_fitted_parameters_maximize_the_log_likelihood():
    summary = simulate_summary(5_000, BTYDParams(*TRUE), SPEND, 365, seed=5)
    args = (summary["frequency"], summary["recency"], summary["T"])
    fitted = fit_btyd(*args)
    best = log_likelihood(fitted, *args).sum()
    for scale in (0.95, 1.05):
        moved = np.array([fitted.r, fitted.alpha, fitted.a, fitted.b]) * scale
        assert log_likelihood(moved, *args, modified=False).sum() < best


def test_bgnbd_gives_p_alive_one_without_repeat_purchases_and_mbgnbd_does_not():
    bg, mbg = BTYDParams(*TRUE), BTYDParams(*TRUE, modified=True)
    assert probability_alive(bg, 0.0, 0.0, 300.0) == pytest.approx(1.0)
    assert probability_alive(mbg, 0.0, 0.0, 300.0) < 0.9


def test_p_alive_falls_as_the_customer_stays_silent():
    params = BTYDParams(*TRUE, modified=True)
    recent, silent = probability_alive(params, 5.0, [300.0, 50.0], 300.0)
    assert recent > silent


def test_expected_purchases_grow_with_the_horizon():
    params = BTYDParams(*TRUE, modified=True)
    values = [float(expected_purchases(params, t, 3.0, 100.0, 200.0)) for t in (30, 90, 365)]
    assert 0 < values[0] < values[1] < values[2]


def test_probability_of_no_purchase_falls_with_the_horizon_and_stays_a_probability():
    params = BTYDParams(*TRUE, modified=True)
    short, long = probability_no_purchase(params, np.array([7.0, 365.0]), 4.0, 150.0, 200.0)
    assert 0.0 <= long < short <= 1.0
    dead_weight = 1.0 - probability_alive(params, 4.0, 150.0, 200.0)
    assert long > dead_weight


def test_unique_rows_collapses_identical_customers_and_rebuilds_them():
    x, t_x, big_t = [3.0, 0.0, 3.0, 1.0], [10.0, 0.0, 10.0, 2.0], [20.0, 5.0, 20.0, 20.0]
    (ux, ut, u_t), inverse, counts = unique_rows(x, t_x, big_t)
    assert len(ux) == 3 and sorted(counts) == [1, 1, 2]
    np.testing.assert_array_equal(ux[inverse], x)
    np.testing.assert_array_equal(ut[inverse], t_x)
    np.testing.assert_array_equal(u_t[inverse], big_t)


def test_a_fit_that_runs_to_a_bound_is_refused_with_the_reason():
    from analytics.ltv._optimize import DegenerateFit

    # CDNOW-like customers summarized from the acquisition = first purchase day, that purchase
    # counted as a repeat at recency 0: the MBG/NBD likelihood has no finite maximum
    summary = simulate_summary(3000, BTYDParams(0.24, 4.4, 0.79, 2.4), SPEND, 273, seed=1)
    recency, T = np.floor(summary["recency"]), np.floor(summary["T"])
    with pytest.raises(DegenerateFit, match="degenerate: the likelihood still rises as"):
        fit_btyd(summary["frequency"] + 1, recency, T, modified=True)
    # counted from the first purchase, as the literature does, the same customers fit
    params = fit_btyd(summary["frequency"], recency, T, modified=True)
    assert 0.1 < params.r < 1.0 and 1.0 < params.alpha < 20.0
