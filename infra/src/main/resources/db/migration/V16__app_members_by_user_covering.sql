-- The apps list (infra.app.VisibleApps) starts from the caller's memberships: with app_id and role in
-- the index, PostgreSQL reads them from the index alone (an index-only scan) instead of visiting one
-- heap page per membership. It supersedes the plain index on user_id, which it also serves.
create index app_members_user_covering on app_members (user_id) include (app_id, role);
drop index app_members_user;
