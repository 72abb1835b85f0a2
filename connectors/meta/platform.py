"""What Spendlens knows of Meta Ads, in one place (see connectors/README.md)."""

from connectors.spec import PlatformSpec

PLATFORM = PlatformSpec(
    name="meta",
    label="Meta Ads",
    colour="#3b5bdb",
    # Meta restates conversions within its longest attribution window (28 days).
    restatement_days=28,
    default_concurrency=2,
    endpoints={"meta_graph_url": "https://graph.facebook.com"},
    connector="connectors.meta.connector:MetaConnector",
    sandbox_server="connectors.sandbox.meta.server",
    sandbox_world="connectors.sandbox.meta.world:SANDBOX",
)
