-- model_outputs' references to customers and model_versions (migration 0026), kept once per
-- statement instead of by two foreign keys, whose triggers ran twice per row: storing the
-- outputs of a 1M-customer version cost 2M lookups and row locks one at a time (a 1M-row insert
-- took 41 s with the keys, 11 s without, on a loaded 2-core machine). The same guarantees,
-- set-based:
--
-- - an insert or update of outputs fails with a foreign key violation when a customer or a
--   version it names is not there;
-- - deleting customers or versions (or truncating them) first waits for the writers of outputs
--   in flight to commit and keeps new ones waiting (a SHARE lock on model_outputs: readers do
--   not wait), then deletes their outputs (ON DELETE CASCADE): no output can name a customer
--   or a version deleted meanwhile;
-- - a customer's or a version's id never changes (ids are never updated).
CREATE FUNCTION model_outputs_check_references() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    missing text;
BEGIN
    SELECT format('customer %s', n.customer_id) INTO missing FROM new_rows n
    WHERE NOT EXISTS (SELECT 1 FROM customers c WHERE c.id = n.customer_id) LIMIT 1;
    IF missing IS NULL THEN
        SELECT format('model version %s', n.model_version_id) INTO missing FROM new_rows n
        WHERE NOT EXISTS (SELECT 1 FROM model_versions v WHERE v.id = n.model_version_id)
        LIMIT 1;
    END IF;
    IF missing IS NOT NULL THEN
        RAISE EXCEPTION 'model_outputs reference % which does not exist', missing
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END $$
;
CREATE TRIGGER model_outputs_references_insert AFTER INSERT ON model_outputs
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
EXECUTE FUNCTION model_outputs_check_references()
;
CREATE TRIGGER model_outputs_references_update AFTER UPDATE ON model_outputs
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
EXECUTE FUNCTION model_outputs_check_references()
;
-- Before a delete or a truncate of customers or versions: the writers of outputs in flight
-- commit first, new ones wait for this transaction.
CREATE FUNCTION model_outputs_hold_writers() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    LOCK TABLE model_outputs IN SHARE MODE;
    RETURN NULL;
END $$
;
-- After: the outputs of the deleted rows (TG_ARGV[0]: the column of model_outputs naming them).
CREATE FUNCTION model_outputs_cascade() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        DELETE FROM model_outputs;
    ELSE
        EXECUTE format('DELETE FROM model_outputs o USING old_rows d WHERE o.%I = d.id',
                       TG_ARGV[0]);
    END IF;
    RETURN NULL;
END $$
;
CREATE TRIGGER customers_outputs_hold BEFORE DELETE OR TRUNCATE ON customers
FOR EACH STATEMENT EXECUTE FUNCTION model_outputs_hold_writers()
;
CREATE TRIGGER model_versions_outputs_hold BEFORE DELETE OR TRUNCATE ON model_versions
FOR EACH STATEMENT EXECUTE FUNCTION model_outputs_hold_writers()
;
CREATE TRIGGER customers_outputs_delete AFTER DELETE ON customers
REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
EXECUTE FUNCTION model_outputs_cascade('customer_id')
;
CREATE TRIGGER model_versions_outputs_delete AFTER DELETE ON model_versions
REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
EXECUTE FUNCTION model_outputs_cascade('model_version_id')
;
CREATE TRIGGER customers_outputs_truncate AFTER TRUNCATE ON customers
FOR EACH STATEMENT EXECUTE FUNCTION model_outputs_cascade()
;
CREATE TRIGGER model_versions_outputs_truncate AFTER TRUNCATE ON model_versions
FOR EACH STATEMENT EXECUTE FUNCTION model_outputs_cascade()
;
CREATE FUNCTION ids_never_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '%.id never changes (% to %)', TG_TABLE_NAME, OLD.id, NEW.id
        USING ERRCODE = 'foreign_key_violation';
END $$
;
CREATE TRIGGER customers_id_kept BEFORE UPDATE OF id ON customers
FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION ids_never_change()
;
CREATE TRIGGER model_versions_id_kept BEFORE UPDATE OF id ON model_versions
FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION ids_never_change()
;
ALTER TABLE model_outputs DROP CONSTRAINT fk_model_outputs_customer_id_customers
;
ALTER TABLE model_outputs DROP CONSTRAINT fk_model_outputs_model_version_id_model_versions
;
