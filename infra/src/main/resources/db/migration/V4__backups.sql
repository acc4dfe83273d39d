-- A backup of one environment: its database dump, its resource files and a manifest, under
-- object_prefix in object storage. Status moves PENDING -> DUMPING -> UPLOADING -> VERIFYING ->
-- COMPLETED, or to FAILED with the step that failed (failed_step) and why (error).
create table backups (
    id                  uuid         primary key,
    app_id              uuid         not null references apps (id) on delete cascade,
    env_id              uuid         not null references environments (id) on delete cascade,
    trigger             varchar(16)  not null check (trigger in ('SCHEDULED', 'MANUAL', 'SAFETY')),
    status              varchar(16)  not null check (status in ('PENDING', 'DUMPING', 'UPLOADING', 'VERIFYING', 'COMPLETED', 'FAILED')),
    failed_step         varchar(16),
    error               text,
    object_prefix       varchar(300) not null,
    size_bytes          bigint,
    manifest            text,
    verification        varchar(16)  check (verification in ('PASSED', 'FAILED')),
    verification_detail text,
    requested_by        uuid,
    scheduled_for       timestamptz,
    created_at          timestamptz  not null,
    started_at          timestamptz,
    finished_at         timestamptz,
    updated_at          timestamptz  not null
);
create index backups_env on backups (env_id, created_at desc);
-- One backup per schedule slot, however often the schedule's child is retried.
create unique index backups_slot on backups (env_id, scheduled_for) where scheduled_for is not null;

-- Each environment's backup schedule, as the API last set it (the workflow holds the live copy).
create table backup_schedules (
    env_id          uuid        primary key references environments (id) on delete cascade,
    frequency       varchar(8)  not null check (frequency in ('DAILY', 'WEEKLY')),
    day_of_week     varchar(9),
    time_of_day     varchar(5)  not null,
    retention_count integer     not null,
    retention_days  integer     not null,
    paused          boolean     not null,
    updated_at      timestamptz not null
);
