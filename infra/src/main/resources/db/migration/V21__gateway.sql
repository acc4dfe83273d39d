-- The access gateway (issue 14).
--
-- Every environment has a DNS label, unique across all users, from which its host names are made:
-- <label>.<base domain> for the app and studio-<label>.<base domain> for its Studio. The label is
-- "<environment>-<app>-<12 hex of the environment's ID>", the names cut so that the Studio's label
-- stays within the 63 characters DNS allows; it is set once, at insertion, and never changes (a
-- renamed app keeps its hosts). The 12 hex digits are the first of a random (version 4) UUID; the
-- unique index makes a collision an error rather than two environments behind one host.
create function environment_slug(name text, max_length int) returns text language sql immutable as $$
    select trim(both '-' from left(trim(both '-' from regexp_replace(lower(name), '[^a-z0-9]+', '-', 'g')), max_length))
$$;

create function environment_host_label(env_name text, app_name text, env_id uuid) returns text language sql immutable as $$
    select array_to_string(array_remove(array[environment_slug(env_name, 20), environment_slug(app_name, 21),
                                              left(replace(env_id::text, '-', ''), 12)], ''), '-')
$$;

alter table environments add column host_label varchar(63);
alter table environments add column access varchar(16);

update environments e set host_label = environment_host_label(e.name, a.name, e.id) from apps a where a.id = e.app_id;
update environments set access = case when type = 'PRODUCTION' then 'PUBLIC' else 'MEMBERS' end;

-- Set by the database, so that every way an environment is inserted gets them: the label always,
-- the access when the insert does not give one: public for production, members for every other type.
create function environment_gateway_defaults() returns trigger language plpgsql as $$
begin
    if new.host_label is null then
        new.host_label := environment_host_label(new.name, (select name from apps where id = new.app_id), new.id);
    end if;
    if new.access is null then
        new.access := case when new.type = 'PRODUCTION' then 'PUBLIC' else 'MEMBERS' end;
    end if;
    return new;
end
$$;
create trigger environments_gateway_defaults before insert on environments
    for each row execute function environment_gateway_defaults();

alter table environments alter column host_label set not null;
alter table environments alter column access set not null;
alter table environments add constraint environments_access check (access in ('PUBLIC', 'MEMBERS'));
create unique index environments_host_label on environments (host_label);

-- The gateway keeps what it decided per host in memory until this channel (V17's) says that a row
-- it is built from changed: memberships already notify; an environment's status, port and access do
-- now too.
create trigger environments_gateway_changed after update of status, port, access on environments
    for each statement execute function notify_app_list_changed();

-- A browser's sign-in at one host of one environment: the cookie holds the token, this row its
-- SHA-256. door is APP or STUDIO. Access is decided again at every request from the memberships, so
-- a session outlives nothing: a removed member's next request is refused.
create table gateway_sessions (
    token_sha256  varchar(64) primary key,
    user_id       uuid        not null references users (id) on delete cascade,
    env_id        uuid        not null references environments (id) on delete cascade,
    door          varchar(16) not null check (door in ('APP', 'STUDIO')),
    created_at    timestamptz not null,
    expires_at    timestamptz not null
);
create index gateway_sessions_expiry on gateway_sessions (expires_at);

-- A one-time link that signs its holder in at one host (the Studio link of POST …/studio-sessions,
-- the return from the sign-in page): used once, within a minute.
create table gateway_tickets (
    token_sha256  varchar(64) primary key,
    user_id       uuid        not null references users (id) on delete cascade,
    env_id        uuid        not null references environments (id) on delete cascade,
    door          varchar(16) not null check (door in ('APP', 'STUDIO')),
    next_path     varchar(2048) not null,
    expires_at    timestamptz not null
);
create index gateway_tickets_expiry on gateway_tickets (expires_at);
