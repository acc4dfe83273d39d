-- The API keeps each user's apps list, serialized, until a row it is built from changes
-- (api.app.AppListCache). Every statement that changes such a row sends a notification on the
-- channel app_list_changed, delivered at commit to every listening connection
-- (infra.app.AppListChanges, one per API process), which then drops every kept list.
-- One notification per statement (not per row), and PostgreSQL folds the identical notifications of
-- one transaction into one. An environment's own columns are not in the list: only its insertion and
-- deletion are (its app becomes visible to, or hidden from, its end users); an environment's
-- deletion also deletes its environment_users rows, which notify as well.
create function notify_app_list_changed() returns trigger language plpgsql as $$
begin
    perform pg_notify('app_list_changed', '');
    return null;
end
$$;

create trigger apps_list_changed after insert or update or delete or truncate on apps
    for each statement execute function notify_app_list_changed();
create trigger app_members_list_changed after insert or update or delete or truncate on app_members
    for each statement execute function notify_app_list_changed();
create trigger environment_users_list_changed after insert or update or delete or truncate on environment_users
    for each statement execute function notify_app_list_changed();
create trigger environments_list_changed after insert or delete or truncate on environments
    for each statement execute function notify_app_list_changed();
