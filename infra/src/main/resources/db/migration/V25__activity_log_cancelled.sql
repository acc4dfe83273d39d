-- An operation stopped on request (POST /operations/{id}/cancel, issue 18) is logged as CANCELLED,
-- not as a failure. V2 declared the check inline, so PostgreSQL named it activity_log_outcome_check.
alter table activity_log drop constraint activity_log_outcome_check;
alter table activity_log add constraint activity_log_outcome_check
    check (outcome in ('SUCCEEDED', 'FAILED', 'NO_OP', 'CANCELLED'));
