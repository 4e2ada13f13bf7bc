//! The simulators' tests in one binary (one link instead of one per file): each simulator against
//! its provider's documents, the callbacks and webhooks, the faults and the shared listener under load.

#[path = "../common/mod.rs"]
mod common;

mod alphapo;
mod alppay;
mod callbacks;
mod cryptomus;
mod faults;
mod load;
