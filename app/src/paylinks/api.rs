//! Server functions of the pay-by-link pages. The port checks roles; the domain's
//! `paylink` and `cart` rules decide every value, in the browser as typed and here.

use super::{
    InvoiceFilter, InvoiceForm, InvoiceRow, IssuedInvoice, LinkDetail, LinkFilter, LinkForm,
    LinkRow, PrepayView,
};
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[cfg(feature = "ssr")]
async fn port() -> Result<
    (
        crate::account::Actor,
        std::sync::Arc<dyn crate::paylinks::PaylinksPort>,
    ),
    AppError,
> {
    let actor = crate::context::actor().await?;
    Ok((actor, crate::context::ports()?.paylinks))
}

/// The merchant's payment links.
#[server(endpoint = "links/list", input = Json)]
pub async fn list_links(filter: LinkFilter) -> Result<Vec<LinkRow>, AppError> {
    let (actor, port) = port().await?;
    port.links(&actor, filter).await
}

/// One payment link.
#[server(endpoint = "links/get")]
pub async fn load_link(id: String) -> Result<LinkDetail, AppError> {
    let (actor, port) = port().await?;
    port.link(&actor, &id).await
}

/// A new link's defaults.
#[server(endpoint = "links/new")]
pub async fn new_link() -> Result<LinkForm, AppError> {
    let (actor, port) = port().await?;
    port.new_link(&actor).await
}

/// Creates or changes a payment link.
#[server(endpoint = "links/save", input = Json)]
pub async fn save_link(form: LinkForm) -> Result<LinkDetail, AppError> {
    let (actor, port) = port().await?;
    let ip = crate::context::client_ip().await;
    port.save_link(&actor, form, &ip).await
}

/// Disables a payment link.
#[server(endpoint = "links/disable")]
pub async fn disable_link(id: String) -> Result<(), AppError> {
    let (actor, port) = port().await?;
    let ip = crate::context::client_ip().await;
    port.disable_link(&actor, &id, &ip).await
}

/// The merchant's invoices.
#[server(endpoint = "invoices/list", input = Json)]
pub async fn list_invoices(filter: InvoiceFilter) -> Result<Vec<InvoiceRow>, AppError> {
    let (actor, port) = port().await?;
    port.invoices(&actor, filter).await
}

/// Issues (and unless held back, mails) an invoice.
#[server(endpoint = "invoices/issue", input = Json)]
pub async fn issue_invoice(form: InvoiceForm) -> Result<IssuedInvoice, AppError> {
    let (actor, port) = port().await?;
    let ip = crate::context::client_ip().await;
    port.issue_invoice(&actor, form, &ip).await
}

/// Cancels an unpaid invoice.
#[server(endpoint = "invoices/cancel")]
pub async fn cancel_invoice(id: String) -> Result<(), AppError> {
    let (actor, port) = port().await?;
    let ip = crate::context::client_ip().await;
    port.cancel_invoice(&actor, &id, &ip).await
}

/// The payer's pre-payment page.
#[server(endpoint = "prepay/view")]
pub async fn load_prepay(id: String) -> Result<PrepayView, AppError> {
    let lang = crate::context::request_lang();
    crate::context::ports()?.paylinks.prepay(&id, lang).await
}

/// The payer's entries, as the pre-payment page's form posts them (`amount`, and
/// `fields[name]` for each field the link asks): checked, then the payer is sent on to
/// the hosted checkout, whose address is returned.
#[server(endpoint = "prepay/start")]
pub async fn start_prepay(
    id: String,
    amount: Option<String>,
    fields: Option<std::collections::BTreeMap<String, String>>,
) -> Result<String, AppError> {
    let lang = crate::context::request_lang();
    let ip = crate::context::client_ip().await;
    let form = crate::paylinks::PrepayForm {
        amount: amount.unwrap_or_default(),
        values: fields.unwrap_or_default().into_iter().collect(),
    };
    let url = crate::context::ports()?
        .paylinks
        .start(&id, form, lang, &ip)
        .await?;
    crate::context::send_on(&url);
    Ok(url)
}
