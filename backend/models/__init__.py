"""SQLAlchemy models, one module per aggregate. Importing this package registers them all."""

from backend.models.ad_account import AccountStatus, AdAccount, Campaign
from backend.models.alerts import Alert, AlertEvent, AlertState, Severity
from backend.models.api_token import ApiToken
from backend.models.audit import AuditLog
from backend.models.budgets import Budget, BudgetPeriod, ScopeType
from backend.models.customers import Customer, CustomerEvent, CustomerSuspicion, RevenueEvent
from backend.models.daily_facts import AdDailyMetric, CampaignDailyMetric
from backend.models.fx import FxRate
from backend.models.model_runs import (
    ModelDrift,
    ModelKind,
    ModelOutput,
    ModelStatus,
    ModelVersion,
)
from backend.models.outbox import MailPreference, OutboxMessage, OutboxStatus
from backend.models.recommendations import RecommendationRun, RunStatus
from backend.models.sync import SyncRun, SyncStatus
from backend.models.user import Role, User, UserSession

# the ROI read model's tables live with it (backend/services/roi)
from backend.services.roi.tables import (  # noqa: E402
    DailyRollup,
    MonthlyRollup,
    RoiCustomer,
    RoiDataChange,
)

__all__ = [
    "AccountStatus",
    "AdAccount",
    "AdDailyMetric",
    "Alert",
    "AlertEvent",
    "AlertState",
    "ApiToken",
    "AuditLog",
    "Budget",
    "BudgetPeriod",
    "Campaign",
    "CampaignDailyMetric",
    "Customer",
    "CustomerEvent",
    "CustomerSuspicion",
    "RoiCustomer",
    "RoiDataChange",
    "DailyRollup",
    "FxRate",
    "MailPreference",
    "ModelDrift",
    "ModelKind",
    "ModelOutput",
    "ModelStatus",
    "ModelVersion",
    "MonthlyRollup",
    "OutboxMessage",
    "OutboxStatus",
    "RecommendationRun",
    "RevenueEvent",
    "Role",
    "RunStatus",
    "ScopeType",
    "Severity",
    "SyncRun",
    "SyncStatus",
    "User",
    "UserSession",
]
