//! The cases. Each checks one rule of [`PayoutProvider`](payout_core::PayoutProvider) and says,
//! when it fails, which call returned what.

use std::collections::{BTreeMap, BTreeSet};

use futures::TryStreamExt;
use http::HeaderMap;
use payout_core::{
    Asset, Capability, ErrorKind, ListQuery, PayoutProviderExt, Reference, SubmitPath, Transition, Withdrawal,
    WithdrawalId, WithdrawalStatus,
};

use super::context::{CaseResult, Ctx, Findings, Stop, expect_kind};
use super::harness::{Drive, Step};

/// `create_withdrawal` answers with what was asked.
pub(crate) async fn create_echoes_request(cx: &Ctx<'_>, f: &mut Findings) -> CaseResult {
    let (req, w) = cx.create_one().await?;
    let call = format!("create_withdrawal({})", req.reference());
    f.same(&format!("{call} provider"), &cx.provider.id(), &w.provider);
    if w.id.as_str().is_empty() {
        f.problem(format!("{call} returned an empty id"));
    }
    f.same(&format!("{call} reference"), &Some(req.reference().clone()), &w.reference);
    f.same(&format!("{call} amount"), &req.exact_amount(), &w.amount);
    f.same(&format!("{call} address"), &Some(req.address().to_owned()), &w.address);
    if req.tag().is_some() {
        f.same(&format!("{call} tag"), &req.tag().map(str::to_owned), &w.tag);
    }
    match &w.asset {
        None => f.problem(format!("{call} reported no asset; expected {}", req.asset())),
        Some(a) => {
            f.same(&format!("{call} asset symbol"), &req.asset().symbol(), &a.symbol());
            if req.asset().network().is_some() {
                f.same(&format!("{call} asset network"), &req.asset().network(), &a.network());
            }
        }
    }
    if let Some(u) = &w.end_user {
        f.same(&format!("{call} end user id"), &req.end_user().id, &u.id);
    }
    if w.provider_status.is_empty() {
        f.problem(format!("{call} reported an empty provider_status; keep the provider's raw status"));
    }
    Ok(())
}

/// `get_withdrawal` and `find_withdrawal` report the withdrawal `create_withdrawal` returned.
pub(crate) async fn get_and_find_agree(cx: &Ctx<'_>, f: &mut Findings) -> CaseResult {
    let (req, created) = cx.create_one().await?;
    let reference = req.reference();
    let rules = cx.provider.status_rules();
    let compare = |f: &mut Findings, call: &str, w: &Withdrawal| {
        f.same(&format!("{call} id (create returned {})", created.id), &created.id, &w.id);
        if w.reference.is_some() {
            f.same(&format!("{call} reference"), &created.reference, &w.reference);
        } else {
            // Some answers do not carry the reference (Cryptomus's payout info by uuid): unknown,
            // never another one.
            f.note(format!("{call} carries no reference"));
        }
        f.same(&format!("{call} amount"), &created.amount, &w.amount);
        if rules.transition(&created, w) == Transition::Illegal {
            f.problem(format!(
                "{call} status is {} but create returned {}: a status never moves back",
                w.status, created.status
            ));
        }
    };
    let mut got = None;
    if cx.supports(Capability::Get) {
        let w = cx.get(&created.id).await?;
        compare(f, &format!("get_withdrawal({})", created.id), &w);
        got = Some(w);
    } else {
        f.note("capabilities() leaves out Get: only find_withdrawal checked");
    }
    if cx.supports(Capability::Find) {
        match cx.find(reference).await? {
            None => f.problem(format!(
                "find_withdrawal({reference}) returned None, but create returned withdrawal {} with that reference",
                created.id
            )),
            Some(found) => {
                compare(f, &format!("find_withdrawal({reference})"), &found);
                if let Some(by_id) = &got
                    && by_id.status != found.status
                    && rules.transition(by_id, &found) != Transition::Advance
                {
                    f.problem(format!(
                        "get_withdrawal says {} but find_withdrawal says {} for withdrawal {}",
                        by_id.status, found.status, created.id
                    ));
                }
            }
        }
    } else {
        f.note("capabilities() leaves out Find: only get_withdrawal checked");
    }
    Ok(())
}

