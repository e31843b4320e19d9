//! What the payment methods page exchanges with the server.

use serde::{Deserialize, Serialize};

/// One method as the page lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MethodRow {
    /// Direct's `paymentProductId`.
    pub code: i32,
    /// Display name.
    pub name: String,
    /// Offered and accepted.
    pub active: bool,
    /// Currencies it serves, comma-separated; empty for all.
    pub currencies: String,
    /// Countries it serves, comma-separated; empty for all.
    pub countries: String,
    /// Google Pay on mobile (MB-15); `active` is Google Pay in the browser. Unused by
    /// the other methods.
    #[serde(default)]
    pub mobile_active: bool,
}

/// A method's new setting, as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MethodForm {
    /// Direct's `paymentProductId`.
    pub code: i32,
    /// Offered and accepted.
    pub active: bool,
    /// ISO 4217 codes, comma- or space-separated; empty for all.
    pub currencies: String,
    /// ISO 3166-1 alpha-2 codes, comma- or space-separated; empty for all.
    pub countries: String,
    /// Google Pay on mobile (MB-15); ignored for the other methods.
    #[serde(default)]
    pub mobile_active: bool,
}

impl MethodForm {
    /// The form of a listed method.
    pub fn of(row: &MethodRow) -> MethodForm {
        MethodForm {
            code: row.code,
            active: row.active,
            currencies: row.currencies.clone(),
            countries: row.countries.clone(),
            mobile_active: row.mobile_active,
        }
    }
}
