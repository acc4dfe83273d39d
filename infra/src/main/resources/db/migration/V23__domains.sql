-- Custom domains (issue 15): a host name of the owner's, served by one staging or production
-- environment once its DNS proves ownership (a TXT record) and points at Cloudplane (a CNAME to the
-- environment's gateway host, or A/AAAA records with the configured addresses), with a certificate
-- issued over ACME or uploaded.
create table domains (
    id                        uuid primary key,
    app_id                    uuid         not null references apps (id) on delete cascade,
    env_id                    uuid         not null references environments (id) on delete cascade,
    -- ASCII form (an internationalized name as punycode), lower case, no trailing dot; unique across Cloudplane
    hostname                  varchar(253) not null,
    status                    varchar(32)  not null check (status in
        ('PENDING_VERIFICATION', 'VERIFIED', 'ISSUING', 'ACTIVE', 'RENEWING', 'FAILED')),
    -- the value of the TXT record _cloudplane-challenge.<hostname> that proves ownership
    challenge_token           varchar(64)  not null,
    created_by                uuid         references users (id) on delete set null,
    created_at                timestamptz  not null,
    updated_at                timestamptz  not null,
    -- the last DNS check: when, and its result in words (what is there, what to fix)
    last_checked_at           timestamptz,
    last_check_result         text,
    verified_at               timestamptz,
    -- FAILED: what to fix, in words
    failure_reason            text,
    -- the certificate served: ACME or UPLOADED; the chain as PEM (leaf first), the private key as
    -- PKCS#8 PEM sealed by SecretBox (never shown again), and what the API shows of it
    certificate_source        varchar(16)  check (certificate_source in ('ACME', 'UPLOADED')),
    certificate_chain_pem     text,
    certificate_key_sealed    text,
    certificate_issuer        text,
    certificate_not_before    timestamptz,
    certificate_not_after     timestamptz,
    certificate_installed_at  timestamptz,
    -- a renewal that keeps failing: since when, and the last reason
    renewal_failing_since     timestamptz,
    renewal_failure           text,
    -- the not_after of the certificate whose 14-days-before-expiry email was sent (once per certificate)
    expiry_notice_for         timestamptz,
    constraint domains_certificate_whole check (
        (certificate_source is null) = (certificate_chain_pem is null)
        and (certificate_chain_pem is null) = (certificate_key_sealed is null))
);
create unique index domains_hostname on domains (hostname);
create index domains_env on domains (env_id);

-- The gateway keeps each domain's route and certificate in memory, following the route generation
-- (channel environment_changed): any change of a domain, by any process, reaches every gateway.
create trigger domains_changed after insert or update or delete on domains
    for each statement execute function notify_environment_changed();

-- HTTP-01 challenges under way: the gateway answers GET /.well-known/acme-challenge/<token> on the
-- domain's host with the key authorization while the ACME client waits for the authority.
create table acme_challenges (
    token              varchar(255) primary key,
    hostname           varchar(253) not null,
    key_authorization  text         not null,
    expires_at         timestamptz  not null
);
create index acme_challenges_expiry on acme_challenges (expires_at);

-- Cloudplane's ACME account per directory: its key pair (PEM, sealed by SecretBox) and its URL, made
-- once and reused, so that renewals are the same account's.
create table acme_accounts (
    directory_url   varchar(1024) primary key,
    key_pair_sealed text          not null,
    account_url     varchar(1024),
    created_at      timestamptz   not null
);
