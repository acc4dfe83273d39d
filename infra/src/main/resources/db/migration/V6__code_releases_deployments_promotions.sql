-- The code an environment runs: a canonical tar.gz in object storage (content-addressed key
-- code/<appId>/<envId>/<sha256>.tar.gz) and the local tree its server reads. One row per
-- environment that has code; none until the first upload or deployment.
create table environment_code (
    env_id      uuid         primary key references environments (id) on delete cascade,
    object_key  varchar(512) not null,
    sha256      char(64)     not null,
    size_bytes  bigint       not null,
    release_id  uuid,
    tree        varchar(100) not null,
    updated_by  uuid,
    updated_at  timestamptz  not null
);

-- An immutable snapshot of a development or staging environment's code, at releases/<appId>/<id>.tar.gz.
create table releases (
    id                 uuid          primary key,
    app_id             uuid          not null references apps (id) on delete cascade,
    name               varchar(100)  not null,
    description        varchar(1000),
    source_env_id      uuid          not null,
    source_env_name    varchar(63)   not null,
    status             varchar(16)   not null check (status in ('CREATING', 'READY', 'FAILED')),
    object_key         varchar(512)  not null,
    sha256             char(64),
    size_bytes         bigint,
    error              text,
    created_by         uuid,
    created_at         timestamptz   not null,
    -- Set by the first deployment request; from then on the release cannot be deleted.
    first_deployed_at  timestamptz
);
create unique index releases_app_name on releases (app_id, lower(name));

-- A release applied to an environment. Its ID is its DEPLOY_RELEASE operation's ID.
create table deployments (
    id                   uuid         primary key,
    app_id               uuid         not null,
    env_id               uuid         not null references environments (id) on delete cascade,
    release_id           uuid         not null references releases (id),
    promotion_id         uuid,
    is_rollback          boolean      not null default false,
    status               varchar(16)  not null check (status in ('PENDING', 'RUNNING', 'SUCCEEDED', 'FAILED')),
    safety_backup_id     uuid,
    data_restored        boolean      not null default false,
    error                text,
    deployed_by          uuid,
    -- What ran before, taken once when the deployment begins, so that a failure can put it back.
    previous_release_id  uuid,
    previous_object_key  varchar(512),
    previous_sha256      char(64),
    previous_size_bytes  bigint,
    previous_tree        varchar(100),
    previous_status      varchar(16),
    created_at           timestamptz  not null,
    started_at           timestamptz,
    finished_at          timestamptz
);
create index deployments_env_newest on deployments (env_id, created_at desc);
create index deployments_release on deployments (release_id);

-- dev -> staging -> approval -> production. The workflow promotion/<id> writes this row as it goes.
create table promotions (
    id                        uuid          primary key,
    app_id                    uuid          not null references apps (id) on delete cascade,
    release_id                uuid          not null references releases (id),
    staging_env_id            uuid          not null,
    production_env_id         uuid          not null,
    status                    varchar(24)   not null,
    stage                     varchar(16)   not null,
    staging_deployment_id     uuid,
    production_deployment_id  uuid,
    approval_expires_at       timestamptz,
    decided_by                uuid,
    decided_at                timestamptz,
    decision                  varchar(16),
    decision_comment          varchar(1000),
    error                     text,
    created_by                uuid,
    created_at                timestamptz   not null,
    updated_at                timestamptz   not null
);
create index promotions_app on promotions (app_id, created_at desc);

-- What a CLONE_APPLICATION operation copies: the code of the source's development environment, or a release.
create table clones (
    operation_id       uuid          primary key references operations (id) on delete cascade,
    source_app_id      uuid          not null,
    source_env_id      uuid,
    source_release_id  uuid,
    object_key         varchar(512)  not null,
    sha256             char(64)      not null,
    size_bytes         bigint        not null,
    created_at         timestamptz   not null
);
