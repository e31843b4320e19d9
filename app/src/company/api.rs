//! Server functions of the account page.

use super::{AccountForm, AccountPage};
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[cfg(feature = "ssr")]
use crate::context as ctx;

/// The account page's data (Admins).
#[server(endpoint = "config/account")]
pub async fn get_account() -> Result<AccountPage, AppError> {
    let actor = ctx::actor().await?;
    ctx::ports()?.company.account(&actor).await
}

/// Saves the account form (Admins).
#[server(endpoint = "config/account_save", input = Json)]
pub async fn save_account(form: AccountForm) -> Result<(), AppError> {
    let actor = ctx::actor().await?;
    let ip = ctx::client_ip().await;
    ctx::ports()?.company.save_account(&actor, form, &ip).await
}
