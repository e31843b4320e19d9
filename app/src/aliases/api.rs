//! Server functions of the Aliases page (the port decides who may do what, on a fresh
//! read of the user).

use super::{AliasFilter, AliasPage, AliasRow, NewAliasForm};
use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
async fn port() -> Result<
    (
        crate::account::Actor,
        std::sync::Arc<dyn crate::aliases::AliasesPort>,
        String,
    ),
    AppError,
> {
    let actor = crate::context::actor().await?;
    let ip = crate::context::client_ip().await;
    Ok((actor, crate::context::ports()?.aliases, ip))
}

/// One page of the merchant's aliases.
#[server(endpoint = "aliases/list")]
pub async fn load_aliases(filter: AliasFilter) -> Result<AliasPage, AppError> {
    let (actor, port, _) = port().await?;
    port.list(&actor, filter).await
}

/// Stores a card as a new alias; the answer shows the card masked.
#[server(endpoint = "aliases/create")]
pub async fn create_alias(form: NewAliasForm) -> Result<AliasRow, AppError> {
    let (actor, port, ip) = port().await?;
    port.create(&actor, form, &ip).await
}

/// Gives an alias a new expiry.
#[server(endpoint = "aliases/update_expiry")]
pub async fn update_alias_expiry(id: String, expiry: String) -> Result<AliasRow, AppError> {
    let (actor, port, ip) = port().await?;
    port.update_expiry(&actor, &id, &expiry, &ip).await
}

/// Deletes an alias.
#[server(endpoint = "aliases/delete")]
pub async fn delete_alias(id: String) -> Result<(), AppError> {
    let (actor, port, ip) = port().await?;
    port.delete(&actor, &id, &ip).await
}
