//! What the pay-by-link pages exchange with the server: link templates (MB-36),
//! invoices sent by e-mail (MB-35) and the payer's pre-payment page (HP-1).

use crate::checkout::CartLineView;
use domain::paylink::{FieldSpec, LinkStatus};
use serde::{Deserialize, Serialize};

/// A payment-link template as its form edits it. Amounts are typed in major units.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkForm {
    /// The link's id when editing; empty for a new link.
    pub id: String,
    /// Link name (merchant only).
    pub name: String,
    /// Description only the merchant sees.
    pub internal_note: String,
    /// Title the payer reads on the pre-payment page.
    pub title: String,
    /// Description the payer reads.
    pub description: String,
    /// ISO currency code.
    pub currency: String,
    /// Fixed amount (major units), when the payer does not enter it.
    pub amount: String,
    /// "Customer enters the amount".
    pub payer_amount: bool,
    /// Smallest amount the payer may enter (major units).
    pub min_amount: String,
    /// Largest amount the payer may enter (major units).
    pub max_amount: String,
    /// Last day the link can be paid (`YYYY-MM-DD`, the merchant's time zone); ignored
    /// when `indefinite`.
    pub ends_on: String,
    /// The link never expires.
    pub indefinite: bool,
    /// Can be paid many times (else once).
    pub reusable: bool,
    /// Ask the payer's address.
    pub ask_address: bool,
    /// Ask the payer's e-mail.
    pub ask_email: bool,
    /// Ask the payer's full name.
    pub ask_name: bool,
    /// Ask the payer's phone number.
    pub ask_phone: bool,
    /// The merchant's own fields.
    pub fields: Vec<FieldSpec>,
}

/// A payment link in the merchant's list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkRow {
    /// Public id (also the last part of its URL).
    pub id: String,
    /// Link name.
    pub name: String,
    /// Title the payer reads.
    pub title: String,
    /// Amount, formatted, or the range the payer may enter.
    pub amount: String,
    /// Status.
    pub status: LinkStatus,
    /// Reusable or single use.
    pub reusable: bool,
    /// End of the action period, formatted; empty when indefinite.
    pub ends: String,
    /// The link's address, absolute.
    pub url: String,
    /// Payments made through it.
    pub payments: u64,
    /// When it was created, formatted.
    pub created: String,
}

/// The list's search and filter.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkFilter {
    /// Words in the name, title or id.
    pub q: String,
    /// `active`, `expired`, `disabled`, `paid` or empty for all.
    pub status: String,
}

/// One link: its form, address, status and QR code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkDetail {
    /// The settings.
    pub form: LinkForm,
    /// Status.
    pub status: LinkStatus,
    /// The link's address, absolute.
    pub url: String,
    /// A QR code of the address, as an SVG document drawn on the server.
    pub qr_svg: String,
}

/// A line of an invoice's cart as typed (major units, quantity with up to 3 decimals).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceLine {
    /// Line id (filled in automatically: 1, 2, …).
    pub id: String,
    /// Product or service.
    pub name: String,
    /// Price of one unit.
    pub price: String,
    /// Units (up to 3 decimals).
    pub quantity: String,
    /// Unit of measure.
    pub measure: String,
    /// The vendor's article code.
    pub article: String,
}

/// An invoice to e-mail (MB-35).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceForm {
    /// Merchant reference (generated when empty).
    pub reference: String,
    /// Customer's name.
    pub customer_name: String,
    /// Where the link is mailed.
    pub email: String,
    /// The customer's language (`en`, `fr`, …): the e-mail's and the page's.
    pub language: String,
    /// Due date and time (`YYYY-MM-DDTHH:MM`, the merchant's time zone).
    pub due: String,
    /// Last moment the invoice can still be paid (same format); empty: the due date.
    pub payable_until: String,
    /// Merchant customer id (offers "save my card").
    pub customer_id: String,
    /// Free-form description.
    pub description: String,
    /// ISO currency code.
    pub currency: String,
    /// Amount (major units); must equal the cart's total when there is a cart.
    pub amount: String,
    /// The cart.
    pub lines: Vec<InvoiceLine>,
    /// Issue without sending the e-mail (the merchant sends the link).
    pub hold_back: bool,
    /// Send one reminder a day before the due date.
    pub remind: bool,
}

