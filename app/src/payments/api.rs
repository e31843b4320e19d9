//! Server functions of the payments pages (MB-31..33). The port checks roles and
//! rights; the domain state machine decides every operation.

use crate::error::AppError;
use crate::payments::{
    DashboardQuery, DashboardView, HistoryFilter, HistoryPage, ListSettings, ListViews, MotoForm,
    MotoResult, PaymentDetail, PaymentFilter, PaymentsPage,
};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
async fn port() -> Result<
    (
        crate::account::Actor,
        std::sync::Arc<dyn crate::payments::OperationsPort>,
    ),
    AppError,
> {
    let actor = crate::context::actor().await?;
    Ok((actor, crate::context::ports()?.operations))
}

/// A page of payments matching `filter`.
#[server(endpoint = "ops/payments")]
pub async fn list_payments(filter: PaymentFilter) -> Result<PaymentsPage, AppError> {
    let (actor, port) = port().await?;
    port.payments(&actor, filter).await
}

/// One payment.
#[server(endpoint = "ops/payment")]
pub async fn load_payment(id: String) -> Result<PaymentDetail, AppError> {
    let (actor, port) = port().await?;
    port.payment(&actor, &id).await
}

/// Captures an amount (major units); `is_final` closes capturing.
#[server(endpoint = "ops/capture")]
pub async fn capture_payment(
    id: String,
    amount: String,
    is_final: Option<String>,
) -> Result<PaymentDetail, AppError> {
    let (actor, port) = port().await?;
    let ip = crate::context::client_ip().await;
    port.capture(&actor, &id, amount, is_final.is_some(), &ip)
        .await
}

/// Cancels the payment.
#[server(endpoint = "ops/cancel")]
pub async fn cancel_payment(id: String) -> Result<PaymentDetail, AppError> {
    let (actor, port) = port().await?;
    let ip = crate::context::client_ip().await;
    port.cancel(&actor, &id, &ip).await
}

/// Refunds an amount (major units).
#[server(endpoint = "ops/refund")]
pub async fn refund_payment(id: String, amount: String) -> Result<PaymentDetail, AppError> {
    let (actor, port) = port().await?;
    let ip = crate::context::client_ip().await;
    port.refund(&actor, &id, amount, &ip).await
}

/// The dashboard's figures for a period and currency.
#[server(endpoint = "ops/dashboard")]
pub async fn load_dashboard(query: DashboardQuery) -> Result<DashboardView, AppError> {
    let (actor, port) = port().await?;
    port.dashboard(&actor, query).await
}

/// Refunds cart lines: `quantities[i]` of line `i`, empty for none.
#[server(endpoint = "ops/refund-lines")]
pub async fn refund_lines(id: String, quantities: Vec<String>) -> Result<PaymentDetail, AppError> {
    let (actor, port) = port().await?;
    let ip = crate::context::client_ip().await;
    port.refund_lines(&actor, &id, quantities, &ip).await
}

/// Captures the cart as edited: one unit price (major units) and quantity per line.
#[server(endpoint = "ops/capture-cart")]
pub async fn capture_cart(
    id: String,
    prices: Vec<String>,
    quantities: Vec<String>,
) -> Result<PaymentDetail, AppError> {
    let (actor, port) = port().await?;
    let ip = crate::context::client_ip().await;
    port.capture_cart(&actor, &id, prices, quantities, &ip)
        .await
}

/// Pays a mail or telephone order with the card the customer read out (MB-34).
#[server(endpoint = "ops/moto")]
pub async fn pay_moto(form: MotoForm) -> Result<MotoResult, AppError> {
    let (actor, port) = port().await?;
    let ip = crate::context::client_ip().await;
    port.moto(&actor, form, &ip).await
}

/// A page of the financial history.
#[server(endpoint = "ops/history")]
pub async fn list_history(filter: HistoryFilter) -> Result<HistoryPage, AppError> {
    let (actor, port) = port().await?;
    port.history(&actor, filter).await
}

/// The user's list settings and the templates they see.
#[server(endpoint = "ops/list-views")]
pub async fn load_list_views() -> Result<ListViews, AppError> {
    let (actor, port) = port().await?;
    port.list_views(&actor).await
}

/// Saves the current filter as a template; `shared` is a checkbox.
#[server(endpoint = "ops/save-template")]
pub async fn save_template(
    name: String,
    query: String,
    shared: Option<String>,
) -> Result<ListViews, AppError> {
    let (actor, port) = port().await?;
    port.save_template(&actor, name, query, shared.is_some())
        .await
}

/// Deletes one of the user's templates.
#[server(endpoint = "ops/delete-template")]
pub async fn delete_template(id: i64) -> Result<ListViews, AppError> {
    let (actor, port) = port().await?;
    port.delete_template(&actor, id).await
}

/// Saves which filters and columns the payments list shows.
#[server(endpoint = "ops/list-settings")]
pub async fn save_list_settings(settings: ListSettings) -> Result<ListViews, AppError> {
    let (actor, port) = port().await?;
    port.save_list_settings(&actor, settings).await
}
