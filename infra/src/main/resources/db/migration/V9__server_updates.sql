-- A server update is an operation (it holds its environment); this is what it changes, and how it ended.
create table server_updates (
    id            uuid         primary key,
    app_id        uuid         not null,
    env_id        uuid         not null references environments (id) on delete cascade,
    from_version  varchar(64)  not null,
    to_version    varchar(64)  not null,
    downgrade     boolean      not null,
    status        varchar(16)  not null check (status in ('PENDING', 'RUNNING', 'SUCCEEDED', 'FAILED')),
    rolled_back   boolean      not null default false,
    error         text,
    requested_by  uuid,
    created_at    timestamptz  not null,
    started_at    timestamptz,
    finished_at   timestamptz
);
create index server_updates_by_env on server_updates (env_id, created_at desc);
