//! A merchant's hosted-page template (MB-14): colours and logo, served under an opaque id.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "page_themes")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub merchant_id: i64,
    /// Random, what the payer's pages link (`/pay/theme/{theme_id}.css`).
    pub theme_id: String,
    /// Bumped on each change: part of the URLs, so a change shows at once.
    pub version: i32,
    /// `#rrggbb`, each checked by `domain::theme`.
    pub primary_colour: String,
    pub background_colour: String,
    pub text_colour: String,
    pub button_text_colour: String,
    #[sea_orm(column_type = "Blob", nullable)]
    pub logo: Option<Vec<u8>>,
    /// `image/png` or `image/jpeg`.
    pub logo_type: Option<String>,
    pub logo_sha256: Option<String>,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
