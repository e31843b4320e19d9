//! The start-up pass that binds every sealed value to its row: a value sealed before
//! values were bound (no `v1.` prefix, no associated data) is opened once and sealed
//! again with its row's binding. [`crypto::open`] refuses unbound values, so after this
//! pass a ciphertext copied from one row into another opens nowhere.
//!
//! Sealed columns and the binding each one is opened with (the same as their writers':
//! configuration::keys, payments::engine::tokens and payments::engine::create):
//! `tokens.card_enc` (the token's id), `api_keys.secret_enc` (the key id),
//! `merchants.webhook_secret_enc` (the merchant's id) and `payments.pending_card_enc`
//! (the payment's id). Every one of these ids is set when the row is inserted and never
//! changes, so each value can be bound at any time.
//!
//! Rows are read in bounded batches in id order, and each is rewritten only if its column
//! still holds the value read (`WHERE id = ? AND column = old`): a concurrent writer's
//! newer value is never overwritten. Running it again changes nothing.

use crate::entities::{api_key, merchant, payment, token};
use crate::platform::crypto;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Value,
};

/// Rows read per batch.
const BATCH: u64 = 200;

/// What the pass did to one column.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ColumnCounts {
    /// Unbound values re-sealed with their row's binding.
    pub resealed: u64,
    /// Unbound values that do not open under the data key (left as they are: they open
    /// nowhere).
    pub unreadable: u64,
    /// Values another writer changed between the read and the update (left to it).
    pub changed_meanwhile: u64,
}

/// What the pass did, per sealed column.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ResealReport {
    pub tokens: ColumnCounts,
    pub api_keys: ColumnCounts,
    pub webhook_secrets: ColumnCounts,
    pub held_cards: ColumnCounts,
}

impl ResealReport {
    /// Values re-sealed in all columns.
    pub fn resealed(&self) -> u64 {
        [
            self.tokens,
            self.api_keys,
            self.webhook_secrets,
            self.held_cards,
        ]
        .iter()
        .map(|c| c.resealed)
        .sum()
    }
}

/// Re-seals every unbound sealed value with its row's binding under `data_key`; logs and
/// returns the counts.
pub async fn reseal_unbound<C: ConnectionTrait>(
    db: &C,
    data_key: &[u8],
) -> Result<ResealReport, DbErr> {
    let report = ResealReport {
        tokens: reseal_column::<token::Entity, _>(
            db,
            data_key,
            token::Column::Id,
            token::Column::CardEnc,
            |row| {
                (
                    Value::from(row.id.clone()),
                    crypto::row_binding("tokens.card_enc", &row.id),
                    Some(row.card_enc.clone()),
                )
            },
        )
        .await?,
        api_keys: reseal_column::<api_key::Entity, _>(
            db,
            data_key,
            api_key::Column::Id,
            api_key::Column::SecretEnc,
            |row| {
                (
                    Value::from(row.id),
                    crypto::row_binding("api_keys.secret_enc", &row.key_id),
                    Some(row.secret_enc.clone()),
                )
            },
        )
        .await?,
        webhook_secrets: reseal_column::<merchant::Entity, _>(
            db,
            data_key,
            merchant::Column::Id,
            merchant::Column::WebhookSecretEnc,
            |row| {
                (
                    Value::from(row.id),
                    crypto::row_binding("merchants.webhook_secret_enc", &row.id.to_string()),
                    row.webhook_secret_enc.clone(),
                )
            },
        )
        .await?,
        held_cards: reseal_column::<payment::Entity, _>(
            db,
            data_key,
            payment::Column::Id,
            payment::Column::PendingCardEnc,
            |row| {
                (
                    Value::from(row.id),
                    crypto::row_binding("payments.pending_card_enc", &row.id.to_string()),
                    row.pending_card_enc.clone(),
                )
            },
        )
        .await?,
    };
    for (column, counts) in [
        ("tokens.card_enc", report.tokens),
        ("api_keys.secret_enc", report.api_keys),
        ("merchants.webhook_secret_enc", report.webhook_secrets),
        ("payments.pending_card_enc", report.held_cards),
    ] {
        if counts != ColumnCounts::default() {
            tracing::info!(
                column,
                resealed = counts.resealed,
                unreadable = counts.unreadable,
                changed_meanwhile = counts.changed_meanwhile,
                "sealed values bound to their rows"
            );
        }
        if counts.unreadable > 0 {
            tracing::warn!(
                column,
                unreadable = counts.unreadable,
                "sealed values that do not open under the data key were left as they are"
            );
        }
    }
    tracing::info!(
        resealed = report.resealed(),
        "every sealed value is bound to its row"
    );
    Ok(report)
}

/// Re-seals the unbound values of `sealed` in `E`'s rows; `parts` gives a row's id, its
/// binding and its sealed value.
async fn reseal_column<E, F>(
    db: &impl ConnectionTrait,
    data_key: &[u8],
    id: E::Column,
    sealed: E::Column,
    parts: F,
) -> Result<ColumnCounts, DbErr>
where
    E: EntityTrait,
    F: Fn(&E::Model) -> (Value, String, Option<String>),
{
    let mut counts = ColumnCounts::default();
    let mut after: Option<Value> = None;
    loop {
        let mut query = E::find()
            .filter(sealed.is_not_null())
            .filter(sealed.not_like("v1.%"));
        if let Some(last) = after.clone() {
            query = query.filter(id.gt(last));
        }
        let rows = query.order_by_asc(id).limit(BATCH).all(db).await?;
        let full = rows.len() as u64 == BATCH;
        for row in &rows {
            let (row_id, binding, value) = parts(row);
            after = Some(row_id.clone());
            let Some(old) = value.filter(|v| !crypto::is_bound(v)) else {
                continue;
            };
            let Some(plain) = crypto::open_unbound(data_key, &old) else {
                counts.unreadable += 1;
                continue;
            };
            let new = crypto::seal(data_key, &binding, &plain);
            let updated = E::update_many()
                .col_expr(sealed, Expr::value(new))
                .filter(id.eq(row_id))
                .filter(sealed.eq(old))
                .exec(db)
                .await?
                .rows_affected;
            if updated == 1 {
                counts.resealed += 1;
            } else {
                counts.changed_meanwhile += 1;
            }
        }
        if !full {
            return Ok(counts);
        }
    }
}
