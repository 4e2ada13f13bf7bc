//! The payout command.
fn main() {}
