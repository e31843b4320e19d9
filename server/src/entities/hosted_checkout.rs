//! A hosted checkout session (HP-2): what the payer is asked to pay and where to return.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "hosted_checkouts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub merchant_id: i64,
    pub payment_id: Option<i64>,
    pub status: String,
    pub returnmac: String,
    pub currency: String,
    pub amount: i64,
    pub merchant_reference: String,
    pub merchant_customer_id: Option<String>,
    pub authorization_mode: String,
    pub return_url: Option<String>,
    pub show_result_page: bool,
    pub locale: String,
    #[sea_orm(column_type = "Text")]
    pub cart_json: String,
    pub attempts: i32,
    /// While set and in the future, one pay request is talking to the acquirer.
    pub busy_until: Option<DateTimeUtc>,
    pub expires_at: DateTimeUtc,
    pub created_at: DateTimeUtc,
    /// The payment link that opened it.
    pub payment_link_id: Option<i64>,
    /// What the payer entered on the link's page (a JSON object of name → value).
    #[sea_orm(column_type = "Text", nullable)]
    pub payer_fields: Option<String>,
    /// The customer's mobile number, E.164 (SMS notifications, MB-15).
    pub customer_mobile: Option<String>,
    /// The data centre its pages are served at (PL-4: `pay1` …); older rows have none.
    pub data_centre: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
