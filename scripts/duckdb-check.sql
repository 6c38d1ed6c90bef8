-- replay's headline from a dataset written by 'analyze replay --out DIR':
-- per machine, the creations costed, fork-cow's and vfork-share's totals,
-- and the saving of vfork-share over fork-cow and over the native fork.
-- scripts/duckdb-check replaces DATASET with the dataset directory.
SELECT machine,
       count(*)                       AS creations_costed,
       count(DISTINCT trace)          AS traces,
       sum(fork_cow_ns) / 1e9         AS fork_cow_s,
       sum(vfork_share_ns) / 1e9      AS vfork_share_s,
       sum(saved_ns) / 1e9            AS saved_s,
       sum(saved_vs_native_ns) / 1e9  AS saved_vs_native_s
FROM read_parquet('DATASET/**/*.parquet',
                  hive_partitioning = true,
                  hive_types = {'machine': VARCHAR, 'trace': VARCHAR})
GROUP BY machine
ORDER BY machine;
