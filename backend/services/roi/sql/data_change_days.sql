-- The data version by day (migration 0017): each row of roi_data_changes also says which days
-- of acquisition or spend the transaction changed (first_day..last_day; -infinity..infinity:
-- every day, e.g. a model activation or a campaign's new name). An answer about a date range
-- is keyed by the changes that overlap it, so a backfill of last year's spend leaves the
-- answers about last month where they are. Still one row per transaction, its range widened
-- by each statement.

CREATE OR REPLACE FUNCTION record_roi_data_change(first date, last date) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    mine text := current_setting('spendlens.roi_data_change', true);
    tx text := CAST(txid_current() AS text);
    row_id bigint;
BEGIN
    IF first IS NULL THEN
        RETURN;  -- the statement's transition table was empty: nothing changed
    END IF;
    IF split_part(COALESCE(mine, ''), ':', 1) = tx THEN
        UPDATE roi_data_changes
        SET first_day = LEAST(first_day, first), last_day = GREATEST(last_day, last)
        WHERE id = CAST(split_part(mine, ':', 2) AS bigint);
    ELSE
        INSERT INTO roi_data_changes (first_day, last_day) VALUES (first, last)
        RETURNING id INTO row_id;
        PERFORM set_config('spendlens.roi_data_change', tx || ':' || row_id, true);
    END IF;
END $$
;
-- Every day (TRUNCATE; an account's new name or platform).
CREATE OR REPLACE FUNCTION record_roi_data_change() RETURNS void LANGUAGE sql AS $$
    SELECT record_roi_data_change(DATE '-infinity', DATE 'infinity');
$$
;
-- Trigger: the rows of `changed` change every day (model versions, campaigns, accounts).
CREATE OR REPLACE FUNCTION roi_rows_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM record_roi_data_change(DATE '-infinity', DATE 'infinity')
    WHERE EXISTS (SELECT 1 FROM changed);
    RETURN NULL;
END $$
;
-- Trigger: the days the rows of `changed` are about, from TG_ARGV[0] (the first day of a row)
-- and TG_ARGV[1] (its last day), expressions over the table's columns; with TG_ARGV[2] =
-- 'old_changed' (an update), the days of the rows before as well (a customer moved to another
-- day changes both).
CREATE FUNCTION roi_days_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format(
        'SELECT record_roi_data_change(CAST(min(%s) AS date), CAST(max(%s) AS date)) FROM %s',
        TG_ARGV[0], TG_ARGV[1],
        CASE WHEN TG_NARGS > 2
             THEN '(SELECT * FROM changed UNION ALL SELECT * FROM old_changed) x'
             ELSE 'changed' END);
    RETURN NULL;
END $$
;