/// Unknown references and ids are reported as such, not as errors of another kind.
pub(crate) async fn unknown_lookups(cx: &Ctx<'_>, f: &mut Findings) -> CaseResult {
    if cx.supports(Capability::Find) {
        let reference = cx.reference()?;
        match cx.provider.find_withdrawal(&reference).await {
            Ok(None) => {}
            Ok(Some(w)) => f.problem(format!(
                "find_withdrawal({reference}) of a reference never used returned withdrawal {}; expected None",
                w.id
            )),
            Err(e) => f.problem(format!(
                "find_withdrawal({reference}) of a reference never used failed with {} ({e}); expected Ok(None)",
                e.kind()
            )),
        }
    }
    if cx.supports(Capability::Get) {
        let id = cx.harness.unknown_id();
        let result = cx.provider.get_withdrawal(&id).await;
        if let Err(why) = expect_kind(&result, &[ErrorKind::NotFound], |w| format!("returned withdrawal {}", w.id)) {
            f.problem(format!("get_withdrawal({id}) of an id that names no withdrawal {why}"));
        }
    }
    if !cx.supports(Capability::Find) && !cx.supports(Capability::Get) {
        return Err(Stop::Skipped("capabilities() has neither Get nor Find".into()));
    }
    Ok(())
}

/// A used reference is refused and nothing new is created.
pub(crate) async fn duplicate_reference(cx: &Ctx<'_>, f: &mut Findings) -> CaseResult {
    let (req, first) = cx.create_one().await?;
    let reference = req.reference();
    let second = cx.provider.create_withdrawal(&req).await;
    if cx.supports(Capability::IdempotentCreate) {
        // A provider that replays a used reference answers with the first withdrawal.
        match &second {
            Ok(w) if w.id == first.id => {}
            Ok(w) => f.problem(format!(
                "capabilities() includes IdempotentCreate, but a second create_withdrawal({reference}) created withdrawal {} after {}",
                w.id, first.id
            )),
            Err(e) if e.kind() == ErrorKind::DuplicateReference => {}
            Err(e) => f.problem(format!(
                "capabilities() includes IdempotentCreate, but a second create_withdrawal({reference}) failed: {e}"
            )),
        }
    } else if cx.harness.enforces_unique_references() {
        if let Err(why) = expect_kind(&second, &[ErrorKind::DuplicateReference], |w| {
            format!("created withdrawal {} after create returned {}", w.id, first.id)
        }) {
            f.problem(format!("a second create_withdrawal({reference}) {why}"));
        }
    } else {
        f.note("the harness says this provider does not enforce unique references: only the first withdrawal's presence is checked");
    }
    if cx.supports(Capability::Find) {
        match cx.find(reference).await? {
            Some(w) if w.id == first.id => {}
            Some(w) => f.problem(format!(
                "find_withdrawal({reference}) returned id {} but the first create returned id {}",
                w.id, first.id
            )),
            None => f.problem(format!(
                "find_withdrawal({reference}) returned None after create returned withdrawal {}",
                first.id
            )),
        }
    }
    if cx.harness.enforces_unique_references()
        && let Some(n) = cx.count_with(reference).await?
        && n != 1
    {
        f.problem(format!("list_withdrawals finds {n} withdrawals with reference {reference}; expected exactly 1"));
    }
    Ok(())
}

