//! What the Create production account page exchanges with the server.

use serde::{Deserialize, Serialize};

/// A part of an account's set-up, as the page lists what is copied to production and
/// what must be configured again there.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AccountPart {
    /// Legal and commercial name, e-mail, phone, address, country, web site.
    CompanyDetails,
    /// The PSPID's default time zone.
    TimeZone,
    /// The languages the payment page offers.
    PaymentPageLanguages,
    /// The general conditions the payment page links to.
    GeneralConditions,
    /// The accepted currencies.
    Currencies,
    /// The data retention in days.
    DataRetention,
    /// Capture procedure and delay, retries, final page, session length, over-capture.
    PaymentSettings,
    /// Password length and lifetime, the two-factor requirement.
    SignInRules,
    /// Download format and columns.
    ElectronicReporting,
    /// The event types webhooks are sent for (not the endpoints, not the key).
    WebhookEvents,
    /// Subscription and options.
    SubscriptionAndOptions,
    /// The VAT number.
    VatNumber,
    /// The invoicing method and its address.
    InvoicingMethod,
    /// The payment methods.
    PaymentMethods,
    /// 3-D Secure information.
    ThreeDSecure,
    /// Users: only the new Admin is created.
    Users,
    /// API keys.
    ApiKeys,
    /// Webhook endpoints and the signing key.
    WebhookEndpoints,
    /// Card terminals.
    Terminals,
}

/// What the copy takes over from the TEST account.
pub const COPIED: [AccountPart; 10] = [
    AccountPart::CompanyDetails,
    AccountPart::TimeZone,
    AccountPart::PaymentPageLanguages,
    AccountPart::GeneralConditions,
    AccountPart::Currencies,
    AccountPart::DataRetention,
    AccountPart::PaymentSettings,
    AccountPart::SignInRules,
    AccountPart::ElectronicReporting,
    AccountPart::WebhookEvents,
];

/// What is not copied and must be configured again in production.
pub const CONFIGURE_AGAIN: [AccountPart; 9] = [
    AccountPart::SubscriptionAndOptions,
    AccountPart::VatNumber,
    AccountPart::InvoicingMethod,
    AccountPart::PaymentMethods,
    AccountPart::ThreeDSecure,
    AccountPart::Users,
    AccountPart::ApiKeys,
    AccountPart::WebhookEndpoints,
    AccountPart::Terminals,
];

/// The form's starting values.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductionDefaults {
    /// The TEST account's PSPID (pre-filled; a different one is recommended).
    pub test_pspid: String,
    /// The signed-in Admin's UserID, the new Admin's by default.
    pub login: String,
    /// The signed-in Admin's recovery e-mail address, or empty.
    pub email: String,
}

/// The form, as typed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductionForm {
    /// The new PSPID (checked by `domain::normalize_login`, unique in PRODUCTION).
    pub pspid: String,
    /// The new Admin's UserID.
    pub login: String,
    /// The address the new Admin's set-password link goes to (required).
    pub email: String,
}

/// The production account just created.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductionCreated {
    /// Its PSPID, normalised.
    pub pspid: String,
    /// The UserID of its Admin, normalised.
    pub login: String,
    /// Where the link to choose a password went.
    pub email: String,
    /// What was copied from the TEST account.
    pub copied: Vec<AccountPart>,
    /// What must be configured again in production.
    pub configure_again: Vec<AccountPart>,
}
