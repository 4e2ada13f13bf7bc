//! The journal suite on a real PostgreSQL server this test binary starts itself (one server,
//! one database per test).

use crate::common;

use payout_store::Journal;
use payout_testkit::postgres::TempPostgres;

struct Postgres;

impl common::Backend for Postgres {
    async fn fresh(&self, name: &str) -> Journal {
        let url = tokio::task::spawn_blocking({
            let name = name.to_owned();
            move || TempPostgres::shared().create_database(&name).unwrap()
        })
        .await
        .unwrap();
        Journal::open(&url).await.unwrap()
    }
}

journal_suite!(Postgres);

#[tokio::test]
async fn a_password_never_shows() {
    let pg = tokio::task::spawn_blocking(|| TempPostgres::shared().port()).await.unwrap();
    let url = format!("postgres://postgres:s3cret@127.0.0.1:{pg}/postgres");
    let journal = Journal::open(&url).await.unwrap();
    assert!(!format!("{journal:?}").contains("s3cret"));
    assert!(!journal.location().contains("s3cret"));
}
