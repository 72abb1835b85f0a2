-- The deferred triggers on model_versions that refresh every customer's predictions in
-- roi_customers once, at commit (roi_predictions_at_commit, migration 0008), when the set of
-- active, ready versions changes: only for the kinds roi_customers holds the outputs of, LTV
-- and churn. A first-purchase version's outputs are read from model_outputs where they are used
-- (backend/services/roi/early.py, the action lists), so activating one rewrites nothing here.
DROP TRIGGER IF EXISTS model_versions_inserted ON model_versions
;
DROP TRIGGER IF EXISTS model_versions_updated ON model_versions
;
DROP TRIGGER IF EXISTS model_versions_deleted ON model_versions
;
CREATE CONSTRAINT TRIGGER model_versions_inserted AFTER INSERT ON model_versions
DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
WHEN (NEW.kind IN ('ltv', 'churn') AND NEW.is_active AND NEW.status = 'ready')
EXECUTE FUNCTION roi_predictions_at_commit()
;
CREATE CONSTRAINT TRIGGER model_versions_updated AFTER UPDATE ON model_versions
DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
WHEN ((NEW.kind IN ('ltv', 'churn') OR OLD.kind IN ('ltv', 'churn'))
      AND (NEW.is_active AND NEW.status = 'ready')
          IS DISTINCT FROM (OLD.is_active AND OLD.status = 'ready'))
EXECUTE FUNCTION roi_predictions_at_commit()
;
CREATE CONSTRAINT TRIGGER model_versions_deleted AFTER DELETE ON model_versions
DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
WHEN (OLD.kind IN ('ltv', 'churn') AND OLD.is_active AND OLD.status = 'ready')
EXECUTE FUNCTION roi_predictions_at_commit()
;
