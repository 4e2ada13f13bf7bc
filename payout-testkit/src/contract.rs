//! What the design's contracts (section 4) promise to code outside the project, written down
//! once for every test that checks a JSON form against them (the core's `Withdrawal` and the
//! `payout` command's output).

/// The keys every withdrawal's JSON carries, `null` when unknown, never left out.
pub const WITHDRAWAL_KEYS: [&str; 14] = [
    "provider",
    "id",
    "reference",
    "end_user",
    "status",
    "provider_status",
    "asset",
    "network",
    "amount",
    "address",
    "tag",
    "tx_hash",
    "created_at",
    "updated_at",
];
