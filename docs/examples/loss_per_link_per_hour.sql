-- Loss per link per hour (run in DIR): for each sender -> receiver pair and hour
-- (UTC), the data packets sent (originals and retransmissions) and the sequence
-- numbers the receiver reported lost in its NAKs (a number reported in two NAKs
-- counts twice), as a percentage of the originals.
WITH data AS (
  SELECT src AS sender, dst AS receiver,
         date_trunc('hour', time AT TIME ZONE 'UTC') AS hour,
         count(*) FILTER (WHERE NOT data_retransmitted) AS originals,
         count(*) FILTER (WHERE data_retransmitted) AS retransmitted
  FROM read_parquet('packets/*.parquet')
  WHERE kind = 'data'
  GROUP BY ALL
), naks AS (
  SELECT dst AS sender, src AS receiver,
         date_trunc('hour', time AT TIME ZONE 'UTC') AS hour,
         sum(nak_seqs) AS reported_lost
  FROM read_parquet('packets/*.parquet')
  WHERE kind = 'nak'
  GROUP BY ALL
)
SELECT hour, sender, receiver, originals, retransmitted,
       coalesce(reported_lost, 0) AS reported_lost,
       round(100.0 * coalesce(reported_lost, 0) / originals, 3) AS loss_pct
FROM data LEFT JOIN naks USING (sender, receiver, hour)
ORDER BY hour, sender, receiver;
