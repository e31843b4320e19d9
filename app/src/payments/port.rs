//! The payments pages' backend: [`OperationsPort`], implemented by the server.

use super::{
    DashboardQuery, DashboardView, HistoryFilter, HistoryPage, ListSettings, ListViews, MotoForm,
    MotoResult, PaymentDetail, PaymentFilter, PaymentsPage,
};
use crate::account::Actor;
use crate::error::AppError;

/// Back-office operations on payments (MB-31..33).
#[async_trait::async_trait]
pub trait OperationsPort: Send + Sync {
    /// The dashboard's figures (MB-30).
    async fn dashboard(
        &self,
        actor: &Actor,
        query: DashboardQuery,
    ) -> Result<DashboardView, AppError>;
    /// A page of the merchant's payments.
    async fn payments(
        &self,
        actor: &Actor,
        filter: PaymentFilter,
    ) -> Result<PaymentsPage, AppError>;
    /// One payment.
    async fn payment(&self, actor: &Actor, id: &str) -> Result<PaymentDetail, AppError>;
    /// Captures `amount` (major units as typed); `is_final` closes capturing.
    async fn capture(
        &self,
        actor: &Actor,
        id: &str,
        amount: String,
        is_final: bool,
        ip: &str,
    ) -> Result<PaymentDetail, AppError>;
    /// Cancels.
    async fn cancel(&self, actor: &Actor, id: &str, ip: &str) -> Result<PaymentDetail, AppError>;
    /// The user's list settings and the templates they see.
    async fn list_views(&self, actor: &Actor) -> Result<ListViews, AppError>;
    /// Saves the current filter (`query`, the list's URL query) as a template.
    async fn save_template(
        &self,
        actor: &Actor,
        name: String,
        query: String,
        shared: bool,
    ) -> Result<ListViews, AppError>;
    /// Deletes one of the user's templates.
    async fn delete_template(&self, actor: &Actor, id: i64) -> Result<ListViews, AppError>;
    /// Saves which filters and columns the list shows.
    async fn save_list_settings(
        &self,
        actor: &Actor,
        settings: ListSettings,
    ) -> Result<ListViews, AppError>;
    /// A page of the financial history (MB-37).
    async fn history(&self, actor: &Actor, filter: HistoryFilter) -> Result<HistoryPage, AppError>;
    /// A mail or telephone order paid through the virtual terminal (MB-34).
    async fn moto(&self, actor: &Actor, form: MotoForm, ip: &str) -> Result<MotoResult, AppError>;
    /// Refunds cart lines: `quantities[i]` of line `i` (as typed; empty for none).
    async fn refund_lines(
        &self,
        actor: &Actor,
        id: &str,
        quantities: Vec<String>,
        ip: &str,
    ) -> Result<PaymentDetail, AppError>;
    /// Captures the cart as edited: a unit price (major units) and quantity per line.
    async fn capture_cart(
        &self,
        actor: &Actor,
        id: &str,
        prices: Vec<String>,
        quantities: Vec<String>,
        ip: &str,
    ) -> Result<PaymentDetail, AppError>;
    /// Refunds `amount` (major units as typed).
    async fn refund(
        &self,
        actor: &Actor,
        id: &str,
        amount: String,
        ip: &str,
    ) -> Result<PaymentDetail, AppError>;
}
