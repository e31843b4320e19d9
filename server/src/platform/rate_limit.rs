//! Fixed-window counters per key (a client address, a checkout), for the endpoints that
//! must not be hammered. Memory is bounded and the bound fails closed: once
//! [`MAX_KEYS`] live windows are tracked, or for a key longer than [`MAX_KEY_LEN`],
//! hits are counted in one shared overflow window with the same limit, so a spray of
//! addresses or made-up ids is held back instead of let through. Finished windows are
//! forgotten in the order they started, each once (O(1) amortised per hit).
//!
//! Addresses are counted by [`address_key`]: IPv6 by its /64, which one subscriber
//! holds whole.

use std::borrow::Cow;
use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// Live windows tracked at most per limiter; further keys share the overflow window.
pub const MAX_KEYS: usize = 10_000;

/// Longest key tracked on its own (bytes); longer keys share the overflow window.
pub const MAX_KEY_LEN: usize = 96;

/// The key a client address is counted under: an IPv4 address itself (also when
/// written as IPv4-mapped IPv6), an IPv6 address by its /64 network, since a single
/// subscriber is handed a whole /64 and may use any address in it.
pub fn address_key(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

/// `key` with a client address in it (the whole key, or what follows a `name:`
/// prefix) replaced by its [`address_key`], so every per-address limiter groups IPv6
/// networks alike.
pub(crate) fn normalised(key: &str) -> Cow<'_, str> {
    if let Ok(ip) = key.parse::<IpAddr>() {
        return Cow::Owned(address_key(ip));
    }
    if let Some((prefix, rest)) = key.split_once(':') {
        if let Ok(ip) = rest.parse::<IpAddr>() {
            return Cow::Owned(format!("{prefix}:{}", address_key(ip)));
        }
    }
    Cow::Borrowed(key)
}

#[derive(Debug)]
struct Table {
    /// Each tracked key's window start and hits; every entry is live (see `evict`).
    counts: HashMap<String, (Instant, u32)>,
    /// The tracked keys in the order their windows started, which is the order they end.
    order: VecDeque<(Instant, String)>,
    /// The shared window of keys not tracked on their own.
    overflow: (Instant, u32),
}

impl Table {
    /// Forgets the windows that have ended: each key is popped once, so the cost is
    /// O(1) amortised per hit.
    fn evict(&mut self, now: Instant, window: Duration) {
        while let Some((start, _)) = self.order.front() {
            if now.duration_since(*start) < window {
                break;
            }
            if let Some((start, key)) = self.order.pop_front() {
                if self.counts.get(&key).is_some_and(|(s, _)| *s == start) {
                    self.counts.remove(&key);
                }
            }
        }
    }
}

/// Allows `limit` hits per key per window.
#[derive(Debug)]
pub struct RateLimiter {
    limit: u32,
    window: Duration,
    max_keys: usize,
    table: Mutex<Table>,
}

impl RateLimiter {
    /// `limit` hits per `window`, at most [`MAX_KEYS`] keys tracked on their own.
    pub fn new(limit: u32, window: Duration) -> Self {
        Self::with_max_keys(limit, window, MAX_KEYS)
    }

    /// `limit` hits per `window`, at most `max_keys` keys tracked on their own.
    pub fn with_max_keys(limit: u32, window: Duration, max_keys: usize) -> Self {
        RateLimiter {
            limit,
            window,
            max_keys,
            table: Mutex::new(Table {
                counts: HashMap::new(),
                order: VecDeque::new(),
                overflow: (Instant::now(), 0),
            }),
        }
    }

    fn table(&self) -> MutexGuard<'_, Table> {
        self.table.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Adds `add` hits to `key`'s window (or to the overflow window); answers its hits.
    fn hit(&self, key: &str, add: u32) -> u32 {
        let now = Instant::now();
        let key = normalised(key);
        let mut table = self.table();
        table.evict(now, self.window);
        if key.len() <= MAX_KEY_LEN {
            if let Some((_, hits)) = table.counts.get_mut(key.as_ref()) {
                *hits = hits.saturating_add(add);
                return *hits;
            }
            if table.counts.len() < self.max_keys {
                if add > 0 {
                    let key = key.into_owned();
                    table.counts.insert(key.clone(), (now, add));
                    table.order.push_back((now, key));
                }
                return add;
            }
        }
        // Full of live windows, or a key too long to keep: all such keys share one
        // window, so the limit still holds for them together.
        if now.duration_since(table.overflow.0) >= self.window {
            table.overflow = (now, 0);
        }
        table.overflow.1 = table.overflow.1.saturating_add(add);
        table.overflow.1
    }

