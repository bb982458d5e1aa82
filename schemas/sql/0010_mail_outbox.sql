-- Mail kept instead of sent: the `outbox` mail transport (the default of `almanac dev`) writes
-- every message here, and the studio shows them. message_id is the Message-ID derived from the
-- flow run and step, so a retried send of one step finds its row instead of adding another.
create schema if not exists mail;

create table mail.outbox (
    id            bigserial primary key,
    message_id    text not null unique,
    run_id        text,
    step_id       text,
    from_address  text not null,
    from_name     text,
    -- Arrays of {"address": "...", "name": "..."}.
    to_addresses  jsonb not null default '[]',
    cc_addresses  jsonb not null default '[]',
    bcc_addresses jsonb not null default '[]',
    reply_to      jsonb not null default '[]',
    subject       text not null,
    text_body     text,
    html_body     text,
    -- Array of {"name": "...", "value": "..."}.
    headers       jsonb not null default '[]',
    created_at    timestamptz not null default now(),
    -- queued: stored, not delivered (a relay may pick it up); sent / failed: set by such a relay.
    status        text not null default 'queued' check (status in ('queued', 'sent', 'failed')),
    check (text_body is not null or html_body is not null)
);

create index outbox_run on mail.outbox (run_id, step_id);
create index outbox_created on mail.outbox (created_at desc);
