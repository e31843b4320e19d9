//! What the Aliases page exchanges with the server: the list's filter, which travels in
//! the URL, its rows, and the forms. A card number crosses the wire once, in
//! [`NewAliasForm`], whose `Debug` masks it; every answer carries the masked number only.

use crate::url::{encode, pairs};
use serde::{Deserialize, Serialize};

/// Rows per page.
pub const PAGE_SIZE: u32 = 25;
/// Longest merchant customer id (as the Direct API's).
pub const MAX_CUSTOMER_ID: usize = 50;
/// Longest card holder name.
pub const MAX_HOLDER: usize = 50;

/// The list's search; travels in the URL.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AliasFilter {
    /// Part of the merchant customer id (any letter case).
    pub customer: String,
    /// The card's last four digits.
    pub last4: String,
    /// Page, from 1.
    pub page: u32,
}

impl AliasFilter {
    /// The URL query, without `?`: empty fields left out, `page` only after the first.
    pub fn to_query(&self) -> String {
        let mut parts: Vec<String> = [("customer", &self.customer), ("last4", &self.last4)]
            .into_iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| format!("{k}={}", encode(v)))
            .collect();
        if self.page > 1 {
            parts.push(format!("page={}", self.page));
        }
        parts.join("&")
    }

    /// The filter of decoded `(name, value)` pairs (a router's query map); unknown names
    /// are ignored, a page that is not a number is the first.
    pub fn from_pairs<K: AsRef<str>, V: Into<String>>(
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> AliasFilter {
        let mut f = AliasFilter {
            page: 1,
            ..AliasFilter::default()
        };
        for (k, v) in pairs {
            let v = v.into();
            match k.as_ref() {
                "customer" => f.customer = v,
                "last4" => f.last4 = v,
                "page" => f.page = v.parse().unwrap_or(1),
                _ => {}
            }
        }
        f
    }

    /// The filter of a raw URL query (with or without `?`), percent-decoded.
    pub fn from_query(query: &str) -> AliasFilter {
        AliasFilter::from_pairs(pairs(query))
    }
}

/// One alias as the list shows it: never more of the card than its first six and last
/// four digits.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AliasRow {
    /// The alias (token id) that pays.
    pub id: String,
    /// `411111******1111`.
    pub masked_card: String,
    /// Card brand.
    pub brand: String,
    /// `MM/YY`.
    pub expiry: String,
    /// Merchant customer id, or empty.
    pub customer_id: String,
    /// Card holder.
    pub card_holder: String,
    /// Created, in the viewing user's zone.
    pub created: String,
    /// Last paid with, in the viewing user's zone; `None` before the first payment.
    pub last_used: Option<String>,
}

/// One page of the list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AliasPage {
    /// The aliases, newest first.
    pub rows: Vec<AliasRow>,
    /// How many match the search.
    pub total: u64,
    /// This page, from 1.
    pub page: u32,
    /// Pages in all (at least 1).
    pub pages: u32,
    /// The viewing user's zone with its offset, for the date columns.
    pub zone: String,
    /// The viewer may create, change and delete aliases (Admins and Operators).
    pub may_edit: bool,
}

/// A new alias as typed. Its `Debug` shows the card number masked (6+4).
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct NewAliasForm {
    /// Card number.
    pub number: String,
    /// `MM/YY`.
    pub expiry: String,
    /// Card holder.
    pub holder: String,
    /// Merchant customer id (optional).
    pub customer_id: String,
}

impl std::fmt::Debug for NewAliasForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewAliasForm")
            .field("number", &domain::card::mask(&self.number))
            .field("expiry", &self.expiry)
            .field("holder", &self.holder)
            .field("customer_id", &self.customer_id)
            .finish()
    }
}

/// `MMYY` (as stored and as Direct writes it) shown as `MM/YY`.
pub fn expiry_text(mmyy: &str) -> String {
    if mmyy.len() == 4 && mmyy.is_char_boundary(2) {
        format!("{}/{}", &mmyy[..2], &mmyy[2..])
    } else {
        mmyy.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_search_round_trips_through_the_url() {
        let f = AliasFilter {
            customer: "cust 7&co".into(),
            last4: "1111".into(),
            page: 3,
        };
        assert_eq!(AliasFilter::from_query(&f.to_query()), f);
        let first = AliasFilter {
            page: 1,
            ..AliasFilter::default()
        };
        assert_eq!(first.to_query(), "");
        assert_eq!(AliasFilter::from_query("page=x&utm=1"), first);
    }

    #[test]
    fn debug_masks_the_number() {
        let form = NewAliasForm {
            number: "4111111111111111".into(),
            ..Default::default()
        };
        let shown = format!("{form:?}");
        assert!(!shown.contains("4111111111111111"), "{shown}");
        assert!(shown.contains("411111******1111"), "{shown}");
    }

    #[test]
    fn expiry_is_shown_with_a_slash() {
        assert_eq!(expiry_text("1230"), "12/30");
        assert_eq!(expiry_text("odd"), "odd");
    }
}
