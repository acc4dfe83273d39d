-- API tokens take scopes, as Heroku's authorizations and GitHub's fine-grained tokens do:
-- READ (GET and HEAD only) or READ_WRITE (what the owner may do; the default, so tokens made
-- before this migration keep working), and optionally one app, outside of which the token reaches
-- nothing. A token of a deleted app goes with it.
alter table api_tokens
    add column scope  varchar(16) not null default 'READ_WRITE' check (scope in ('READ', 'READ_WRITE')),
    add column app_id uuid references apps (id) on delete cascade;
create index api_tokens_app on api_tokens (app_id) where app_id is not null;
