//! Listing: the query with its filters, and one page of answers.

use serde::{Deserialize, Serialize};

use crate::error::PayoutError;
use crate::id::{Reference, WithdrawalId};
use crate::status::WithdrawalStatus;

/// Which withdrawals to list, one page at a time.
///
/// Values within one filter are alternatives (any of these ids); different filters must all
/// match; an empty filter does not filter. Pages count from 0.
///
/// Two ways of paging, whichever the provider uses: page numbers ([`ListQuery::page`], counted
/// from 0) or an opaque cursor ([`ListQuery::cursor`]) that a provider paging by cursor hands out
/// in [`Page::next_cursor`]. A provider paging by cursor reads the cursor and ignores `page`; one
/// paging by number ignores the cursor. [`list_all`](crate::PayoutProviderExt::list_all)
/// follows whichever the provider gives.
///
/// ```
/// use payout_core::{ListQuery, WithdrawalStatus};
/// let q = ListQuery::new().status(WithdrawalStatus::Pending).limit(50).unwrap();
/// assert_eq!(q.page, 0);
/// assert!(ListQuery::new().limit(0).is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ListQuery {
    /// Only these provider ids.
    pub ids: Vec<WithdrawalId>,
    /// Only these references.
    pub references: Vec<Reference>,
    /// Only these transaction hashes.
    pub tx_hashes: Vec<String>,
    /// Only these statuses.
    pub statuses: Vec<WithdrawalStatus>,
    /// The page, from 0.
    pub page: u32,
    /// Items per page, 1 to [`ListQuery::MAX_LIMIT`].
    pub limit: u32,
    /// Where to continue, for providers that page by cursor: the [`Page::next_cursor`] of the
    /// page before (opaque text, passed back as it came). `None`: from the start.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}

impl Default for ListQuery {
    fn default() -> Self {
        Self {
            ids: Vec::new(),
            references: Vec::new(),
            tx_hashes: Vec::new(),
            statuses: Vec::new(),
            page: 0,
            limit: Self::DEFAULT_LIMIT,
            cursor: None,
        }
    }
}

impl ListQuery {
    /// Items per page unless set.
    pub const DEFAULT_LIMIT: u32 = 20;
    /// The most items a page may hold.
    pub const MAX_LIMIT: u32 = 100;

    /// Every withdrawal, first page, default page size.
    pub fn new() -> Self {
        Self::default()
    }

    crate::setters! {
        /// Adds a provider id to match.
        id(id: impl Into<WithdrawalId>) => push(ids);
        /// Adds a reference to match.
        reference(reference: Reference) => push(references);
        /// Adds a transaction hash to match.
        tx_hash(hash: impl Into<String>) => push(tx_hashes);
        /// Adds a status to match.
        status(status: WithdrawalStatus) => push(statuses);
        /// Sets the page, from 0.
        page(page: u32) => page;
        /// Continues from a cursor a provider paging by cursor handed out ([`Page::next_cursor`]).
        ///
        /// ```
        /// let q = payout_core::ListQuery::new().cursor("eyJpZCI6MjF9");
        /// assert_eq!(q.cursor.as_deref(), Some("eyJpZCI6MjF9"));
        /// ```
        cursor(cursor: impl Into<String>) => Some(cursor);
    }

    /// Sets the page size; refuses 0 and more than [`ListQuery::MAX_LIMIT`].
    pub fn limit(mut self, limit: u32) -> Result<Self, PayoutError> {
        self.limit = limit;
        self.validate()?;
        Ok(self)
    }

    /// Checks the page size (the fields are public, so providers call this before sending).
    pub fn validate(&self) -> Result<(), PayoutError> {
        if self.limit == 0 || self.limit > Self::MAX_LIMIT {
            return Err(PayoutError::invalid_field(
                "limit",
                format!("must be between 1 and {}, got {}", Self::MAX_LIMIT, self.limit),
            ));
        }
        Ok(())
    }
}

/// One page of a listing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Page<T> {
    /// The items of this page.
    pub items: Vec<T>,
    /// This page's index, from 0.
    pub page: u32,
    /// The page size asked for.
    pub limit: u32,
    /// How many items match in all, when the provider says.
    pub total: Option<u64>,
    /// The cursor of the next page, for providers that page by cursor; `None` on the last page
    /// (and always, for providers that page by number).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
    /// Whether the provider pages by cursor: [`Page::has_more`] then follows
    /// [`Page::next_cursor`] alone, and page numbers mean nothing.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub cursor_paged: bool,
}

impl<T> Page<T> {
    /// A page.
    pub fn new(items: Vec<T>, page: u32, limit: u32, total: Option<u64>) -> Self {
        Self { items, page, limit, total, next_cursor: None, cursor_paged: false }
    }

    /// A page of a provider that pages by cursor: `next_cursor` is where the next page starts,
    /// `None` on the last one.
    ///
    /// ```
    /// use payout_core::Page;
    /// let first: Page<u8> = Page::cursored(vec![1, 2], 2, Some("c2".into()));
    /// assert!(first.has_more());
    /// let last: Page<u8> = Page::cursored(vec![3, 4], 2, None);
    /// assert!(!last.has_more(), "no cursor: the end, however full the page");
    /// ```
    pub fn cursored(items: Vec<T>, limit: u32, next_cursor: Option<String>) -> Self {
        Self { items, page: 0, limit, total: None, next_cursor, cursor_paged: true }
    }

    /// Whether a later page may hold more items.
    ///
    /// Paged by cursor: whether the provider handed out a next cursor. By number, with a total:
    /// whether the pages so far hold fewer than it; without: whether this page was full. An empty
    /// page always ends the listing, so a provider whose total (or cursor) is wrong cannot make a
    /// caller page forever.
    pub fn has_more(&self) -> bool {
        if self.items.is_empty() {
            return false;
        }
        if self.cursor_paged {
            return self.next_cursor.is_some();
        }
        match self.total {
            Some(total) => (u64::from(self.page) + 1) * u64::from(self.limit) < total,
            None => self.items.len() as u64 >= u64::from(self.limit),
        }
    }
}
