//! The hosted pages' port over the engine: what the payment, challenge, final and
//! tokenization pages show and do.

use crate::entities::{hosted_checkout, merchant, payment};
use crate::payments::engine::{CardInput, CardSource, CartLineInput, PaymentEngine};
use crate::payments::error::EngineError;
use crate::payments::records::{public_id, stored_money};
use crate::platform::rate_limit::RateLimiter;
use app::checkout::{
    CartLineView, CheckoutState, CheckoutView, ReceiptView, SavedCardView, TokenizationView,
};
use app::checkout::{CheckoutPort, TypedCard};
use app::error::{AppError, FieldError, Problem};
use chrono::Utc;
use domain::payment::Stage;
use domain::Lang;
use sea_orm::EntityTrait;

/// Pay and challenge requests one checkout takes per [`PAY_WINDOW`].
pub const PAY_PER_CHECKOUT: u32 = 30;
/// Pay and challenge requests one client address makes per [`PAY_WINDOW`], whatever
/// the checkout.
pub const PAY_PER_ADDRESS: u32 = 60;
/// The window of the two limits above.
pub const PAY_WINDOW: std::time::Duration = std::time::Duration::from_secs(10 * 60);

/// The port.
pub struct CheckoutService {
    engine: PaymentEngine,
    per_checkout: RateLimiter,
    per_address: RateLimiter,
}

impl CheckoutService {
    /// Over `engine`.
    pub fn new(engine: PaymentEngine) -> Self {
        CheckoutService {
            engine,
            per_checkout: RateLimiter::new(PAY_PER_CHECKOUT, PAY_WINDOW),
            per_address: RateLimiter::new(PAY_PER_ADDRESS, PAY_WINDOW),
        }
    }

    /// Counts a pay or challenge request against both limits. An id not shaped like
    /// the ones checkouts are given is not found, before anything is counted for it.
    pub(super) fn throttle(&self, id: &str, ip: &str) -> Result<(), AppError> {
        if !checkout_id_shaped(id) {
            return Err(AppError::NotFound);
        }
        // The address first: ids are the caller's to invent, so a spray of made-up ids
        // is held back by its address before it reaches the per-checkout table.
        if self.per_address.allow(ip) && self.per_checkout.allow(id) {
            Ok(())
        } else {
            tracing::warn!(ip, "hosted payment requests throttled");
            Err(AppError::RateLimited)
        }
    }

    /// Pays checkout `id` from `source` — the card form, a saved card, or a wallet's
    /// card — and answers the page's view of it.
    pub(super) async fn pay_source(
        &self,
        id: &str,
        source: CardSource,
        save: bool,
        ip: &str,
    ) -> Result<CheckoutView, AppError> {
        let (checkout, _) = self
            .engine
            .pay_checkout(id, source, save, Some(ip.to_owned()))
            .await
            .map_err(to_app_error)?;
        self.build(checkout).await
    }
}

