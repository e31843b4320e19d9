//! What the audit log shows: its filter, which travels in the URL (the page's links,
//! the CSV download), its rows, and the families its actions are grouped in.

use crate::url::{encode, pairs};
use serde::{Deserialize, Serialize};

/// Rows per page unless the URL asks for another size.
pub const PAGE_SIZE: u32 = 50;
/// The largest page the server answers.
pub const MAX_PAGE_SIZE: u32 = 200;
/// Rows one CSV download holds at most; the file's last line says when it was cut.
pub const EXPORT_MAX_ROWS: u64 = 100_000;
/// How long entries are kept, in months.
pub const RETENTION_MONTHS: u32 = 12;

/// The audit log's filter; travels in the URL.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AuditFilter {
    /// First day (`YYYY-MM-DD`, user's zone), inclusive.
    pub from: String,
    /// Last day, inclusive.
    pub to: String,
    /// Login of the user who acted.
    pub user: String,
    /// An action family's key ([`FAMILIES`]), or empty for all.
    pub family: String,
    /// Words the detail contains (any letter case).
    pub text: String,
    /// Page, from 1.
    pub page: u32,
    /// Rows per page; 0 for [`PAGE_SIZE`], at most [`MAX_PAGE_SIZE`].
    pub size: u32,
}

impl AuditFilter {
    /// The rows per page this filter asks for, within bounds.
    pub fn page_size(&self) -> u32 {
        match self.size {
            0 => PAGE_SIZE,
            n => n.min(MAX_PAGE_SIZE),
        }
    }

    /// The URL query, without `?`: empty fields left out, `page` only after the first,
    /// `size` only when not the default.
    pub fn to_query(&self) -> String {
        let mut parts: Vec<String> = [
            ("from", self.from.as_str()),
            ("to", &self.to),
            ("user", &self.user),
            ("family", &self.family),
            ("text", &self.text),
        ]
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", encode(v)))
        .collect();
        if self.page > 1 {
            parts.push(format!("page={}", self.page));
        }
        if self.size != 0 && self.size != PAGE_SIZE {
            parts.push(format!("size={}", self.size));
        }
        parts.join("&")
    }

    /// The filter of decoded `(name, value)` pairs (a router's query map); unknown names
    /// are ignored, a page or size that is not a number is the default.
    pub fn from_pairs<K: AsRef<str>, V: Into<String>>(
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> AuditFilter {
        let mut f = AuditFilter {
            page: 1,
            ..AuditFilter::default()
        };
        for (k, v) in pairs {
            let v = v.into();
            match k.as_ref() {
                "from" => f.from = v,
                "to" => f.to = v,
                "user" => f.user = v,
                "family" => f.family = v,
                "text" => f.text = v,
                "page" => f.page = v.parse().unwrap_or(1),
                "size" => f.size = v.parse().unwrap_or(0),
                _ => {}
            }
        }
        f
    }

    /// The filter of a raw URL query (with or without `?`), percent-decoded.
    pub fn from_query(query: &str) -> AuditFilter {
        AuditFilter::from_pairs(pairs(query))
    }
}

/// One entry of the log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRow {
    /// When, in the user's zone.
    pub date: String,
    /// Who: a user's login, an API key, or the system.
    pub actor: String,
    /// The client's address.
    pub ip: String,
    /// The action as recorded, e.g. `payment.refund`.
    pub action: String,
    /// Its family's key, when known.
    pub family: Option<String>,
    /// What changed (`field: before → after; …`) or what was done.
    pub detail: String,
}

/// One page of the log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditPage {
    /// Rows, newest first.
    pub rows: Vec<AuditRow>,
    /// Rows matching.
    pub total: u64,
    /// This page.
    pub page: u32,
    /// Pages.
    pub pages: u32,
    /// The user's zone.
    pub zone: String,
    /// The merchant's users' logins, for the filter.
    pub users: Vec<String>,
}

