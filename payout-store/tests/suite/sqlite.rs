//! The journal suite on real SQLite files (one per test, in a temporary directory).

use crate::common;

use payout_store::Journal;

struct Sqlite;

impl common::Backend for Sqlite {
    async fn fresh(&self, name: &str) -> Journal {
        let dir = tempfile::tempdir().unwrap().keep();
        Journal::open(&format!("sqlite://{}", dir.join(name).join("journal.sqlite").display())).await.unwrap()
    }
}

journal_suite!(Sqlite);

#[tokio::test]
async fn locations_open_or_say_what_is_wrong() {
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("a/b/plain.sqlite");
    let journal = Journal::open(plain.to_str().unwrap()).await.unwrap();
    assert_eq!(journal.backend(), payout_store::Backend::Sqlite);
    assert!(plain.exists(), "created with its folders");
    // Opening again migrates nothing twice.
    Journal::open(plain.to_str().unwrap()).await.unwrap();
    for bad in ["", "mysql://x/y", "sqlite://"] {
        let e = Journal::open(bad).await.unwrap_err();
        assert!(matches!(e, payout_store::StoreError::Location(_)), "{bad}: {e}");
    }
}
