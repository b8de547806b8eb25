-- Packets per type over every capture converted into the directory (run in DIR,
-- the directory given to srtdump -parquet).
SELECT type, count(*) AS packets
FROM read_parquet('packets/*.parquet')
GROUP BY type
ORDER BY type;