/// Requests the provider cannot carry out are refused before anything is created.
pub(crate) async fn invalid_requests_refused(cx: &Ctx<'_>, f: &mut Findings) -> CaseResult {
    let cases = cx.harness.invalid_cases();
    if cases.is_empty() {
        return Err(Stop::Skipped("the harness gives no invalid requests".into()));
    }
    for case in cases {
        let reference = cx.reference()?;
        let req = match case.template.build(reference.as_str()) {
            Ok(req) => req,
            Err(e) => {
                f.problem(format!(
                    "the harness's invalid request \"{}\" is already refused by the request builder ({e}); give one the builder accepts but the provider cannot carry out",
                    case.what
                ));
                continue;
            }
        };
        let result = cx.provider.create_withdrawal(&req).await;
        let refused = expect_kind(&result, &[ErrorKind::InvalidRequest, ErrorKind::Unsupported], |w| {
            format!("created withdrawal {}", w.id)
        });
        if let Err(why) = refused {
            f.problem(format!("create_withdrawal with {} {why}", case.what));
        }
        cx.expect_none_with(f, &reference, &format!("create_withdrawal with {} was refused", case.what)).await;
    }
    Ok(())
}

/// Options left out of the capabilities are refused, and nothing is created.
pub(crate) async fn unsupported_options(cx: &Ctx<'_>, f: &mut Findings) -> CaseResult {
    let template = cx.harness.template();
    let mut checked = false;
    if !cx.supports(Capability::Convert) {
        checked = true;
        let reference = cx.reference()?;
        let target = if template.asset.symbol() == "BTC" { Asset::new("ETH") } else { Asset::new("BTC") };
        let req = template
            .build_converted(reference.as_str(), target)
            .map_err(|e| format!("the template does not build a conversion request ({e}); fix the harness"))?;
        let result = cx.provider.create_withdrawal(&req).await;
        let expected = &[ErrorKind::Unsupported, ErrorKind::InvalidRequest];
        if let Err(why) = expect_kind(&result, expected, |w| format!("created withdrawal {}", w.id)) {
            f.problem(format!("capabilities() leaves out Convert, but create_withdrawal with amount_to {why}"));
        }
        cx.expect_none_with(f, &reference, "the conversion was refused").await;
    }
    if !cx.supports(Capability::Tag) && template.tag.is_none() {
        checked = true;
        let reference = cx.reference()?;
        let mut tagged = template.clone();
        tagged.tag = Some("12345".into());
        let req =
            tagged.build(reference.as_str()).map_err(|e| format!("the template with a tag does not build ({e})"))?;
        let result = cx.provider.create_withdrawal(&req).await;
        let expected = &[ErrorKind::Unsupported, ErrorKind::InvalidRequest];
        if let Err(why) = expect_kind(&result, expected, |w| format!("created withdrawal {}", w.id)) {
            f.problem(format!("capabilities() leaves out Tag, but create_withdrawal with a tag {why}"));
        }
        cx.expect_none_with(f, &reference, "the tagged request was refused").await;
    }
    if !checked {
        return Err(Stop::Skipped("capabilities() includes Convert and Tag: no option to refuse".into()));
    }
    Ok(())
}

