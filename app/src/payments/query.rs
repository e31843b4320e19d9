//! The payments list's and the financial history's filters as URL query strings: one
//! codec for the pages' links, saved templates and the server's downloads.

use super::{HistoryFilter, PaymentFilter};
use crate::url::{encode, pairs};

/// `name=value` pairs, encoded, empty values left out, joined with `&`.
fn join<'a>(fields: impl IntoIterator<Item = (&'a str, &'a str)>) -> Vec<String> {
    fields
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", encode(v)))
        .collect()
}

/// A page number from the URL: 1 when missing or not a number.
fn page(value: &str) -> u32 {
    value.parse().unwrap_or(1)
}

impl PaymentFilter {
    /// The list's URL query, without `?`: empty fields left out, `status` once per status,
    /// `desc=1` when descending, `page` only after the first.
    pub fn to_query(&self) -> String {
        let mut parts = join([
            ("from", self.from.as_str()),
            ("to", &self.to),
            ("date_kind", &self.date_kind),
            ("min_amount", &self.min_amount),
            ("max_amount", &self.max_amount),
            ("reference", &self.reference),
            ("alias", &self.alias),
            ("last4", &self.last4),
            ("email", &self.email),
            ("payment_id", &self.payment_id),
            ("fraud", &self.fraud),
            ("sort", &self.sort),
        ]);
        parts.extend(join(self.statuses.iter().map(|s| ("status", s.as_str()))));
        if self.desc {
            parts.push("desc=1".to_owned());
        }
        if self.page > 1 {
            parts.push(format!("page={}", self.page));
        }
        parts.join("&")
    }

    /// The filter of decoded `(name, value)` pairs (a router's query map); unknown names
    /// are ignored, the last value of a repeated name wins (every `status` is kept).
    pub fn from_pairs<K: AsRef<str>, V: Into<String>>(
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> PaymentFilter {
        let mut f = PaymentFilter {
            page: 1,
            ..PaymentFilter::default()
        };
        for (k, v) in pairs {
            let v = v.into();
            match k.as_ref() {
                "from" => f.from = v,
                "to" => f.to = v,
                "date_kind" => f.date_kind = v,
                "min_amount" => f.min_amount = v,
                "max_amount" => f.max_amount = v,
                "reference" => f.reference = v,
                "alias" => f.alias = v,
                "status" => f.statuses.push(v),
                "last4" => f.last4 = v,
                "email" => f.email = v,
                "payment_id" => f.payment_id = v,
                "fraud" => f.fraud = v,
                "sort" => f.sort = v,
                "desc" => f.desc = v == "1",
                "page" => f.page = page(&v),
                _ => {}
            }
        }
        f
    }

    /// The filter of a raw URL query (with or without `?`), percent-decoded.
    pub fn from_query(query: &str) -> PaymentFilter {
        PaymentFilter::from_pairs(pairs(query))
    }
}

impl HistoryFilter {
    /// The history's URL query, without `?`: empty fields left out, `page` only after
    /// the first.
    pub fn to_query(&self) -> String {
        let mut parts = join([
            ("from", self.from.as_str()),
            ("to", &self.to),
            ("kind", &self.kind),
            ("user", &self.user),
        ]);
        if self.page > 1 {
            parts.push(format!("page={}", self.page));
        }
        parts.join("&")
    }

    /// The filter of decoded `(name, value)` pairs; unknown names are ignored.
    pub fn from_pairs<K: AsRef<str>, V: Into<String>>(
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> HistoryFilter {
        let mut f = HistoryFilter {
            page: 1,
            ..HistoryFilter::default()
        };
        for (k, v) in pairs {
            let v = v.into();
            match k.as_ref() {
                "from" => f.from = v,
                "to" => f.to = v,
                "kind" => f.kind = v,
                "user" => f.user = v,
                "page" => f.page = page(&v),
                _ => {}
            }
        }
        f
    }

    /// The filter of a raw URL query (with or without `?`), percent-decoded.
    pub fn from_query(query: &str) -> HistoryFilter {
        HistoryFilter::from_pairs(pairs(query))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn full() -> PaymentFilter {
        PaymentFilter {
            from: "2026-01-01".into(),
            to: "2026-01-31".into(),
            date_kind: "updated".into(),
            min_amount: "100".into(),
            max_amount: "5000".into(),
            reference: "order 42 & co/é".into(),
            alias: "tok=1".into(),
            statuses: vec!["refunded".into(), "declined".into()],
            last4: "4242".into(),
            email: "a+b@example.com".into(),
            payment_id: "PAY123".into(),
            fraud: "denied".into(),
            sort: "amount".into(),
            desc: true,
            page: 3,
        }
    }

    #[test]
    fn payment_filter_round_trips() {
        let f = full();
        assert_eq!(PaymentFilter::from_query(&f.to_query()), f);
        assert_eq!(PaymentFilter::from_query(&format!("?{}", f.to_query())), f);
        let first = PaymentFilter {
            page: 1,
            ..PaymentFilter::default()
        };
        assert_eq!(first.to_query(), "");
        assert_eq!(PaymentFilter::from_query(""), first);
    }

    #[test]
    fn payment_filter_escapes_values() {
        let q = full().to_query();
        assert!(q.contains("reference=order%2042%20%26%20co%2F%C3%A9"));
        assert!(q.contains("alias=tok%3D1"));
        assert!(q.contains("email=a%2Bb%40example.com"));
        assert!(q.contains("status=refunded&status=declined"));
        assert!(q.ends_with("desc=1&page=3"));
        let f = PaymentFilter::from_query("reference=a+b&min_amount=100%");
        assert_eq!(
            (f.reference.as_str(), f.min_amount.as_str()),
            ("a b", "100%")
        );
    }

    #[test]
    fn unknown_keys_and_bad_pages_are_ignored() {
        let f = PaymentFilter::from_query("utm_source=x&reference=r&page=zz&desc=yes");
        assert_eq!(f.reference, "r");
        assert_eq!(f.page, 1);
        assert!(!f.desc);
        let h = HistoryFilter::from_query("kind=refund&user=alice&foo=bar&page=2");
        assert_eq!(
            (h.kind.as_str(), h.user.as_str(), h.page),
            ("refund", "alice", 2)
        );
    }

    #[test]
    fn history_filter_round_trips() {
        let h = HistoryFilter {
            from: "2026-01-01".into(),
            to: "2026-02-01".into(),
            kind: "capture".into(),
            user: "bob smith".into(),
            page: 4,
        };
        assert_eq!(
            h.to_query(),
            "from=2026-01-01&to=2026-02-01&kind=capture&user=bob%20smith&page=4"
        );
        assert_eq!(HistoryFilter::from_query(&h.to_query()), h);
    }

    #[test]
    fn router_pairs_decode_the_same() {
        let pairs = [
            ("status", "new"),
            ("status", "refunded"),
            ("sort", "created"),
        ];
        let f = PaymentFilter::from_pairs(pairs);
        assert_eq!(f.statuses, ["new", "refunded"]);
        assert_eq!(f.sort, "created");
    }
}
