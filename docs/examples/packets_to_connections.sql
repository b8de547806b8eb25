-- Packets joined to the connection they belong to (run in DIR): the data and FEC
-- packets of each attempt's direction, counted from the packets table, beside the
-- direction's statistics from the connections table. A packet belongs to a
-- direction of an attempt when it comes from the same capture, goes from the
-- direction's sender (dir_from) to its receiver (dir_to) and lies within the
-- attempt's frames.
SELECT c.file, c.attempt, c.direction, c.stream_id, c.outcome,
       c.dir_data_packets + c.dir_data_fec AS stats_packets,
       count(p.frame) AS packets
FROM read_parquet('connections/*.parquet') AS c
JOIN read_parquet('packets/*.parquet') AS p
  ON p.file = c.file AND p.src = c.dir_from AND p.dst = c.dir_to
 AND p.frame BETWEEN c.first_frame AND c.last_frame
 AND p.kind IN ('data', 'fec')
GROUP BY ALL
ORDER BY c.file, c.attempt, c.direction;