/// Each operation's answer agrees with `capabilities()`.
pub(crate) async fn capabilities_match(cx: &Ctx<'_>, f: &mut Findings) -> CaseResult {
    let caps = cx.provider.capabilities();
    if caps != cx.provider.capabilities() {
        f.problem("capabilities() changed between two calls");
    }
    if cx.provider.id().as_str().is_empty() {
        f.problem("id() is empty");
    }
    let unsupported =
        |r: Result<(), payout_core::PayoutError>| matches!(r, Err(e) if e.kind() == ErrorKind::Unsupported);
    let check = |f: &mut Findings, c: Capability, call: &str, was_unsupported: bool| match (
        caps.supports(c),
        was_unsupported,
    ) {
        (true, true) => f.problem(format!("capabilities() lists {c} but {call} returned Unsupported")),
        (false, false) => f.problem(format!("capabilities() leaves out {c} but {call} did not return Unsupported")),
        _ => {}
    };

    let list = cx.provider.list_withdrawals(&ListQuery::new().limit(1).map_err(|e| e.to_string())?).await;
    if caps.supports(Capability::List)
        && let Err(e) = &list
        && e.kind() != ErrorKind::Unsupported
    {
        f.problem(format!("list_withdrawals(first page, limit 1) failed with {} ({e}); expected a page", e.kind()));
    }
    check(f, Capability::List, "list_withdrawals", unsupported(list.map(|_| ())));

    let id = cx.harness.unknown_id();
    let get = cx.provider.get_withdrawal(&id).await;
    check(f, Capability::Get, &format!("get_withdrawal({id})"), unsupported(get.map(|_| ())));

    let reference = cx.reference()?;
    let find = cx.provider.find_withdrawal(&reference).await;
    check(f, Capability::Find, &format!("find_withdrawal({reference})"), unsupported(find.map(|_| ())));

    let hook = cx.provider.parse_webhook(&HeaderMap::new(), b"{}");
    if caps.supports(Capability::Webhook) {
        match &hook {
            Ok(u) => f.problem(format!(
                "parse_webhook of an unsigned body `{{}}` returned an update for withdrawal {}; expected Webhook",
                u.withdrawal.id
            )),
            Err(e) if e.kind() != ErrorKind::Webhook && e.kind() != ErrorKind::Unsupported => {
                f.problem(format!("parse_webhook of an unsigned body failed with {} ({e}); expected Webhook", e.kind()))
            }
            Err(_) => {}
        }
    }
    check(f, Capability::Webhook, "parse_webhook", unsupported(hook.map(|_| ())));

    if !caps.supports(Capability::Create) {
        let req = cx.request()?;
        let create = cx.provider.create_withdrawal(&req).await;
        check(f, Capability::Create, "create_withdrawal", unsupported(create.map(|_| ())));
    }
    Ok(())
}

