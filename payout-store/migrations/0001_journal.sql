-- The journal of payouts: one row per (provider, reference), guarded by the primary key.
-- Times are Unix milliseconds (BIGINT); amounts live inside `request` and `withdrawal` as
-- exact decimal strings, never floats.
CREATE TABLE IF NOT EXISTS payout_journal (
    provider         TEXT    NOT NULL,
    reference        TEXT    NOT NULL,
    fingerprint      TEXT    NOT NULL,
    request          TEXT    NOT NULL,
    state            TEXT    NOT NULL,
    withdrawal       TEXT,
    withdrawal_id    TEXT,
    version          BIGINT  NOT NULL DEFAULT 0,
    attempts         BIGINT  NOT NULL DEFAULT 0,
    last_error       TEXT,
    lease_owner      TEXT,
    lease_generation BIGINT  NOT NULL DEFAULT 0,
    lease_expires_at BIGINT,
    sent_at          BIGINT,
    next_check_at    BIGINT,
    checks           BIGINT  NOT NULL DEFAULT 0,
    created_at       BIGINT  NOT NULL,
    updated_at       BIGINT  NOT NULL,
    PRIMARY KEY (provider, reference)
);
CREATE INDEX IF NOT EXISTS payout_journal_due ON payout_journal (provider, state, next_check_at);
CREATE INDEX IF NOT EXISTS payout_journal_withdrawal ON payout_journal (provider, withdrawal_id);

-- Webhook deliveries already applied, so that a redelivery is a durable no-op.
CREATE TABLE IF NOT EXISTS payout_deliveries (
    provider      TEXT   NOT NULL,
    digest        TEXT   NOT NULL,
    withdrawal_id TEXT   NOT NULL,
    decision      TEXT   NOT NULL,
    received_at   BIGINT NOT NULL,
    PRIMARY KEY (provider, digest)
);

-- Updates about withdrawals no payout of the journal names (yet): kept, never dropped.
CREATE TABLE IF NOT EXISTS payout_unmatched (
    provider      TEXT   NOT NULL,
    withdrawal_id TEXT   NOT NULL,
    reference     TEXT,
    withdrawal    TEXT   NOT NULL,
    version       BIGINT NOT NULL DEFAULT 0,
    received_at   BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    PRIMARY KEY (provider, withdrawal_id)
);
