-- The ROI read model's data version: one row in roi_data_changes per committed transaction that
-- changed what ROI, overview and cohort answers read. The version a snapshot sees is
-- (sum(weight), max(id)): the sum counts the committed changing transactions (snapshots see
-- commits in order, so equal sums mean equal data), max(id) tells a truncated table's new
-- history from its old one (ids come from a sequence the table does not own, so TRUNCATE ...
-- RESTART IDENTITY keeps counting). Writers only insert: no writer waits for another.

-- One row per transaction, however many statements and tables it changes.
CREATE OR REPLACE FUNCTION record_roi_data_change() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('spendlens.roi_data_changed', true)
       IS DISTINCT FROM CAST(txid_current() AS text) THEN
        PERFORM set_config('spendlens.roi_data_changed', CAST(txid_current() AS text), true);
        INSERT INTO roi_data_changes DEFAULT VALUES;
    END IF;
END $$
;
-- Trigger: a change (TRUNCATE, or a row whose columns the answers read).
CREATE OR REPLACE FUNCTION roi_data_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM record_roi_data_change();
    RETURN NULL;
END $$
;
-- Trigger: a change when the statement's transition table `changed` holds rows; nothing when
-- it wrote none (an upsert whose rows were all unchanged, an update that matched nothing).
CREATE OR REPLACE FUNCTION roi_rows_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM changed) THEN
        PERFORM record_roi_data_change();
    END IF;
    RETURN NULL;
END $$
;
