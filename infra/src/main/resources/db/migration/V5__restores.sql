-- A restore is an operation (it holds its environment); this is what it restores, and the safety
-- backup of the target it takes first.
create table restores (
    operation_id     uuid        primary key references operations (id) on delete cascade,
    backup_id        uuid        not null,
    safety_backup_id uuid        not null,
    created_at       timestamptz not null
);