    /// Counts a hit for `key`; `false` when the key is over its limit.
    pub fn allow(&self, key: &str) -> bool {
        self.hit(key, 1) <= self.limit
    }

    /// Counts a hit for `key` without asking whether it is allowed (a failure counted
    /// after the fact).
    pub fn record(&self, key: &str) {
        self.hit(key, 1);
    }

    /// Whether `key` has used up its window's hits, without counting one.
    pub fn used_up(&self, key: &str) -> bool {
        self.hit(key, 0) >= self.limit
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limit_applies_per_key_and_resets_after_the_window() {
        let limiter = RateLimiter::new(2, Duration::from_millis(50));
        assert!(limiter.allow("a"));
        assert!(limiter.allow("a"));
        assert!(!limiter.allow("a"));
        assert!(limiter.allow("b"));
        std::thread::sleep(Duration::from_millis(60));
        assert!(limiter.allow("a"));
    }

    #[test]
    fn a_full_table_fails_closed_and_frees_up_when_windows_end() {
        let limiter = RateLimiter::with_max_keys(3, Duration::from_secs(1), 100);
        for i in 0..100 {
            assert!(limiter.allow(&format!("10.0.{}.{}", i / 256, i % 256)));
        }
        // New keys share one window of 3 hits, whoever they are.
        assert!(limiter.allow("192.0.2.1"));
        assert!(limiter.allow("192.0.2.2"));
        assert!(limiter.allow("192.0.2.3"));
        assert!(!limiter.allow("192.0.2.4"));
        assert!(limiter.used_up("192.0.2.5"));
        // Tracked keys keep their own count.
        assert!(limiter.allow("10.0.0.7"));
        assert!(!limiter.used_up("10.0.0.8"));
        std::thread::sleep(Duration::from_millis(1_100));
        // Their windows ended: they were forgotten, a new key is tracked again.
        assert!(limiter.allow("192.0.2.4"));
        assert_eq!(limiter.table().counts.len(), 1);
        assert_eq!(limiter.table().order.len(), 1);
    }

    #[test]
    fn the_table_never_grows_past_its_bound() {
        let limiter = RateLimiter::with_max_keys(1_000, Duration::from_secs(60), 50);
        for i in 0..10_000 {
            limiter.allow(&format!("key-{i}"));
        }
        let table = limiter.table();
        assert_eq!(table.counts.len(), 50);
        assert_eq!(table.order.len(), 50);
        assert_eq!(table.overflow.1, 10_000 - 50);
    }

    #[test]
    fn long_keys_share_the_overflow_window() {
        let limiter = RateLimiter::new(2, Duration::from_secs(60));
        let long = |c: char| c.to_string().repeat(MAX_KEY_LEN + 1);
        assert!(limiter.allow(&long('a')));
        assert!(limiter.allow(&long('b')));
        assert!(!limiter.allow(&long('c')));
        assert!(limiter.table().counts.is_empty());
        // A key of the longest length kept is tracked on its own.
        assert!(limiter.allow(&"d".repeat(MAX_KEY_LEN)));
        assert_eq!(limiter.table().counts.len(), 1);
    }

    #[test]
    fn ipv6_addresses_count_by_their_64_network() {
        let limiter = RateLimiter::new(2, Duration::from_secs(60));
        assert!(limiter.allow("2001:db8:1:2::1"));
        assert!(limiter.allow("2001:db8:1:2:ffff:ffff:ffff:ffff"));
        assert!(!limiter.allow("2001:db8:1:2:abcd::9"));
        // A prefixed key (another purpose of the same limiter) groups alike.
        assert!(limiter.allow("reset:2001:db8:1:2::1"));
        assert!(limiter.allow("reset:2001:db8:1:2::2"));
        assert!(!limiter.allow("reset:2001:db8:1:2::3"));
        // The next /64 is another subscriber.
        assert!(limiter.allow("2001:db8:1:3::1"));
        // IPv4 addresses are their own, also written as IPv4-mapped IPv6.
        assert!(limiter.allow("192.0.2.1"));
        assert!(limiter.allow("::ffff:192.0.2.1"));
        assert!(!limiter.allow("192.0.2.1"));
        assert!(limiter.allow("192.0.2.2"));
        assert_eq!(
            address_key("2001:db8:1:2:3:4:5:6".parse().unwrap()),
            "2001:db8:1:2::/64"
        );
    }
}
