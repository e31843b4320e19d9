//! The pay-by-link backend: [`PaylinksPort`], implemented by the server.

use super::{
    InvoiceFilter, InvoiceForm, InvoiceRow, IssuedInvoice, LinkDetail, LinkFilter, LinkForm,
    LinkRow, PrepayForm, PrepayView,
};
use crate::account::Actor;
use crate::error::AppError;
use domain::Lang;

/// Link templates and invoices (any user of the merchant reads them; users who may sell
/// create and change them) and the payer's pre-payment page (no session: the link's id
/// is its secret).
#[async_trait::async_trait]
pub trait PaylinksPort: Send + Sync {
    /// The merchant's links matching `filter`, newest first (at most 200).
    async fn links(&self, actor: &Actor, filter: LinkFilter) -> Result<Vec<LinkRow>, AppError>;
    /// One link.
    async fn link(&self, actor: &Actor, id: &str) -> Result<LinkDetail, AppError>;
    /// A new link's defaults: 100.00 in the merchant's currency, one month, single use.
    async fn new_link(&self, actor: &Actor) -> Result<LinkForm, AppError>;
    /// Creates (empty `form.id`) or changes a link.
    async fn save_link(
        &self,
        actor: &Actor,
        form: LinkForm,
        ip: &str,
    ) -> Result<LinkDetail, AppError>;
    /// Disables a link: the payer's page refuses it from now on.
    async fn disable_link(&self, actor: &Actor, id: &str, ip: &str) -> Result<(), AppError>;
    /// The merchant's invoices matching `filter`, newest first (at most 200).
    async fn invoices(
        &self,
        actor: &Actor,
        filter: InvoiceFilter,
    ) -> Result<Vec<InvoiceRow>, AppError>;
    /// Issues an invoice and, unless held back, mails it.
    async fn issue_invoice(
        &self,
        actor: &Actor,
        form: InvoiceForm,
        ip: &str,
    ) -> Result<IssuedInvoice, AppError>;
    /// Cancels an unpaid invoice.
    async fn cancel_invoice(&self, actor: &Actor, id: &str, ip: &str) -> Result<(), AppError>;
    /// The pre-payment page of a link or an invoice.
    async fn prepay(&self, id: &str, lang: Lang) -> Result<PrepayView, AppError>;
    /// Checks the payer's entries and opens the hosted checkout; returns its address.
    async fn start(
        &self,
        id: &str,
        form: PrepayForm,
        lang: Lang,
        ip: &str,
    ) -> Result<String, AppError>;
}
