//! Server functions of the Create production account page (Admins of TEST accounts; the
//! port decides on a fresh read).

use super::{ProductionCreated, ProductionDefaults};
use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
async fn port() -> Result<
    (
        crate::account::Actor,
        std::sync::Arc<dyn crate::production::ProductionPort>,
    ),
    AppError,
> {
    let actor = crate::context::actor().await?;
    Ok((actor, crate::context::ports()?.production))
}

/// The form's starting values: the TEST PSPID, the Admin's UserID and e-mail address.
#[server(endpoint = "production/defaults")]
pub async fn load_production_defaults() -> Result<ProductionDefaults, AppError> {
    let (actor, port) = port().await?;
    port.defaults(&actor).await
}

/// Creates the production account; its Admin receives a link to choose a password.
#[server(endpoint = "production/create")]
pub async fn create_production_account(
    pspid: String,
    login: String,
    email: String,
) -> Result<ProductionCreated, AppError> {
    let (actor, port) = port().await?;
    let ip = crate::context::client_ip().await;
    let form = super::ProductionForm {
        pspid,
        login,
        email,
    };
    port.create(&actor, form, &ip).await
}
