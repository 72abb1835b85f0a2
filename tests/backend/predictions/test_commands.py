"""The commands: the sandbox's customers for the stored sandbox accounts, a training, drift, an
import and an activation."""

from __future__ import annotations

from .conftest import query, store_reference_rates, store_sandbox_accounts


def test_the_demo_customers_train_and_drift_commands(app, db, tmp_path):
    from connectors.sandbox.generator import World
    from devstack import commands

    commands.register(app)  # the demo's commands are not the product's
    runner = app.test_cli_runner()
    world = World()
    store_sandbox_accounts(world)
    store_reference_rates()
    result = runner.invoke(
        args=["demo-customers", "--days", "120", "--share-scale", "0.1", "--no-train"]
    )
    assert result.exit_code == 0, result.output
    assert f'"accounts": {len(world.accounts)}' in result.output
    result = runner.invoke(args=["train-models", "--holdout-days", "30"])
    assert result.exit_code == 0, result.output
    assert "holdout total ratio" in result.output
    assert runner.invoke(args=["measure-drift"]).exit_code == 0
    scores = tmp_path / "scores.csv"
    customer = query("SELECT external_id FROM customers LIMIT 1")[0][0]
    scores.write_text(
        f"customer_id,predicted_ltv_30,predicted_ltv_90,predicted_ltv_365\n{customer},1,2,3\n"
    )
    result = runner.invoke(args=["import-model", str(scores), "--name", "team"])
    assert result.exit_code == 0, result.output
    imported = query("SELECT id FROM model_versions WHERE source = 'import:team'")[0][0]
    result = runner.invoke(args=["activate-model", str(imported)])
    assert result.exit_code == 0, result.output
    assert query("SELECT source FROM model_versions WHERE is_active AND kind = 'ltv'") == [
        ("import:team",)
    ]


def test_a_training_without_data_fails_with_the_reason(runner, db):
    result = runner.invoke(args=["train-models"])
    assert result.exit_code != 0
    assert "training needs at least" in result.output
