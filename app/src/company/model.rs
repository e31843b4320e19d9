//! What the account page exchanges with the server.

use serde::{Deserialize, Serialize};

/// The account form, as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountForm {
    /// Legal company name.
    pub legal_name: String,
    /// Commercial name, as shown to customers.
    pub commercial_name: String,
    /// Telephone number.
    pub phone: String,
    /// The company's e-mail address.
    pub email: String,
    /// Street and number.
    pub address_street: String,
    /// Postcode.
    pub address_postcode: String,
    /// City.
    pub address_city: String,
    /// ISO 3166-1 alpha-2 country.
    pub country: String,
    /// VAT number (its format follows the country).
    pub vat_number: String,
    /// `email` or `post`.
    pub invoicing_method: String,
    /// Where invoices are e-mailed.
    pub invoicing_email: String,
    /// Where invoices are posted.
    pub invoicing_address: String,
    /// Languages the payment page offers (codes).
    pub languages: Vec<String>,
    /// The general conditions the payment page links to.
    pub general_conditions_url: String,
    /// Accepted currencies, comma-separated ISO 4217 codes.
    pub currencies: String,
    /// Days transaction data is kept (45–540).
    pub retention_days: String,
}

/// The data retention's purge, as the page shows it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetentionStatus {
    /// When the purge runs next, in the user's zone.
    pub next_run: Option<String>,
    /// When it last ran for this account, in the user's zone.
    pub last_run: Option<String>,
    /// What that run deleted.
    pub last_counts: String,
    /// Transaction data older than this date (the user's zone) is deleted.
    pub cutoff: String,
}

/// Everything the account page shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountPage {
    /// The PSPID.
    pub pspid: String,
    /// TEST or PRODUCTION.
    pub environment: String,
    /// The form's saved values.
    pub form: AccountForm,
    /// Subscription type.
    pub subscription: String,
    /// Options in the subscription (codes).
    pub options: Vec<String>,
    /// Countries whose VAT numbers are known.
    pub countries: Vec<String>,
    /// The purge.
    pub retention: RetentionStatus,
}

/// Options a subscription may include; the page lists the others as available.
pub const OPTIONS: [&str; 6] = [
    "multi_currency",
    "pay_by_link",
    "point_of_sale",
    "tokenization",
    "fraud_detection",
    "direct_api",
];