/// Listing pages without gaps or repeats, and filters by reference, id, tx hash and status.
pub(crate) async fn listing_pages(cx: &Ctx<'_>, f: &mut Findings) -> CaseResult {
    if !cx.supports(Capability::List) {
        return Err(Stop::Skipped(
            "capabilities() leaves out List (capabilities_match checks list_withdrawals says Unsupported)".into(),
        ));
    }
    const COUNT: usize = 5;
    const LIMIT: u32 = 2;
    let mut created: Vec<Withdrawal> = Vec::new();
    for _ in 0..COUNT {
        created.push(cx.create_one().await?.1);
    }
    let refs: Vec<Reference> = created.iter().filter_map(|w| w.reference.clone()).collect();
    if refs.len() != COUNT {
        return Err(Stop::Failed("create_withdrawal returned withdrawals without their reference".into()));
    }
    let ours: BTreeSet<WithdrawalId> = created.iter().map(|w| w.id.clone()).collect();
    let base = with_refs(&refs).limit(LIMIT).map_err(|e| e.to_string())?;

    // Page by page: every item once, each page no larger than the limit, the total right.
    let mut seen: BTreeMap<WithdrawalId, u32> = BTreeMap::new();
    let mut listed: Vec<Withdrawal> = Vec::new();
    let max_pages = (COUNT as u32).div_ceil(LIMIT) + 1;
    // A provider paging by cursor is followed by its cursors; page numbers mean nothing to it.
    let mut cursor: Option<String> = None;
    for page_no in 0..=max_pages {
        let q = match &cursor {
            Some(c) => base.clone().cursor(c.clone()),
            None => base.clone().page(page_no),
        };
        let page = cx.provider.list_withdrawals(&q).await.map_err(|e| {
            format!("list_withdrawals(5 references, page {page_no}, limit {LIMIT}) failed with {}: {e}", e.kind())
        })?;
        if page.cursor_paged {
            cursor = page.next_cursor.clone();
        } else {
            f.same(&format!("page {page_no}: Page::page"), &page_no, &page.page);
        }
        if page.items.len() > LIMIT as usize {
            f.problem(format!("page {page_no} holds {} items; the limit was {LIMIT}", page.items.len()));
        }
        if let Some(total) = page.total
            && total != COUNT as u64
        {
            f.problem(format!("page {page_no}: total is {total}; {COUNT} withdrawals carry the 5 references"));
        }
        for w in &page.items {
            if !ours.contains(&w.id) {
                f.problem(format!(
                    "page {page_no} holds withdrawal {} (reference {:?}), which carries none of the 5 references asked for",
                    w.id, w.reference
                ));
            } else if let Some(earlier) = seen.insert(w.id.clone(), page_no) {
                f.problem(format!("withdrawal {} appears on page {earlier} and again on page {page_no}", w.id));
            } else {
                listed.push(w.clone());
            }
        }
        if !page.has_more() {
            break;
        }
    }
    let missing: Vec<&WithdrawalId> = ours.iter().filter(|id| !seen.contains_key(*id)).collect();
    if !missing.is_empty() {
        f.problem(format!("paging by {LIMIT} never returned withdrawal(s) {missing:?}: a gap between pages"));
    }

    // The lazy stream pages the same way.
    match cx.provider.list_all(base.clone()).try_collect::<Vec<_>>().await {
        Ok(all) => f.same("list_all(5 references, limit 2) item count", &COUNT, &all.len()),
        Err(e) => f.problem(format!("list_all(5 references, limit 2) failed with {}: {e}", e.kind())),
    }

    // One reference, one id.
    let pick = &created[2];
    let by_ref = ListQuery::new().reference(refs[2].clone());
    match filtered(cx, &by_ref).await {
        Ok(p) => {
            let ids: Vec<&WithdrawalId> = p.iter().map(|w| &w.id).collect();
            f.same(&format!("list_withdrawals(reference {}) ids", refs[2]), &vec![&pick.id], &ids);
        }
        Err(e) => f.problem(format!("list_withdrawals(reference {}) failed with {}: {e}", refs[2], e.kind())),
    }
    let by_id = with_refs(&refs).id(pick.id.clone());
    match filtered(cx, &by_id).await {
        Ok(p) => {
            let ids: Vec<&WithdrawalId> = p.iter().map(|w| &w.id).collect();
            f.same(&format!("list_withdrawals(5 references and id {})", pick.id), &vec![&pick.id], &ids);
        }
        Err(e) => f.problem(format!("list_withdrawals(id {}) failed with {}: {e}", pick.id, e.kind())),
    }

    // A transaction hash, when the harness can complete a withdrawal.
    let tx_hash = cx.tx_hash();
    let last = &created[COUNT - 1];
    if cx.drive(&last.id, &Step::Complete { tx_hash: tx_hash.clone() }).await? {
        let q = with_refs(&refs).tx_hash(tx_hash.clone());
        match filtered(cx, &q).await {
            Ok(p) => {
                let ids: Vec<&WithdrawalId> = p.iter().map(|w| &w.id).collect();
                f.same(&format!("list_withdrawals(tx hash {tx_hash}) ids"), &vec![&last.id], &ids);
            }
            Err(e) => f.problem(format!("list_withdrawals(tx hash {tx_hash}) failed with {}: {e}", e.kind())),
        }
        // It is completed now: read it again for the status checks below.
        match listed.iter_mut().find(|w| w.id == last.id) {
            Some(slot) => *slot = cx.current(last).await?,
            None => f.problem(format!("withdrawal {} was never listed", last.id)),
        }
    } else {
        f.note("the harness cannot complete: the tx hash filter is not checked");
    }

    // Statuses: each status present returns exactly its withdrawals; an absent one returns none.
    let mut by_status: BTreeMap<&'static str, (WithdrawalStatus, BTreeSet<WithdrawalId>)> = BTreeMap::new();
    for w in &listed {
        by_status.entry(w.status.as_str()).or_insert_with(|| (w.status, BTreeSet::new())).1.insert(w.id.clone());
    }
    let absent = [WithdrawalStatus::Rejected, WithdrawalStatus::Cancelled, WithdrawalStatus::Completed]
        .into_iter()
        .find(|s| !by_status.contains_key(s.as_str()));
    let mut asks: Vec<(WithdrawalStatus, BTreeSet<WithdrawalId>)> = by_status.into_values().collect();
    if let Some(s) = absent {
        asks.push((s, BTreeSet::new()));
    }
    for (status, expected) in asks {
        let q = with_refs(&refs).status(status);
        match filtered(cx, &q).await {
            Ok(p) => {
                let got: BTreeSet<WithdrawalId> = p.iter().map(|w| w.id.clone()).collect();
                if let Some(w) = p.iter().find(|w| w.status != status) {
                    f.problem(format!(
                        "list_withdrawals(status {status}) returned withdrawal {} which is {}",
                        w.id, w.status
                    ));
                }
                f.same(&format!("list_withdrawals(5 references, status {status}) ids"), &expected, &got);
            }
            Err(e) => f.problem(format!("list_withdrawals(status {status}) failed with {}: {e}", e.kind())),
        }
    }
    Ok(())
}

