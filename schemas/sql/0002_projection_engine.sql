-- The projection engine's bookkeeping beside each checkpoint (see Sources/Projections):
-- which code version built the rows, which instance may write them (a fencing token set when
-- a projector wins its NATS KV lease, so a paused former holder cannot commit a batch), and a
-- poison event that stopped the projection until an operator skips or retries it.
alter table projection_checkpoints
    add column version          integer not null default 0,
    add column owner            text,
    add column last_event_time  timestamptz,
    add column poison_sequence  bigint,
    add column poison_type      text,
    add column poison_reason    text,
    add column poisoned_at      timestamptz,
    add column skip_sequence    bigint;

-- Events an operator chose to skip, kept so that a skip is never silent.
create table projection_skipped_events (
    name        text not null,
    stream      text not null,
    sequence    bigint not null,
    event_type  text,
    reason      text,
    skipped_at  timestamptz not null default now(),
    primary key (name, sequence)
);
