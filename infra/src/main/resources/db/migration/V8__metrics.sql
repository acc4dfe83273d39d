-- Samples of each running environment's server, every cloudplane.metrics.interval (30 s): kept raw
-- for 24 hours, then as 5-minute averages for 30 days.
create table metric_samples (
    env_id         uuid        not null references environments (id) on delete cascade,
    at             timestamptz not null,
    cpu_percent    real,
    memory_bytes   bigint,
    disk_bytes     bigint,
    net_in_bytes   bigint,
    net_out_bytes  bigint,
    primary key (env_id, at)
);
create index metric_samples_at on metric_samples (at);

create table metric_rollups (
    env_id         uuid        not null references environments (id) on delete cascade,
    bucket         timestamptz not null,
    samples        integer     not null,
    cpu_percent    real,
    memory_bytes   bigint,
    disk_bytes     bigint,
    net_in_bytes   bigint,
    net_out_bytes  bigint,
    primary key (env_id, bucket)
);
create index metric_rollups_bucket on metric_rollups (bucket);
