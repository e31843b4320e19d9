//! The Aliases page's backend: [`AliasesPort`], implemented by the server.

use super::{AliasFilter, AliasPage, AliasRow, NewAliasForm};
use crate::account::Actor;
use crate::error::AppError;

/// A merchant's aliases (card tokens). Every query is the actor's merchant's; reading is
/// for every user, changes for Admins and Operators, each with its audit row.
#[async_trait::async_trait]
pub trait AliasesPort: Send + Sync {
    /// One page of the aliases matching `filter`, newest first.
    async fn list(&self, actor: &Actor, filter: AliasFilter) -> Result<AliasPage, AppError>;
    /// Stores a card as a new alias; the card is checked with the domain's rules.
    async fn create(
        &self,
        actor: &Actor,
        form: NewAliasForm,
        ip: &str,
    ) -> Result<AliasRow, AppError>;
    /// Gives an alias a new expiry (`MM/YY`, not in the past).
    async fn update_expiry(
        &self,
        actor: &Actor,
        id: &str,
        expiry: &str,
        ip: &str,
    ) -> Result<AliasRow, AppError>;
    /// Deletes an alias; payments made with it keep their masked card.
    async fn delete(&self, actor: &Actor, id: &str, ip: &str) -> Result<(), AppError>;
}
