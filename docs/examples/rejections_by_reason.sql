-- Rejected connection attempts by reason, across all files (run in DIR).
-- An attempt has one row per direction: direction_index = 0 counts each once.
SELECT reason, count(*) AS attempts
FROM read_parquet('connections/*.parquet')
WHERE outcome = 'rejected' AND direction_index = 0
GROUP BY reason
ORDER BY attempts DESC, reason;