/// An issued invoice.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuedInvoice {
    /// Public id.
    pub id: String,
    /// Merchant reference (as generated when left empty).
    pub reference: String,
    /// The payment page's link, absolute.
    pub url: String,
    /// Whether the e-mail was queued.
    pub sent: bool,
}

/// Where an invoice stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum InvoiceStatus {
    /// Sent or issued, not paid, not yet due.
    Issued,
    /// Paid.
    Paid,
    /// Past its due date, still payable.
    Overdue,
    /// No longer payable.
    Expired,
    /// Cancelled by the merchant.
    Cancelled,
}

impl InvoiceStatus {
    /// The code used in URLs and tests.
    pub fn code(self) -> &'static str {
        match self {
            InvoiceStatus::Issued => "issued",
            InvoiceStatus::Paid => "paid",
            InvoiceStatus::Overdue => "overdue",
            InvoiceStatus::Expired => "expired",
            InvoiceStatus::Cancelled => "cancelled",
        }
    }
}

/// An invoice in the list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceRow {
    /// Public id.
    pub id: String,
    /// Merchant reference.
    pub reference: String,
    /// Customer's name.
    pub customer_name: String,
    /// Customer's e-mail.
    pub email: String,
    /// Amount, formatted.
    pub amount: String,
    /// Due date, formatted.
    pub due: String,
    /// Status.
    pub status: InvoiceStatus,
    /// The payment that paid it (its public id).
    pub payment_id: Option<String>,
    /// The payment page's link, absolute.
    pub url: String,
    /// When the e-mail went out, formatted; empty when held back.
    pub sent: String,
    /// When it was issued, formatted.
    pub created: String,
}

/// The invoice list's search.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceFilter {
    /// Words in the reference, customer's name or e-mail.
    pub q: String,
    /// An [`InvoiceStatus::code`] or empty for all.
    pub status: String,
}

/// A field of the pre-payment page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayerField {
    /// The rules (label translated for the standard fields; the pattern is checked as
    /// typed by the domain and again on the server).
    pub spec: FieldSpec,
    /// The input's type: `text`, `email`, `tel`.
    pub input: String,
    /// The browser's autocomplete hint.
    pub autocomplete: String,
}

/// Whether the payer may pay through a link now.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PrepayState {
    /// The form is shown.
    Open,
    /// Past its end.
    Expired,
    /// Disabled or cancelled by the merchant.
    Disabled,
    /// Already paid (single use).
    Paid,
}

/// The pre-payment page (HP-1).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrepayView {
    /// Public id.
    pub id: String,
    /// Merchant's commercial name.
    pub merchant: String,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// ISO currency code.
    pub currency: String,
    /// Fixed amount, formatted; `None` when the payer enters it.
    pub amount: Option<String>,
    /// Smallest amount the payer may enter (major units, as typed).
    pub min_amount: String,
    /// Largest amount (major units).
    pub max_amount: String,
    /// Due date, formatted (invoices).
    pub due: String,
    /// Cart (invoices).
    pub lines: Vec<CartLineView>,
    /// Fields to fill in.
    pub fields: Vec<PayerField>,
    /// State.
    pub state: PrepayState,
    /// The merchant's payment page template (MB-14); `None` for the default look.
    #[serde(default)]
    pub theme: Option<crate::template::ThemeLink>,
}

/// What the payer entered.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrepayForm {
    /// Amount in major units (links where the payer enters it).
    pub amount: String,
    /// Each field's name and value.
    pub values: Vec<(String, String)>,
}
