//! A merchant's payment settings kept in memory between payments: the payment methods
//! and fraud rules every card payment reads. A copy is served only while the merchant
//! row the request read (with its API key, checkout or session, as it does anyway) still
//! carries the settings version the copy was read at; the database raises that version
//! with every write of those settings (migration `m20261207_000001`), so a change made
//! on any node is seen by the next payment on every node, with no extra read per payment.
//! On PostgreSQL an API call's merchant row may itself be kept in memory
//! (`direct::key_cache`): there a change made on another node is seen once the database
//! announced it, usually within milliseconds.
//!
//! Bounded: at most [`MAX_MERCHANTS`] merchants are kept; past that the copies are
//! dropped and read again as payments come.

use crate::entities::merchant;
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex, MutexGuard};

/// The merchants whose settings one cache keeps at most.
pub const MAX_MERCHANTS: usize = 4096;

/// Which merchant row a copy belongs to, and at which version it was read. The
/// creation time tells a merchant from a later one given the same id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stamp {
    id: i64,
    created_at: DateTime<Utc>,
    version: i64,
}

impl Stamp {
    /// The stamp of the merchant row a request read.
    pub fn of(merchant: &merchant::Model) -> Self {
        Stamp {
            id: merchant.id,
            created_at: merchant.created_at,
            version: merchant.settings_version,
        }
    }
}

/// One kind of setting (`T`) per merchant.
pub struct PerMerchant<T> {
    copies: Mutex<HashMap<i64, (Stamp, Arc<T>)>>,
}

impl<T> Default for PerMerchant<T> {
    fn default() -> Self {
        PerMerchant {
            copies: Mutex::new(HashMap::new()),
        }
    }
}

impl<T> PerMerchant<T> {
    fn copies(&self) -> MutexGuard<'_, HashMap<i64, (Stamp, Arc<T>)>> {
        // A panic while the map was held leaves nothing half-written in it.
        self.copies.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// `merchant`'s settings: the copy read at the row's version, or `load`ed now (after
    /// the row was read, so at least as new as it) and kept.
    pub async fn get<E, F, Fut>(&self, stamp: Stamp, load: F) -> Result<Arc<T>, E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        if let Some((kept, copy)) = self.copies().get(&stamp.id) {
            if *kept == stamp {
                return Ok(copy.clone());
            }
        }
        let copy = Arc::new(load().await?);
        let mut copies = self.copies();
        if copies.len() >= MAX_MERCHANTS && !copies.contains_key(&stamp.id) {
            copies.clear();
        }
        copies.insert(stamp.id, (stamp, copy.clone()));
        Ok(copy)
    }

    /// How many merchants have a copy (the tests' view of the bound).
    #[cfg(test)]
    fn len(&self) -> usize {
        self.copies().len()
    }

    /// Whether no merchant has a copy.
    #[cfg(test)]
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::convert::Infallible;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn merchant(id: i64, version: i64) -> Stamp {
        Stamp {
            id,
            created_at: DateTime::<Utc>::from_timestamp(1_700_000_000, 0).unwrap(),
            version,
        }
    }

    async fn read(cache: &PerMerchant<String>, m: &Stamp, loads: &AtomicUsize) -> String {
        let value = format!("{}@{}", m.id, m.version);
        let got = cache
            .get(*m, || async {
                loads.fetch_add(1, Ordering::SeqCst);
                Ok::<_, Infallible>(value)
            })
            .await
            .unwrap();
        (*got).clone()
    }

    #[tokio::test]
    async fn a_copy_serves_its_version_and_a_new_version_reads_again() {
        let (cache, loads) = (PerMerchant::default(), AtomicUsize::new(0));
        assert_eq!(read(&cache, &merchant(1, 0), &loads).await, "1@0");
        assert_eq!(read(&cache, &merchant(1, 0), &loads).await, "1@0");
        assert_eq!(loads.load(Ordering::SeqCst), 1);
        assert_eq!(read(&cache, &merchant(1, 1), &loads).await, "1@1");
        assert_eq!(loads.load(Ordering::SeqCst), 2);
        // A row read before the change (an older version) never gets a copy it did not
        // read: it reads again.
        assert_eq!(read(&cache, &merchant(1, 0), &loads).await, "1@0");
        assert_eq!(loads.load(Ordering::SeqCst), 3);
        assert_eq!(read(&cache, &merchant(2, 1), &loads).await, "2@1");
        assert_eq!(loads.load(Ordering::SeqCst), 4);
    }

    #[tokio::test]
    async fn a_later_merchant_given_the_same_id_reads_its_own() {
        let (cache, loads) = (PerMerchant::default(), AtomicUsize::new(0));
        let first = merchant(7, 0);
        read(&cache, &first, &loads).await;
        let mut later = merchant(7, 0);
        later.created_at = first.created_at + chrono::Duration::milliseconds(1);
        read(&cache, &later, &loads).await;
        assert_eq!(loads.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn a_failed_read_keeps_nothing() {
        let cache: PerMerchant<String> = PerMerchant::default();
        let m = merchant(3, 0);
        let failed = cache.get(m, || async { Err::<String, _>("down") }).await;
        assert!(failed.is_err());
        assert!(cache.is_empty());
    }

    #[tokio::test]
    async fn the_cache_holds_a_bounded_number_of_merchants() {
        let (cache, loads) = (PerMerchant::default(), AtomicUsize::new(0));
        for id in 0..(MAX_MERCHANTS as i64 + 10) {
            read(&cache, &merchant(id, 0), &loads).await;
            assert!(cache.len() <= MAX_MERCHANTS);
        }
    }
}
