"""SQLAlchemy models, one module per aggregate. Importing this package registers them all."""

from backend.models.ad_account import AccountStatus, AdAccount, Campaign
from backend.models.api_token import ApiToken
from backend.models.audit import AuditLog
from backend.models.customers import Customer, RevenueEvent
from backend.models.fx import FxRate
from backend.models.metrics import AdDailyMetric, CampaignDailyMetric
from backend.models.model_runs import (
    ModelDrift,
    ModelKind,
    ModelOutput,
    ModelStatus,
    ModelVersion,
)
from backend.models.rollups import DailyRollup
from backend.models.sync import SyncRun, SyncStatus
from backend.models.user import Role, User

__all__ = [
    "AccountStatus",
    "AdAccount",
    "AdDailyMetric",
    "ApiToken",
    "AuditLog",
    "Campaign",
    "CampaignDailyMetric",
    "Customer",
    "DailyRollup",
    "FxRate",
    "ModelDrift",
    "ModelKind",
    "ModelOutput",
    "ModelStatus",
    "ModelVersion",
    "RevenueEvent",
    "Role",
    "SyncRun",
    "SyncStatus",
    "User",
]