/// Drives `step` and reads the withdrawal back; `None` when the harness cannot drive it.
async fn drive_and_read(cx: &Ctx<'_>, w: &Withdrawal, step: &Step) -> Result<Option<Withdrawal>, Stop> {
    if !cx.drive(&w.id, step).await? {
        return Ok(None);
    }
    Ok(Some(cx.current(w).await?))
}

/// After a final status, tries to move the withdrawal back and checks that it stays put.
async fn stays_final(cx: &Ctx<'_>, f: &mut Findings, w: &Withdrawal, attempts: &[Step]) -> CaseResult {
    for step in attempts {
        // The backend may refuse the move (the harness then errs): only what the provider reports
        // matters.
        match cx.harness.drive(&w.id, step).await {
            Ok(Drive::NotSupported) => continue,
            Ok(Drive::Done) | Err(_) => {}
        }
        let now = cx.current(w).await?;
        if now.status != w.status {
            f.problem(format!(
                "withdrawal {} was {} (final), and after the backend was asked to {step} it is reported {}: a final status never moves",
                w.id, w.status, now.status
            ));
        }
        if now.tx_hash != w.tx_hash {
            f.problem(format!(
                "withdrawal {}'s tx hash changed from {:?} to {:?} after it was final",
                w.id, w.tx_hash, now.tx_hash
            ));
        }
    }
    Ok(())
}

/// Approve and complete are reported with the unified statuses; a completed withdrawal stays so.
pub(crate) async fn status_moves(cx: &Ctx<'_>, f: &mut Findings) -> CaseResult {
    let (_, created) = cx.create_one().await?;
    if created.status.is_terminal() {
        return Err(Stop::Skipped(format!("create returned a final status ({}): nothing to move", created.status)));
    }
    let mut last = created.clone();
    let mut drove = false;
    if let Some(w) = drive_and_read(cx, &last, &Step::Approve).await? {
        drove = true;
        if !matches!(w.status, WithdrawalStatus::Approved | WithdrawalStatus::Processing) {
            f.problem(format!(
                "after approve, withdrawal {} is reported {} (provider status {:?}); expected approved or processing",
                w.id, w.status, w.provider_status
            ));
        }
        if cx.provider.status_rules().transition(&last, &w) == Transition::Illegal {
            f.problem(format!("approve moved withdrawal {} back from {} to {}", w.id, last.status, w.status));
        }
        last = w;
    } else {
        f.note("the harness cannot approve");
    }
    let tx_hash = cx.tx_hash();
    if let Some(w) = drive_and_read(cx, &last, &Step::Complete { tx_hash: tx_hash.clone() }).await? {
        drove = true;
        f.same(&format!("after complete, withdrawal {} status", w.id), &WithdrawalStatus::Completed, &w.status);
        f.same(&format!("after complete, withdrawal {} tx_hash", w.id), &Some(tx_hash), &w.tx_hash);
        if w.status == WithdrawalStatus::Completed {
            stays_final(cx, f, &w, &[Step::Cancel, Step::Approve]).await?;
        }
    } else {
        f.note("the harness cannot complete");
    }
    if !drove {
        return Err(Stop::Skipped("the harness can neither approve nor complete".into()));
    }
    Ok(())
}

