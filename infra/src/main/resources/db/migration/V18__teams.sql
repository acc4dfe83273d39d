-- Teams (issue 13): a profile and a since on every membership, invitations, and ownership transfers.

-- A developer's (or the owner's) profile: the application role they have when they use the app
-- itself; null until one is given (the owner's by default).
alter table app_members add column profile varchar(64);
alter table app_members add column since timestamptz not null default now();

-- An end user's profile in that environment (roles.json of its code; "user" without one).
alter table environment_users add column profile varchar(64) not null default 'user';
alter table environment_users add column since timestamptz not null default now();

-- An invitation to one environment. kind: DEVELOPER (the app's developers: environments with the
-- "invite developers" service) or USER (an end user of this environment: "invite users").
-- The token is random and single use; only its SHA-256 is kept. A resend replaces token_sha256 and
-- expires_at (the old token stops working) and counts in resent.
create table invitations (
    id            uuid primary key,
    app_id        uuid         not null references apps (id) on delete cascade,
    env_id        uuid         not null references environments (id) on delete cascade,
    email         varchar(254) not null,
    first_name    varchar(100) not null,
    last_name     varchar(100) not null,
    profile       varchar(64)  not null,
    kind          varchar(16)  not null check (kind in ('DEVELOPER', 'USER')),
    status        varchar(16)  not null check (status in ('PENDING', 'ACCEPTED', 'EXPIRED', 'REVOKED')),
    token_sha256  char(64)     not null,
    invited_by    uuid         not null references users (id) on delete cascade,
    resent        integer      not null default 0,
    created_at    timestamptz  not null,
    expires_at    timestamptz  not null,
    accepted_by   uuid references users (id) on delete set null,
    closed_at     timestamptz
);
create unique index invitations_token on invitations (token_sha256);
-- one pending invitation per person and environment
create unique index invitations_pending on invitations (env_id, lower(email)) where status = 'PENDING';
create index invitations_app_created on invitations (app_id, created_at);

-- An ownership transfer offered to a developer of the app, until they accept it (or it is withdrawn).
create table app_transfers (
    app_id        uuid primary key references apps (id) on delete cascade,
    to_user_id    uuid        not null references users (id) on delete cascade,
    requested_by  uuid        not null references users (id) on delete cascade,
    requested_at  timestamptz not null
);
