//! The schema, embedded in the binary and applied on open (both backends read the same SQL).

/// `(version, name, SQL)`, applied in order; a version once applied is never applied again.
pub(crate) const MIGRATIONS: &[(i64, &str, &str)] = &[(1, "journal", include_str!("../migrations/0001_journal.sql"))];