/// Cancel is reported as `cancelled`, which is final.
pub(crate) async fn cancel_is_final(cx: &Ctx<'_>, f: &mut Findings) -> CaseResult {
    let (_, created) = cx.create_one().await?;
    let Some(w) = drive_and_read(cx, &created, &Step::Cancel).await? else {
        return Err(Stop::Skipped("the harness cannot cancel".into()));
    };
    f.same(&format!("after cancel, withdrawal {} status", w.id), &WithdrawalStatus::Cancelled, &w.status);
    if w.status == WithdrawalStatus::Cancelled {
        let tx_hash = cx.tx_hash();
        stays_final(cx, f, &w, &[Step::Approve, Step::Complete { tx_hash }]).await?;
    }
    Ok(())
}

/// Reject is reported as `rejected` (or `cancelled` where the provider has no decline), final.
pub(crate) async fn reject_is_final(cx: &Ctx<'_>, f: &mut Findings) -> CaseResult {
    let (_, created) = cx.create_one().await?;
    let Some(w) = drive_and_read(cx, &created, &Step::Reject).await? else {
        return Err(Stop::Skipped("the harness cannot reject".into()));
    };
    if !matches!(w.status, WithdrawalStatus::Rejected | WithdrawalStatus::Cancelled) {
        f.problem(format!(
            "after reject, withdrawal {} is reported {} (provider status {:?}); expected rejected, or cancelled for a provider without a decline",
            w.id, w.status, w.provider_status
        ));
    } else {
        stays_final(cx, f, &w, &[Step::Approve]).await?;
    }
    Ok(())
}

/// `submit` after a lost create answer finds the one withdrawal instead of creating another.
pub(crate) async fn submit_reconciles(cx: &Ctx<'_>, f: &mut Findings) -> CaseResult {
    let req = cx.request()?;
    let reference = req.reference();
    match cx.harness.lose_next_create_answer().await {
        Ok(Drive::Done) => {}
        Ok(Drive::NotSupported) => {
            return Err(Stop::Skipped("the harness cannot lose a create's answer".into()));
        }
        Err(e) => return Err(Stop::Failed(format!("the harness could not arm the lost-answer fault: {e}"))),
    }
    let submitted = cx.provider.submit(&req).await.map_err(|e| {
        format!("submit({reference}) after a lost create answer failed with {}: {e}; expected the withdrawal, found by reference", e.kind())
    })?;
    if submitted.path != SubmitPath::Reconciled {
        f.problem(format!(
            "submit({reference}) returned path {:?}; expected Reconciled (did create_withdrawal return OutcomeUnknown when its answer was lost?)",
            submitted.path
        ));
    }
    f.same(&format!("submit({reference}) reference"), &Some(reference.clone()), &submitted.withdrawal.reference);
    if cx.supports(Capability::Find) {
        match cx.find(reference).await? {
            Some(w) => f.same(
                &format!("find_withdrawal({reference}) id (submit returned {})", submitted.withdrawal.id),
                &submitted.withdrawal.id,
                &w.id,
            ),
            None => f.problem(format!("find_withdrawal({reference}) returned None after submit")),
        }
    }
    if let Some(n) = cx.count_with(reference).await?
        && n != 1
    {
        f.problem(format!("after submit, list_withdrawals finds {n} withdrawals with reference {reference}; expected exactly 1: the payout was created twice"));
    }
    Ok(())
}

