DROP FUNCTION roi_rows_changed()
;
DROP FUNCTION roi_data_changed()
;
DROP FUNCTION record_roi_data_change()
;