/// A family of actions: those starting with one of `prefixes` or equal to one of `exact`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ActionFamily {
    /// Key in the URL and in [`AuditRow::family`].
    pub key: &'static str,
    /// Action prefixes, e.g. `login.`.
    pub prefixes: &'static [&'static str],
    /// Whole action names.
    pub exact: &'static [&'static str],
}

impl ActionFamily {
    /// Whether `action` belongs to this family.
    pub fn holds(&self, action: &str) -> bool {
        self.exact.contains(&action) || self.prefixes.iter().any(|p| action.starts_with(p))
    }
}

/// The families the log names, in the filter's order. `settings.` is the payment
/// settings' action before it was `config.payment_settings`.
pub const FAMILIES: [ActionFamily; 12] = [
    ActionFamily {
        key: "login",
        prefixes: &["login."],
        exact: &["login"],
    },
    ActionFamily {
        key: "logout",
        prefixes: &["logout."],
        exact: &["logout"],
    },
    ActionFamily {
        key: "password",
        prefixes: &["password."],
        exact: &[],
    },
    ActionFamily {
        key: "two_factor",
        prefixes: &["two_factor."],
        exact: &[],
    },
    ActionFamily {
        key: "profile",
        prefixes: &["profile."],
        exact: &[],
    },
    ActionFamily {
        key: "user",
        prefixes: &["user."],
        exact: &[],
    },
    ActionFamily {
        key: "config",
        prefixes: &["config.", "settings."],
        exact: &[],
    },
    ActionFamily {
        key: "api_key",
        prefixes: &["api_key."],
        exact: &[],
    },
    ActionFamily {
        key: "webhook",
        prefixes: &["webhook"],
        exact: &[],
    },
    ActionFamily {
        key: "payment",
        prefixes: &["payment."],
        exact: &["capture", "refund", "cancel"],
    },
    ActionFamily {
        key: "paylink",
        prefixes: &["paylink.", "paymentlink.", "invoice."],
        exact: &[],
    },
    ActionFamily {
        key: "terminal",
        prefixes: &["terminal.", "pos."],
        exact: &[],
    },
];

/// The family of `action`, when it has a known one.
pub fn family_of(action: &str) -> Option<&'static ActionFamily> {
    FAMILIES.iter().find(|f| f.holds(action))
}

/// The family whose key is `key`.
pub fn family(key: &str) -> Option<&'static ActionFamily> {
    FAMILIES.iter().find(|f| f.key == key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filter_round_trips_through_the_url() {
        let f = AuditFilter {
            from: "2026-01-01".into(),
            to: "2026-01-31".into(),
            user: "ann smith".into(),
            family: "config".into(),
            text: "retry_count: 3 → 1".into(),
            page: 3,
            size: 100,
        };
        assert_eq!(AuditFilter::from_query(&f.to_query()), f);
        let first = AuditFilter {
            page: 1,
            ..AuditFilter::default()
        };
        assert_eq!(first.to_query(), "");
        assert_eq!(AuditFilter::from_query("page=zz&size=x&utm=1"), first);
        assert_eq!(
            AuditFilter::from_query("size=5000").page_size(),
            MAX_PAGE_SIZE
        );
        assert_eq!(first.page_size(), PAGE_SIZE);
    }

    #[test]
    fn actions_fall_into_their_families() {
        let key = |a: &str| family_of(a).map(|f| f.key);
        assert_eq!(key("login.failure"), Some("login"));
        assert_eq!(key("logout"), Some("logout"));
        assert_eq!(key("payment.refund"), Some("payment"));
        assert_eq!(key("refund"), Some("payment"));
        assert_eq!(key("paymentlink.update"), Some("paylink"));
        assert_eq!(key("webhooks.settings"), Some("webhook"));
        assert_eq!(key("settings.payments"), Some("config"));
        assert_eq!(key("config.payment_settings"), Some("config"));
        assert_eq!(key("api_key.create"), Some("api_key"));
        assert_eq!(key("two_factor.enable"), Some("two_factor"));
        assert_eq!(key("something.new"), None);
        assert!(FAMILIES.iter().all(|f| family(f.key) == Some(f)));
    }
}
