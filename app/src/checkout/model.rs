//! What the hosted payment and tokenization pages show: the checkout, its cart, saved
//! cards and the final page's facts.

use serde::{Deserialize, Serialize};

/// Where a hosted checkout stands, for its page.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CheckoutState {
    /// Waiting for the payer's card.
    Open,
    /// Waiting for the 3-D Secure code.
    Challenge,
    /// Paid (authorised or captured).
    Paid,
    /// Refused after the last allowed attempt.
    Refused,
    /// The acquirer has not answered yet.
    Pending,
    /// The session ran out.
    Expired,
}

/// A cart line as the payer sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CartLineView {
    /// Product name.
    pub name: String,
    /// The merchant's article code (back office).
    #[serde(default)]
    pub code: String,
    /// Quantity, formatted.
    pub quantity: String,
    /// Unit price, formatted with the currency.
    pub unit_price: String,
    /// Line amount, formatted with the currency.
    pub amount: String,
    /// Quantity already refunded, formatted (back office).
    #[serde(default)]
    pub refunded: String,
    /// What the refund and capture dialogs compute with (back office).
    #[serde(default)]
    pub state: Option<domain::cart::LineState>,
    /// Unit price in major units, as the capture dialog edits it (back office).
    #[serde(default)]
    pub unit_price_major: String,
}

/// A card saved for the payer (a token), masked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedCardView {
    /// Token id.
    pub token: String,
    /// Brand name.
    pub brand: String,
    /// Masked number.
    pub masked: String,
    /// `MM/YY`.
    pub expiry: String,
}

/// The final page's facts (HP-4).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptView {
    /// Payment id.
    pub payment_id: String,
    /// Authorisation code.
    pub authorisation_code: String,
    /// Terminal id.
    pub terminal_id: String,
    /// Retrieval reference number.
    pub rrn: String,
    /// Masked card number.
    pub masked_card: String,
    /// `MM/YY`.
    pub expiry: String,
    /// Merchant reference (the description the payer knows).
    pub description: String,
}

/// Everything the payment page shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckoutView {
    /// Checkout id.
    pub id: String,
    /// Merchant's commercial name.
    pub merchant: String,
    /// Merchant's web site.
    pub web_site: String,
    /// The merchant's general conditions (MB-10), an `http(s)` address; `None` when unset.
    #[serde(default)]
    pub terms_url: Option<String>,
    /// Amount with the currency, formatted.
    pub amount: String,
    /// Cart.
    pub lines: Vec<CartLineView>,
    /// Accepted brands.
    pub brands: Vec<String>,
    /// Seconds until the session ends.
    pub seconds_left: i64,
    /// State.
    pub state: CheckoutState,
    /// Cards saved for this payer.
    pub saved_cards: Vec<SavedCardView>,
    /// Whether "Save my card" is offered.
    pub can_save: bool,
    /// Refusal code of the last declined attempt.
    pub declined_code: Option<String>,
    /// Attempts left after a decline.
    pub attempts_left: i32,
    /// Final page facts when it is to be shown.
    pub receipt: Option<ReceiptView>,
    /// Whether the result is shown here (else the payer goes back to the merchant).
    pub show_result: bool,
    /// Where the payer goes back to (with `RETURNMAC` and `hostedCheckoutId`).
    pub return_to: Option<String>,
    /// The merchant's payment-page languages (codes), for the page's language switch.
    #[serde(default)]
    pub languages: Vec<String>,
    /// The merchant's payment page template (MB-14); `None` for the default look.
    #[serde(default)]
    pub theme: Option<crate::template::ThemeLink>,
}

/// A hosted tokenization page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenizationView {
    /// Session id.
    pub id: String,
    /// Merchant's commercial name.
    pub merchant: String,
    /// Masked card once saved.
    pub saved: Option<String>,
    /// Whether the page is still usable.
    pub open: bool,
}

/// One way to pay offered beside the card form.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayOption {
    /// Direct's `paymentProductId`.
    pub code: i32,
    /// Display name.
    pub name: String,
}

/// What the payment page offers beside the card form.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayOptions {
    /// Redirect methods: the payer is sent to the bank's page.
    pub redirects: Vec<PayOption>,
    /// Wallets whose switch is on for this payer's device.
    pub wallets: Vec<PayOption>,
}
