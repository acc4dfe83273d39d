-- An Idempotency-Key sent with a POST, per caller (a user's ID, or 'anonymous' for sign-up and login): the first
-- request's fingerprint and, once it answered, its response (the body sealed with the secret key, since a token can be
-- in it). While the first request runs, locked_at is set and the response is null. Kept 24 hours, then purged.
create table idempotency_keys (
    id                    uuid          primary key,
    caller                varchar(64)   not null,
    idempotency_key       varchar(255)  not null,
    request_sha256        varchar(64)   not null,
    created_at            timestamptz   not null,
    locked_at             timestamptz,
    response_status       integer,
    response_content_type varchar(255),
    response_location     varchar(2048),
    response_body         text,
    unique (caller, idempotency_key)
);
create index idempotency_keys_by_age on idempotency_keys (created_at);
