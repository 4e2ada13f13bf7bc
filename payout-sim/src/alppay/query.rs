//! The query of `GET /withdrawal`: comma-separated lists (also repeated keys and `key[]=`),
//! `page` from 0 and `limit` 1..=100; and running it against the store, newest first.

use super::state::{AlpPayStatus, AlpPayWithdrawal, Store};
use super::{AlpPayConfig, AlpPaySim, wire};
use crate::clock;
use crate::engine::Ledger;

/// Finds the withdrawals one filter value matches.
type Lookup<'a> = &'a dyn Fn(&str) -> Vec<usize>;

/// A parsed listing query.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct ListQuery {
    pub(crate) ids: Vec<String>,
    pub(crate) txn_ids: Vec<String>,
    pub(crate) invoices: Vec<String>,
    pub(crate) statuses: Vec<AlpPayStatus>,
    pub(crate) page: u64,
    pub(crate) limit: u64,
}

/// A query the listing refuses with 400: the field and the message.
pub(crate) type QueryError = (&'static str, String);

pub(crate) fn parse(raw: Option<&str>) -> Result<ListQuery, QueryError> {
    let mut q = ListQuery { limit: 20, ..ListQuery::default() };
    for (key, value) in url::form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
        let key = key.strip_suffix("[]").unwrap_or(&key);
        let values = || value.split(',').map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned);
        match key {
            "ids" => q.ids.extend(values()),
            "txnIds" => q.txn_ids.extend(values()),
            "invoices" => q.invoices.extend(values()),
            "statuses" => {
                for v in values() {
                    let s = AlpPayStatus::parse(&v).ok_or_else(|| ("statuses", format!("unknown status {v:?}")))?;
                    q.statuses.push(s);
                }
            }
            "page" => {
                q.page =
                    value.parse::<u64>().map_err(|_| ("page", "page must be a non-negative integer".to_owned()))?;
            }
            "limit" => {
                q.limit = value
                    .parse::<u64>()
                    .ok()
                    .filter(|l| (1..=100).contains(l))
                    .ok_or_else(|| ("limit", "limit must be an integer between 1 and 100".to_owned()))?;
            }
            _ => {}
        }
    }
    Ok(q)
}

impl AlpPaySim {
    /// One page of a listing, newest first.
    pub(crate) fn list_page(&self, q: &ListQuery) -> Vec<u8> {
        self.engine().change(|store, config| {
            let changed = store.advance_all(config, clock::now());
            (page(store, config, q), changed)
        })
    }
}

/// One page of `store` for `q`, newest first.
fn page(store: &mut Store, config: &AlpPayConfig, q: &ListQuery) -> Vec<u8> {
    let skip = usize::try_from(q.page.saturating_mul(q.limit)).unwrap_or(usize::MAX);
    let limit = usize::try_from(q.limit).unwrap_or(100);
    let keep = |w: &AlpPayWithdrawal| q.statuses.is_empty() || q.statuses.contains(&w.status);
    let by_index = !(q.ids.is_empty() && q.invoices.is_empty() && q.txn_ids.is_empty());
    if !by_index && q.statuses.is_empty() {
        // Everything, newest first: serialize only the page, from a cached order (paging
        // through N withdrawals stays O(N) instead of O(N²)).
        let total = store.order.len();
        let from = skip.min(total);
        let to = from.saturating_add(limit).min(total);
        let page: Vec<usize> = store.newest_first()[from..to].to_vec();
        let items = page.iter().map(|i| &store.items[*i]);
        return wire::page(items, &config.merchant, q.page, q.limit, total);
    }
    let matching: Vec<usize> = if by_index {
        let mut found: Option<Vec<usize>> = None;
        let lists: [(&[String], Lookup<'_>); 3] = [
            (&q.ids, &|v| store.by_id.get(v).copied().into_iter().collect()),
            (&q.invoices, &|v| store.by_invoice.get(v).cloned().unwrap_or_default()),
            (&q.txn_ids, &|v| store.by_txn.get(v).cloned().unwrap_or_default()),
        ];
        for (values, lookup) in lists {
            if values.is_empty() {
                continue;
            }
            let mut these: Vec<usize> = values.iter().flat_map(|v| lookup(v)).collect();
            these.sort_unstable();
            these.dedup();
            found = Some(match found {
                None => these,
                Some(prev) => prev.into_iter().filter(|i| these.binary_search(i).is_ok()).collect(),
            });
        }
        let mut m: Vec<usize> = found.unwrap_or_default().into_iter().filter(|i| keep(&store.items[*i])).collect();
        m.sort_unstable_by_key(|i| {
            let w = &store.items[*i];
            std::cmp::Reverse((w.created_at.unix_timestamp_nanos(), w.seq))
        });
        m
    } else {
        store.order.values().rev().copied().filter(|i| keep(&store.items[*i])).collect()
    };
    let total = matching.len();
    let items = matching.iter().skip(skip).take(limit).map(|i| &store.items[*i]);
    wire::page(items, &config.merchant, q.page, q.limit, total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_in_every_spelling() {
        let q = parse(Some(
            "statuses=OPEN,COMPLETE&statuses=CANCELLED&statuses%5B%5D=APPROVED&ids[]=a&invoices=x,%20y&page=2&limit=50",
        ))
        .unwrap();
        use AlpPayStatus::*;
        assert_eq!(q.statuses, vec![Open, Complete, Cancelled, Approved]);
        assert_eq!(q.ids, vec!["a"]);
        assert_eq!(q.invoices, vec!["x", "y"]);
        assert_eq!((q.page, q.limit), (2, 50));
        assert_eq!(parse(None).unwrap().limit, 20);
    }

    #[test]
    fn refuses_bad_values() {
        for bad in ["limit=0", "limit=101", "limit=x", "page=-1", "page=x", "statuses=open", "statuses=DONE", "page="] {
            assert!(parse(Some(bad)).is_err(), "{bad}");
        }
    }
}
