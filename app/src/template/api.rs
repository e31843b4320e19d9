//! Server functions of the template page and the customer settings (the port checks the
//! role).

use super::{CustomerSaved, CustomerSettings, TemplateView};
use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
async fn port() -> Result<
    (
        crate::account::Actor,
        std::sync::Arc<dyn crate::template::TemplatePort>,
        String,
    ),
    AppError,
> {
    let actor = crate::context::actor().await?;
    let ip = crate::context::client_ip().await;
    Ok((actor, crate::context::ports()?.template, ip))
}

/// The merchant's payment page template.
#[server(endpoint = "template/load")]
pub async fn load_template() -> Result<TemplateView, AppError> {
    let (actor, port, _) = port().await?;
    port.template(&actor).await
}

/// Saves the template's colours.
#[server(endpoint = "template/save")]
pub async fn save_template(
    primary_colour: String,
    button_text_colour: String,
    background_colour: String,
    text_colour: String,
) -> Result<TemplateView, AppError> {
    let (actor, port, ip) = port().await?;
    let colours = [
        primary_colour,
        button_text_colour,
        background_colour,
        text_colour,
    ];
    port.save_colours(&actor, colours, &ip).await
}

/// Back to the default template.
#[server(endpoint = "template/reset")]
pub async fn reset_template() -> Result<TemplateView, AppError> {
    let (actor, port, ip) = port().await?;
    port.reset(&actor, &ip).await
}

/// SMS notifications and the OpenID token, masked.
#[server(endpoint = "template/customer")]
pub async fn load_customer_settings() -> Result<CustomerSettings, AppError> {
    let (actor, port, _) = port().await?;
    port.customer_settings(&actor).await
}

/// Saves SMS notifications and the OpenID token (`generate` makes a new one; an empty
/// `openid_token` keeps the stored one, `remove_openid` removes it).
#[server(endpoint = "template/save_customer")]
pub async fn save_customer_settings(
    sms_enabled: Option<String>,
    openid_token: Option<String>,
    generate: Option<String>,
    remove_openid: Option<String>,
) -> Result<CustomerSaved, AppError> {
    let (actor, port, ip) = port().await?;
    let token = match (remove_openid.is_some(), openid_token) {
        (true, _) => Some(String::new()),
        (false, Some(t)) if !t.trim().is_empty() => Some(t.trim().to_owned()),
        _ => None,
    };
    port.save_customer_settings(
        &actor,
        sms_enabled.is_some(),
        token,
        generate.is_some(),
        &ip,
    )
    .await
}
