-- V21 sent an environment's status, port and access changes on app_list_changed, which made every
-- apps list of every API process be read again at each provisioning, stop or sleep, though no list
-- shows them. They go on a channel of their own, which only the gateway's kept routes follow
-- (infra.app.AppListChanges.routeGeneration).
drop trigger environments_gateway_changed on environments;

create function notify_environment_changed() returns trigger language plpgsql as $$
begin
    perform pg_notify('environment_changed', '');
    return null;
end
$$;

create trigger environments_gateway_changed after update of status, port, access on environments
    for each statement execute function notify_environment_changed();