/// Whether `id` looks like a hosted checkout's id: 32 lower-case hexadecimal digits
/// (a UUID without dashes, as checkouts are created).
fn checkout_id_shaped(id: &str) -> bool {
    id.len() == 32
        && id
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// The page language of a checkout locale (`fr_BE` → French).
pub fn locale_lang(locale: &str) -> Lang {
    Lang::parse(locale.split(['_', '-']).next().unwrap_or("en")).unwrap_or_default()
}

/// A cart line as a payer sees it (hosted and pre-payment pages): quantity, unit price
/// and the line's amount written by `money`.
pub fn payer_line(
    name: &str,
    quantity_thousandths: i64,
    unit_price: i64,
    money: &dyn Fn(i64) -> String,
) -> CartLineView {
    let quantity = domain::cart::Quantity::from_thousandths(quantity_thousandths)
        .unwrap_or_else(|_| domain::cart::Quantity::from_thousandths(1000).expect("one"));
    CartLineView {
        name: name.to_owned(),
        quantity: domain::cart::format_thousandths(quantity_thousandths),
        unit_price: money(unit_price),
        amount: money(domain::cart::line_amount(unit_price, quantity)),
        code: String::new(),
        refunded: String::new(),
        state: None,
        unit_price_major: String::new(),
    }
}

/// `?lang=xx` for a page URL.
pub fn lang_query(locale: &str) -> String {
    format!("?lang={}", locale_lang(locale).code())
}

fn internal(e: impl std::fmt::Display) -> AppError {
    tracing::error!(error = %e, "hosted page failed");
    AppError::Internal
}

/// Maps an engine refusal of card data to the field the payer typed.
fn to_app_error(e: EngineError) -> AppError {
    match e {
        EngineError::NotFound => AppError::NotFound,
        EngineError::Card { property, error } => {
            let field = if property.ends_with("expiryDate") {
                "expiry"
            } else if property.ends_with("cvv") {
                "cvc"
            } else {
                "number"
            };
            AppError::Invalid(vec![FieldError::new(field, Problem::Card(error))])
        }
        // A saved card of someone else, or one that no longer exists.
        EngineError::Invalid { property, .. } if property.ends_with("token") => AppError::Forbidden,
        EngineError::Invalid { property, message } => internal(format!("{property}: {message}")),
        // The checkout is closed, held by another request of the payer, or out of
        // attempts: the page shows where it stands.
        EngineError::Refused(domain::payment::PaymentError::WrongStatus) => AppError::NotAllowedNow,
        EngineError::Refused(_) | EngineError::Line(..) => AppError::Forbidden,
        EngineError::Db(e) => internal(e),
        EngineError::Acquirer(e) => {
            tracing::warn!(error = %e, "acquirer unavailable");
            AppError::Unavailable
        }
    }
}

impl CheckoutService {
    async fn merchant(&self, id: i64) -> Result<merchant::Model, AppError> {
        merchant::Entity::find_by_id(id)
            .one(self.engine.db())
            .await
            .map_err(internal)?
            .ok_or(AppError::NotFound)
    }

    fn return_to(&self, checkout: &hosted_checkout::Model) -> Option<String> {
        let url = checkout.return_url.as_deref()?;
        let separator = if url.contains('?') { '&' } else { '?' };
        Some(format!(
            "{url}{separator}RETURNMAC={}&hostedCheckoutId={}",
            checkout.returnmac, checkout.id
        ))
    }

    /// The card brands the merchant offers for the checkout's currency and amount (MB-11).
    async fn offered_brands(
        &self,
        checkout: &hosted_checkout::Model,
    ) -> Result<Vec<String>, AppError> {
        let Ok(amount) = stored_money(checkout.amount, &checkout.currency) else {
            return Ok(Vec::new());
        };
        Ok(
            crate::methods::offered_brands(self.engine.db(), checkout.merchant_id, amount)
                .await
                .map_err(internal)?
                .into_iter()
                .map(|b| b.name().to_owned())
                .collect(),
        )
    }

    async fn build(&self, checkout: hosted_checkout::Model) -> Result<CheckoutView, AppError> {
        let merchant = self.merchant(checkout.merchant_id).await?;
        let lang = locale_lang(&checkout.locale);
        let money = |minor: i64| {
            stored_money(minor, &checkout.currency)
                .map(|m| m.format_in(lang))
                .unwrap_or_default()
        };
        let payment = match checkout.payment_id {
            Some(id) => payment::Entity::find_by_id(id)
                .one(self.engine.db())
                .await
                .map_err(internal)?,
            None => None,
        };
        let stage = payment.as_ref().and_then(|p| Stage::parse(&p.stage));
        let open = PaymentEngine::checkout_open(&checkout);
        let state = match stage {
            Some(Stage::Authorised) => CheckoutState::Paid,
            Some(Stage::Rejected) => CheckoutState::Refused,
            Some(Stage::Uncertain) => CheckoutState::Pending,
            // The acquirer was asked and its answer is not written yet (a request still
            // waiting for it, or one that stopped before writing it): reconciled next.
            Some(Stage::Created)
                if open && payment.as_ref().is_some_and(PaymentEngine::awaiting_answer) =>
            {
                CheckoutState::Pending
            }
            Some(Stage::Cancelled | Stage::Expired) => CheckoutState::Expired,
            // A failed challenge clears the pending card: the payer may try another card.
            Some(Stage::Redirected)
                if open
                    && payment
                        .as_ref()
                        .is_some_and(|p| p.pending_card_enc.is_some()) =>
            {
                CheckoutState::Challenge
            }
            // Another request of the payer is with the acquirer: its answer comes next.
            _ if open && PaymentEngine::checkout_busy(&checkout) => CheckoutState::Pending,
            _ if open => CheckoutState::Open,
            _ => CheckoutState::Expired,
        };
        let cart: Vec<CartLineInput> =
            serde_json::from_str(&checkout.cart_json).unwrap_or_default();
        let lines = cart
            .iter()
            .map(|l| payer_line(&l.name, l.quantity_thousandths, l.unit_price, &money))
            .collect();
        let saved_cards = match (&checkout.merchant_customer_id, state) {
            (Some(customer), CheckoutState::Open) if payment.is_none() => self
                .engine
                .customer_tokens(merchant.id, customer)
                .await
                .map_err(to_app_error)?
                .into_iter()
                .map(|t| SavedCardView {
                    token: t.id,
                    brand: t.brand,
                    masked: t.masked_card,
                    expiry: format!(
                        "{}/{}",
                        &t.expiry[..2.min(t.expiry.len())],
                        &t.expiry[2.min(t.expiry.len())..]
                    ),
                })
                .collect(),
            _ => Vec::new(),
        };
        let receipt = match (&payment, state, checkout.show_result_page) {
            (Some(p), CheckoutState::Paid, true) => Some(ReceiptView {
                payment_id: public_id(p.id),
                authorisation_code: p.authorisation_code.clone().unwrap_or_default(),
                terminal_id: p.terminal_id.clone().unwrap_or_default(),
                rrn: p.rrn.clone().unwrap_or_default(),
                masked_card: p.masked_card.clone().unwrap_or_default(),
                expiry: p
                    .card_expiry
                    .as_deref()
                    .map(|e| format!("{}/{}", &e[..2.min(e.len())], &e[2.min(e.len())..]))
                    .unwrap_or_default(),
                description: if p.description.is_empty() {
                    p.merchant_reference.clone()
                } else {
                    p.description.clone()
                },
            }),
            _ => None,
        };
        let attempts = payment
            .as_ref()
            .map(|p| p.attempts)
            .unwrap_or(0)
            .max(checkout.attempts);
        Ok(CheckoutView {
            id: checkout.id.clone(),
            merchant: if merchant.commercial_name.is_empty() {
                merchant.pspid.clone()
            } else {
                merchant.commercial_name.clone()
            },
            web_site: merchant.web_site.clone(),
            terms_url: domain::company::web_address(&merchant.general_conditions_url),
            amount: money(checkout.amount),
            lines,
            brands: self.offered_brands(&checkout).await?,
            seconds_left: (checkout.expires_at - Utc::now()).num_seconds().max(0),
            state,
            saved_cards,
            can_save: checkout.merchant_customer_id.is_some() && payment.is_none(),
            declined_code: payment.as_ref().and_then(|p| p.refusal_code.clone()),
            attempts_left: (merchant.retry_count - attempts).max(0),
            receipt,
            show_result: checkout.show_result_page || checkout.return_url.is_none(),
            return_to: self.return_to(&checkout).map(|url| {
                crate::template::openid::with_session_token(
                    self.engine.config(),
                    &merchant,
                    &checkout,
                    payment.as_ref(),
                    url,
                )
            }),
            theme: crate::template::theme::link(self.engine.db(), merchant.id)
                .await
                .map_err(internal)?,
            languages: domain::company::languages(&merchant.languages)
                .unwrap_or_default()
                .into_iter()
                .map(|l| l.code().to_owned())
                .collect(),
        })
    }
}

#[async_trait::async_trait]
impl CheckoutPort for CheckoutService {
    async fn view(&self, id: &str) -> Result<CheckoutView, AppError> {
        let checkout = self.engine.checkout(id).await.map_err(to_app_error)?;
        self.build(checkout).await
    }

    async fn pay(
        &self,
        id: &str,
        card: Option<TypedCard>,
        saved: Option<String>,
        save: bool,
        ip: &str,
    ) -> Result<CheckoutView, AppError> {
        self.throttle(id, ip)?;
        let source = match (card, saved) {
            (_, Some(token)) => CardSource::Token(token),
            (Some(card), None) => CardSource::Card(CardInput {
                number: card.number,
                cvv: Some(card.cvc),
                expiry: card.expiry,
                holder: card.holder,
                wallet: None,
            }),
            (None, None) => {
                return Err(AppError::Invalid(vec![FieldError::new(
                    "number",
                    Problem::Required,
                )]))
            }
        };
        self.pay_source(id, source, save, ip).await
    }

    async fn challenge(&self, id: &str, code: &str, ip: &str) -> Result<CheckoutView, AppError> {
        self.throttle(id, ip)?;
        let (checkout, _) = self
            .engine
            .checkout_challenge(id, code)
            .await
            .map_err(to_app_error)?;
        self.build(checkout).await
    }

    async fn tokenization(&self, id: &str) -> Result<TokenizationView, AppError> {
        let session = self.engine.tokenization(id).await.map_err(to_app_error)?;
        self.tokenization_view(session).await
    }

    async fn tokenize(&self, id: &str, card: TypedCard) -> Result<TokenizationView, AppError> {
        let session = self
            .engine
            .tokenize_on_page(
                id,
                &CardInput {
                    number: card.number,
                    cvv: None,
                    expiry: card.expiry,
                    holder: card.holder,
                    wallet: None,
                },
            )
            .await
            .map_err(to_app_error)?;
        self.tokenization_view(session).await
    }
}

impl CheckoutService {
    async fn tokenization_view(
        &self,
        session: crate::entities::hosted_tokenization::Model,
    ) -> Result<TokenizationView, AppError> {
        let merchant = self.merchant(session.merchant_id).await?;
        let saved = match &session.token_id {
            Some(token) => self
                .engine
                .token(merchant.id, token)
                .await
                .ok()
                .map(|t| t.masked_card),
            None => None,
        };
        Ok(TokenizationView {
            id: session.id.clone(),
            merchant: if merchant.commercial_name.is_empty() {
                merchant.pspid
            } else {
                merchant.commercial_name
            },
            saved,
            open: session.expires_at > Utc::now(),
        })
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn locales_map_to_languages() {
        assert_eq!(super::locale_lang("fr_BE"), domain::Lang::Fr);
        assert_eq!(super::locale_lang("xx"), domain::Lang::En);
    }

    #[test]
    fn only_ids_shaped_like_checkout_ids_are_counted() {
        use super::checkout_id_shaped;
        let id = uuid::Uuid::new_v4().simple().to_string();
        assert!(checkout_id_shaped(&id));
        assert!(!checkout_id_shaped(&id.to_ascii_uppercase()));
        assert!(!checkout_id_shaped(&id[1..]));
        assert!(!checkout_id_shaped(&format!("{id}0")));
        assert!(!checkout_id_shaped(&"a".repeat(10_000)));
        assert!(!checkout_id_shaped(&format!("{}g", &id[1..])));
        assert!(!checkout_id_shaped(""));
    }
}