/// `submit` twice with one request yields one withdrawal.
pub(crate) async fn submit_is_idempotent(cx: &Ctx<'_>, f: &mut Findings) -> CaseResult {
    if !cx.harness.enforces_unique_references() {
        return Err(Stop::Skipped("the harness says this provider does not enforce unique references".into()));
    }
    let req = cx.request()?;
    let reference = req.reference();
    let first =
        cx.provider.submit(&req).await.map_err(|e| format!("submit({reference}) failed with {}: {e}", e.kind()))?;
    f.same(&format!("first submit({reference}) path"), &SubmitPath::Created, &first.path);
    match cx.provider.submit(&req).await {
        Ok(second) => {
            // A provider that replays a used reference answers the second create with the first
            // withdrawal, which submit cannot tell from a new one.
            let replayed = cx.supports(Capability::IdempotentCreate) && second.path == SubmitPath::Created;
            if !replayed {
                f.same(&format!("second submit({reference}) path"), &SubmitPath::AlreadyExisted, &second.path);
            }
            f.same(
                &format!("second submit({reference}) id (the first returned {})", first.withdrawal.id),
                &first.withdrawal.id,
                &second.withdrawal.id,
            );
        }
        Err(e) => f.problem(format!(
            "a second submit({reference}) of the same request failed with {} ({e}); expected the first withdrawal with AlreadyExisted",
            e.kind()
        )),
    }
    if let Some(n) = cx.count_with(reference).await?
        && n != 1
    {
        f.problem(format!("list_withdrawals finds {n} withdrawals with reference {reference}; expected exactly 1"));
    }
    Ok(())
}

/// A signed webhook round-trips; a tampered or unsigned one is refused.
pub(crate) async fn webhook_roundtrip(cx: &Ctx<'_>, f: &mut Findings) -> CaseResult {
    if !cx.supports(Capability::Webhook) {
        return Err(Stop::Skipped("capabilities() leaves out Webhook".into()));
    }
    let (_, w) = cx.create_one().await?;
    let Some(hook) = cx.harness.webhook(&w) else {
        return Err(Stop::Skipped("the harness gives no signed webhook".into()));
    };
    match cx.provider.parse_webhook(&hook.headers, &hook.body) {
        Ok(update) => {
            let u = &update.withdrawal;
            f.same("parse_webhook id", &w.id, &u.id);
            f.same("parse_webhook reference", &w.reference, &u.reference);
            f.same("parse_webhook status", &w.status, &u.status);
            if u.amount.is_some() {
                f.same("parse_webhook amount", &w.amount, &u.amount);
            }
        }
        Err(e) => f.problem(format!("parse_webhook of the harness's signed webhook failed with {} ({e})", e.kind())),
    }
    // A signature inside the body (Cryptomus) covers the payload, not the bytes around it: the
    // tampering changes the withdrawal's id, and no header can be taken away.
    let in_body = hook.headers.keys().all(|name| name == http::header::CONTENT_TYPE);
    let (tampered, how) = if in_body {
        let mut changed = hook.clone();
        let text = String::from_utf8_lossy(&hook.body).replacen(w.id.as_str(), &format!("{}0", w.id), 1);
        changed.body = text.into_bytes();
        (changed, "the withdrawal's id changed")
    } else {
        (hook.tampered(), "one byte added")
    };
    let result = cx.provider.parse_webhook(&tampered.headers, &tampered.body);
    if let Err(why) =
        expect_kind(&result, &[ErrorKind::Webhook], |u| format!("returned withdrawal {}", u.withdrawal.id))
    {
        f.problem(format!("parse_webhook of a body changed after signing ({how}) {why}"));
    }
    if in_body {
        f.note("the signature is inside the body: no header to take away");
        return Ok(());
    }
    let result = cx.provider.parse_webhook(&HeaderMap::new(), &hook.body);
    if let Err(why) =
        expect_kind(&result, &[ErrorKind::Webhook], |u| format!("returned withdrawal {}", u.withdrawal.id))
    {
        f.problem(format!("parse_webhook without any header {why}"));
    }
    Ok(())
}

/// Every withdrawal a filtered listing holds, over all its pages (a provider paging by cursor
/// may spread a filter's matches over several).
async fn filtered(cx: &Ctx<'_>, q: &ListQuery) -> Result<Vec<Withdrawal>, payout_core::PayoutError> {
    cx.provider.list_all(q.clone()).try_collect().await
}

/// A query for exactly these references (the fields are public; `ListQuery` is non-exhaustive).
fn with_refs(refs: &[Reference]) -> ListQuery {
    let mut q = ListQuery::new();
    q.references = refs.to_vec();
    q
}
