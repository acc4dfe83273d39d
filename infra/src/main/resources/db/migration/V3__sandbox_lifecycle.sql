-- Mail the lifecycle sent, so that a retried activity does not send it twice.
create table sent_mail (
    mail_key  varchar(200) primary key,
    sent_at   timestamptz  not null
);

-- The last Studio access, kept beside the lifecycle workflow so that a lost workflow can be
-- started again from it.
alter table environments add column last_studio_access_at timestamptz;
