//! A redirect payment's session on the simulated bank page (iDEAL, Bancontact): reached
//! by its unguessable token, decided once.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "bank_redirects")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The secret of the bank page's address.
    pub token: String,
    pub merchant_id: i64,
    pub payment_id: i64,
    /// Given back to the merchant with the payer (Direct's `RETURNMAC`).
    pub returnmac: String,
    /// `open`, `approved`, `refused` or `cancelled`.
    pub status: String,
    pub created_at: DateTimeUtc,
    pub decided_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
