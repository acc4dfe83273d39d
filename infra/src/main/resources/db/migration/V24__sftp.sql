-- SFTP per environment (issue 16).

-- Public keys registered on an account (OpenSSH format), for SFTP logins. A key belongs to one person
-- across Cloudplane (its fingerprint is unique), as on GitHub: a key never names two people.
create table ssh_keys (
    id            uuid primary key,
    user_id       uuid         not null references users (id) on delete cascade,
    name          varchar(100) not null,
    -- the OpenSSH key type: ssh-ed25519, ecdsa-sha2-nistp256/384/521, ssh-rsa (at least 2048 bits)
    key_type      varchar(40)  not null,
    -- "<type> <base64>" as OpenSSH writes it, the comment dropped
    public_key    text         not null,
    -- SHA256:<base64 without padding>, as ssh-keygen -l prints it
    fingerprint   varchar(64)  not null,
    created_at    timestamptz  not null,
    last_used_at  timestamptz
);
create unique index ssh_keys_fingerprint on ssh_keys (fingerprint);
create unique index ssh_keys_user_name on ssh_keys (user_id, lower(name));

-- Short-lived SFTP passwords (POST …/sftp/passwords) for clients that can do neither the account's
-- password nor a key: one person, one environment, 12 hours. Only the SHA-256 of the password (a
-- random 32-character string, so a fast hash is enough) is stored.
create table sftp_passwords (
    id              uuid primary key,
    user_id         uuid        not null references users (id) on delete cascade,
    env_id          uuid        not null references environments (id) on delete cascade,
    password_sha256 varchar(64) not null,
    created_at      timestamptz not null,
    expires_at      timestamptz not null
);
create index sftp_passwords_user_env on sftp_passwords (user_id, env_id, expires_at);

-- When an SFTP session last changed a development environment's code tree in place: a release made
-- from it afterwards packs the tree as SFTP left it (the stored code object is older).
alter table environments add column code_changed_at timestamptz;
