-- Cloudplane's own state. Application environments' databases live beside it, one per environment.

create table users (
    id          uuid primary key,
    email       varchar(254) not null,
    first_name  varchar(100) not null,
    last_name   varchar(100) not null,
    created_at  timestamptz  not null
);
create unique index users_email on users (lower(email));

-- The local identity provider's credential store. With Cognito, credentials live there instead.
create table local_credentials (
    user_id          uuid primary key references users (id) on delete cascade,
    password_hash    varchar(100) not null,
    failed_attempts  integer      not null default 0,
    locked_until     timestamptz
);

create table apps (
    id          uuid primary key,
    owner_id    uuid         not null references users (id),
    name        varchar(63)  not null,
    kind        varchar(16)  not null check (kind in ('SANDBOX', 'APPLICATION')),
    status      varchar(16)  not null check (status in ('ACTIVE', 'DELETING')),
    created_at  timestamptz  not null,
    updated_at  timestamptz  not null
);
create unique index apps_owner_name on apps (owner_id, lower(name));
create unique index apps_one_sandbox_per_owner on apps (owner_id) where kind = 'SANDBOX';

create table app_members (
    app_id   uuid        not null references apps (id) on delete cascade,
    user_id  uuid        not null references users (id) on delete cascade,
    role     varchar(16) not null check (role in ('OWNER', 'DEVELOPER')),
    primary key (app_id, user_id)
);
create index app_members_user on app_members (user_id);

create table environments (
    id              uuid primary key,
    app_id          uuid         not null references apps (id),
    name            varchar(63)  not null,
    type            varchar(16)  not null check (type in ('DEVELOPMENT', 'STAGING', 'PRODUCTION', 'CUSTOM')),
    description     varchar(500),
    status          varchar(16)  not null,
    status_reason   text,
    server_version  varchar(64)  not null,
    port            integer,
    preview_url     varchar(255),
    db_name         varchar(63)  not null unique,
    db_password     text,
    created_at      timestamptz  not null,
    updated_at      timestamptz  not null
);
create unique index environments_app_name on environments (app_id, lower(name));

-- End users of an environment (the "user" role is per environment).
create table environment_users (
    env_id   uuid not null references environments (id) on delete cascade,
    user_id  uuid not null references users (id) on delete cascade,
    primary key (env_id, user_id)
);
create index environment_users_user on environment_users (user_id);

-- Operations outlive the apps and environments they acted on, so they hold no foreign keys.
create table operations (
    id           uuid primary key,
    type         varchar(32)  not null,
    status       varchar(16)  not null check (status in ('PENDING', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED')),
    app_id       uuid         not null,
    env_id       uuid,
    user_id      uuid,
    workflow_id  varchar(255) not null,
    run_id       varchar(64),
    steps        text         not null default '[]',
    error        text,
    created_at   timestamptz  not null,
    updated_at   timestamptz  not null
);
-- At most one unfinished operation per environment: a second concurrent one is refused with 409.
create unique index operations_one_active_per_env on operations (env_id) where status in ('PENDING', 'RUNNING');
create unique index operations_one_active_app_op on operations (app_id) where env_id is null and status in ('PENDING', 'RUNNING');
create index operations_unfinished on operations (status) where status in ('PENDING', 'RUNNING');

create table api_tokens (
    id            uuid primary key,
    user_id       uuid         not null references users (id) on delete cascade,
    name          varchar(100) not null,
    token_hash    char(64)     not null unique,
    hint          varchar(16)  not null,
    created_at    timestamptz  not null,
    expires_at    timestamptz  not null,
    last_used_at  timestamptz
);
create index api_tokens_user on api_tokens (user_id);
