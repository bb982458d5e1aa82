-- Where each projection has got to: the last stream sequence applied, written in the same
-- transaction as the projection's rows (see ARCHITECTURE.md, "Projections").
create table projection_checkpoints (
    name          text primary key,
    stream        text,
    last_sequence bigint not null default 0 check (last_sequence >= 0),
    updated_at    timestamptz not null default now()
);
