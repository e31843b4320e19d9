//! Stored cards (tokens): storing a card, reading a merchant's tokens and those of one of
//! its customers, deleting a token. The card number is kept sealed with the data key.

use super::{check_card, CardInput, CheckedCard, PaymentEngine};
use crate::entities::{merchant, token};
use crate::payments::error::EngineError;
use crate::payments::wire;
use crate::platform::db::BeginWrite;
use crate::webhooks::events;
use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};

/// What binds a token's sealed card number to its row.
pub(super) fn token_binding(id: &str) -> String {
    crate::platform::crypto::row_binding("tokens.card_enc", id)
}

impl PaymentEngine {
    /// Stores a checked card as a new token `id` of `merchant` through `conn` (the
    /// caller's transaction), sealed with the data key, with its `token.created` event.
    pub(crate) async fn insert_token<C: ConnectionTrait>(
        &self,
        conn: &C,
        merchant: &merchant::Model,
        card: &CheckedCard,
        customer: Option<String>,
        id: String,
    ) -> Result<token::Model, EngineError> {
        let brand = card.number.brand();
        let row = token::ActiveModel {
            merchant_id: Set(merchant.id),
            merchant_customer_id: Set(customer),
            card_enc: Set(crate::platform::crypto::seal(
                &self.config.data_key,
                &token_binding(&id),
                card.number.expose_digits(),
            )),
            id: Set(id),
            brand: Set(brand.name().to_owned()),
            payment_product_id: Set(brand.payment_product_id()),
            masked_card: Set(card.number.masked()),
            expiry: Set(card.expiry.mmyy()),
            card_holder: Set(card.holder.clone()),
            created_at: Set(Utc::now()),
            last_used_at: Set(None),
        }
        .insert(conn)
        .await?;
        events::emit(conn, merchant, "token.created", "token", || {
            wire::token(&row)
        })
        .await?;
        Ok(row)
    }

    /// Stores a card as a token (`tokens` create).
    pub async fn create_token(
        &self,
        merchant: &merchant::Model,
        card: &CardInput,
        customer: Option<String>,
    ) -> Result<token::Model, EngineError> {
        let card = check_card(card, "card.data.card")?;
        crate::methods::accepted_for_storage(
            &self.db,
            merchant.id,
            &card.number,
            "card.data.card.cardNumber",
        )
        .await?;
        let id = super::new_id_for_request("token");
        // Made already by this request (its answer was lost in a crash).
        match self.token(merchant.id, &id).await {
            Ok(made) => return Ok(made),
            Err(EngineError::NotFound) => {}
            Err(e) => return Err(e),
        }
        let txn = self.db.begin_write().await?;
        let row = self
            .insert_token(&txn, merchant, &card, customer, id)
            .await?;
        txn.commit().await?;
        Ok(row)
    }

    /// A merchant's token.
    pub async fn token(&self, merchant_id: i64, id: &str) -> Result<token::Model, EngineError> {
        token::Entity::find_by_id(id.to_owned())
            .filter(token::Column::MerchantId.eq(merchant_id))
            .one(&self.db)
            .await?
            .ok_or(EngineError::NotFound)
    }

    /// Tokens saved for a merchant's customer (offered on hosted pages).
    pub async fn customer_tokens(
        &self,
        merchant_id: i64,
        customer: &str,
    ) -> Result<Vec<token::Model>, EngineError> {
        Ok(token::Entity::find()
            .filter(token::Column::MerchantId.eq(merchant_id))
            .filter(token::Column::MerchantCustomerId.eq(customer))
            .order_by_desc(token::Column::CreatedAt)
            .all(&self.db)
            .await?)
    }

    /// Deletes a token; payments made with it keep their masked card.
    pub async fn delete_token(&self, merchant_id: i64, id: &str) -> Result<(), EngineError> {
        self.remove_token(&self.db, merchant_id, id).await
    }

    /// Deletes `merchant_id`'s token `id` through `conn` (the caller's transaction):
    /// `NotFound` when the merchant has no such token.
    pub(crate) async fn remove_token<C: ConnectionTrait>(
        &self,
        conn: &C,
        merchant_id: i64,
        id: &str,
    ) -> Result<(), EngineError> {
        let deleted = token::Entity::delete_many()
            .filter(token::Column::Id.eq(id))
            .filter(token::Column::MerchantId.eq(merchant_id))
            .exec(conn)
            .await?;
        if deleted.rows_affected == 0 {
            return Err(EngineError::NotFound);
        }
        Ok(())
    }
}
