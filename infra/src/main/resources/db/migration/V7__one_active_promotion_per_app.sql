-- One unfinished promotion per app: a second would race the first through staging, and an
-- approval would no longer say which release staging was checked with.
create unique index promotions_one_active_per_app on promotions (app_id)
    where status in ('DEPLOYING_STAGING', 'AWAITING_APPROVAL', 'DEPLOYING_PRODUCTION');
