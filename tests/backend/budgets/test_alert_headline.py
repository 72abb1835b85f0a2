"""The alert list's headline: the point of a rule's message in a line, without the budget's name
the list shows beside it (messages as the rules write them)."""

from __future__ import annotations

from backend.services.alerts.actions import HEADLINE_CHARS, headline


def test_the_headline_is_the_first_clause_without_the_budget_in_parentheses():
    stale = (
        "Data of Meta Ads (Meta Oct) is stale: no successful sync in 12 hours for Acme (never). "
        "Pacing and alerts rest on old numbers."
    )
    assert headline(stale, "Meta Oct") == "Data of Meta Ads is stale"
    spike = "Meta Ads (Meta Oct) had a spike on 2026-12-03: USD 900.00 against USD 300.00."
    assert headline(spike, "Meta Oct") == "Meta Ads had a spike on 2026-12-03"


def test_the_figures_in_parentheses_stay_in_the_message():
    roas = (
        "Predicted 365-day ROAS of the customers Meta Oct acquired this period is 74%, under the "
        "target of 120% (120 customers, predicted LTV USD 3.00 for USD 4.00 spent)."
    )
    assert headline(roas, "Meta Oct").endswith("is 74%, under the target of 120%")
    gain = (
        "Reallocating the same daily spend is expected to bring 12% more predicted revenue "
        "(USD 120.00 a day, 80% interval USD 50.00 to USD 190.00; recommendation run 4). Meta."
    )
    assert (
        headline(gain)
        == "Reallocating the same daily spend is expected to bring 12% more predicted revenue"
    )


def test_a_long_headline_is_cut_at_a_word():
    names = ", ".join(f"Acme account number {i}" for i in range(20))
    text = headline(f"Ad account credentials in Meta Ads (B) are failing for {names}. Act.", "B")
    assert len(text) <= HEADLINE_CHARS and text.endswith("…")
    assert text.startswith("Ad account credentials in Meta Ads are failing for Acme account")
    assert not text[:-1].endswith(" ")
