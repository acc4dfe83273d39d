-- Membership changes whose identity declaration (the membership-sync/<appId>/<userId> workflow) is
-- still to be signalled: written in the change's transaction, deleted once the workflow has it, so
-- that a process that dies right after the commit leaves the request for MembershipSyncRecovery.
create table membership_syncs (
    app_id        uuid        not null references apps (id) on delete cascade,
    user_id       uuid        not null references users (id) on delete cascade,
    requested_at  timestamptz not null,
    primary key (app_id, user_id)
);
create index membership_syncs_requested on membership_syncs (requested_at);
