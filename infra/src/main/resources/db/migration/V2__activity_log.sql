-- Every action on an environment, with who did it (a user, or the system for timers), when, and
-- the outcome. Entries outlive nothing: they go with their environment's app.
create table activity_log (
    id             bigserial primary key,
    app_id         uuid         not null,
    env_id         uuid         not null,
    action         varchar(32)  not null,
    actor_user_id  uuid,
    outcome        varchar(16)  not null check (outcome in ('SUCCEEDED', 'FAILED', 'NO_OP')),
    detail         text,
    operation_id   uuid,
    created_at     timestamptz  not null
);
create index activity_log_env on activity_log (env_id, id desc);
-- One entry per operation, so that a retried report writes it once.
create unique index activity_log_operation on activity_log (operation_id) where operation_id is not null;
