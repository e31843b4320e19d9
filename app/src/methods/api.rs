//! Server functions of the payment methods page.

use super::{MethodForm, MethodRow};
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[cfg(feature = "ssr")]
use crate::context as ctx;

/// The merchant's payment methods (Admins).
#[server(endpoint = "config/methods")]
pub async fn get_methods() -> Result<Vec<MethodRow>, AppError> {
    let actor = ctx::actor().await?;
    ctx::ports()?.methods.methods(&actor).await
}

/// Saves one method's setting (Admins).
#[server(endpoint = "config/method_save", input = Json)]
pub async fn save_method(form: MethodForm) -> Result<MethodRow, AppError> {
    let actor = ctx::actor().await?;
    let ip = ctx::client_ip().await;
    ctx::ports()?.methods.save_method(&actor, form, &ip).await
}
