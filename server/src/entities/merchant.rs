//! A merchant account (PSPID) in one environment.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "merchants")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub pspid: String,
    pub environment: String,
    pub legal_name: String,
    pub commercial_name: String,
    pub email: String,
    pub default_time_zone: String,
    pub languages: String,
    pub password_min_length: i32,
    pub retry_count: i32,
    pub capture_procedure: String,
    pub capture_delay_hours: i32,
    pub show_final_page: bool,
    pub session_minutes: i32,
    pub over_capture_percent: i32,
    pub webhooks_enabled: bool,
    pub webhook_events: String,
    pub webhook_key_id: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub webhook_secret_enc: Option<String>,
    pub web_site: String,
    /// Default download format (MB-20): `csv`, `xlsx` or `xml`.
    pub report_format: String,
    /// Columns of payment downloads, comma-separated; empty for all.
    pub report_columns: String,
    pub created_at: DateTimeUtc,
    /// Every user of the PSPID must sign in with a second factor (MB-2).
    pub require_two_factor: bool,
    /// Days a password lives before it must be changed; `0` for never (MB-7).
    pub password_lifetime_days: i32,
    pub phone: String,
    pub address_street: String,
    pub address_postcode: String,
    pub address_city: String,
    /// ISO 3166-1 alpha-2 country of the company (the VAT number's format follows it).
    pub country: String,
    pub vat_number: String,
    /// `email` or `post`.
    pub invoicing_method: String,
    pub invoicing_email: String,
    #[sea_orm(column_type = "Text")]
    pub invoicing_address: String,
    /// Subscription type, e.g. `test`, `starter`, `professional`.
    pub subscription: String,
    /// Options of the subscription, comma-separated codes.
    pub options: String,
    /// The general conditions the payment page links to; empty for none.
    pub general_conditions_url: String,
    /// ISO 4217 codes the merchant accepts, comma-separated (MB-10); empty for every
    /// currency.
    pub currencies: String,
    /// Days transaction data is kept (45–540, MB-10).
    pub retention_days: i32,
    /// Two-step payments (authorisation, then capture) are allowed (MB-15).
    pub two_step_allowed: bool,
    /// Where a hosted checkout created without a return URL sends the payer back; empty
    /// for none (MB-14).
    pub default_return_url: String,
    /// Creating a hosted checkout sends `hostedcheckout.created` (MB-15).
    pub session_events: bool,
    /// Addresses mailed per successful payment and per refund, comma-separated (MB-15).
    pub notification_emails: String,
    /// When card authorisations are asked of the acquirer (MB-14): `online`,
    /// `online_fallback` or `offline` (`domain::processing::ProcessingMode`).
    pub processing_mode: String,
    /// Days an uncaptured card authorisation holds the payer's funds (1–30).
    pub reservation_days: i32,
    /// The customer receives an SMS per successful payment and per refund (MB-15).
    pub sms_enabled: bool,
    /// The OpenID token signing hosted pages' session tokens, sealed with the data key.
    #[sea_orm(column_type = "Text", nullable)]
    pub openid_token_enc: Option<String>,
    /// The OpenID token's first and last three characters; empty without one.
    pub openid_hint: String,
    /// Raised by the database whenever one of the merchant's payment methods or fraud
    /// rules is written: a copy of those settings kept in memory is current while it
    /// was read at this version (`platform::settings_cache`).
    pub settings_version: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
