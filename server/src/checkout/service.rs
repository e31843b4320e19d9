//! Hosted checkouts (HP-2..4): the session a merchant creates through the API and the
//! payer completes on our pages, with retries, 3-D Secure, expiry and the final page.

use crate::entities::{hosted_checkout, hosted_tokenization, merchant, payment, payment_link};
use crate::payments::engine::{
    new_id_for_request, AuthMode, CardSource, CartLineInput, Initiator, NewPayment, PaymentEngine,
};
use crate::payments::error::EngineError;
use crate::payments::records::stored_money;
use crate::platform::db::BeginWrite;
use crate::platform::jobs;
use chrono::{DateTime, Duration, Utc};
use domain::money::Money;
use domain::payment::Stage;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ActiveModelTrait, ColumnTrait, Condition, EntityTrait, QueryFilter, Set};
use serde_json::json;

/// What the merchant asks for.
pub struct NewCheckout {
    /// Amount.
    pub amount: Money,
    /// Merchant reference.
    pub merchant_reference: String,
    /// Merchant customer id (enables "save my card").
    pub merchant_customer_id: Option<String>,
    /// Authorisation mode (`None`: the merchant's capture procedure).
    pub mode: Option<AuthMode>,
    /// Where to send the payer back.
    pub return_url: Option<String>,
    /// Show our final page (`None`: the merchant's setting).
    pub show_result_page: Option<bool>,
    /// Page language (one of the six).
    pub locale: String,
    /// Cart.
    pub cart: Vec<CartLineInput>,
    /// The payment link that opens it.
    pub payment_link_id: Option<i64>,
    /// What the payer entered on the link's page (a JSON object).
    pub payer_fields: Option<String>,
    /// The customer's mobile number, E.164 (SMS notifications, MB-15).
    pub customer_mobile: Option<String>,
}

/// How long one pay request may hold a checkout while the acquirer answers; a request
/// that dies while holding it blocks the checkout no longer than this.
const PAY_LEASE_SECONDS: i64 = 120;

/// A request's hold on a checkout: the end of its lease, made unique with random
/// microseconds (whole microseconds, as both databases store them), so the request
/// can later release or settle only a hold that is still its own.
type Hold = DateTime<Utc>;

fn new_hold() -> Hold {
    use rand::Rng;
    let end = Utc::now() + Duration::seconds(PAY_LEASE_SECONDS);
    let micros = end.timestamp_micros() / 1_000 * 1_000 + rand::rngs::OsRng.gen_range(0..1_000);
    DateTime::from_timestamp_micros(micros).unwrap_or(end)
}

/// The data centres of a cluster (PL-4).
pub fn data_centres(cluster: &str) -> &'static [&'static str] {
    match cluster {
        "europe" => &["pay3", "pay4"],
        "india" => &["pay5", "pay7"],
        _ => &["pay1", "pay2"],
    }
}

/// One of the cluster's data centres, spread evenly.
fn pick_centre(cluster: &str) -> &'static str {
    use rand::Rng;
    let centres = data_centres(cluster);
    centres[rand::rngs::OsRng.gen_range(0..centres.len())]
}

/// The data centre a checkout or tokenization stored (`stored`), as one of `cluster`'s;
/// the cluster's first for rows made before the centre was stored.
pub fn stored_centre(cluster: &str, stored: Option<&str>) -> &'static str {
    let centres = data_centres(cluster);
    stored
        .and_then(|s| centres.iter().find(|c| **c == s))
        .copied()
        .unwrap_or(centres[0])
}

/// The 3-D Secure page URL of a checkout, absolute.
pub fn challenge_url(public_url: &str, data_centre: &str, id: &str) -> String {
    format!(
        "{}/pay/{data_centre}/3ds/{id}",
        public_url.trim_end_matches('/')
    )
}

/// The page URL of a checkout, absolute.
pub fn page_url(public_url: &str, data_centre: &str, id: &str) -> String {
    format!(
        "{}/pay/{data_centre}/{id}",
        public_url.trim_end_matches('/')
    )
}

impl PaymentEngine {
    /// Creates a hosted checkout; returns it with its data centre.
    pub async fn create_checkout(
        &self,
        merchant: &merchant::Model,
        new: NewCheckout,
    ) -> Result<(hosted_checkout::Model, &'static str), EngineError> {
        crate::payments::engine::accepted_currency(merchant, new.amount.currency())?;
        crate::configuration::rules::two_step_allowed(merchant, new.mode)?;
        let total: i64 = new
            .cart
            .iter()
            .map(|l| {
                domain::cart::Quantity::from_thousandths(l.quantity_thousandths)
                    .map(|q| domain::cart::line_amount(l.unit_price, q))
                    .unwrap_or(0)
            })
            .sum();
        if !new.cart.is_empty() && total != new.amount.minor() {
            return Err(EngineError::invalid(
                "order.amountOfMoney.amount",
                "the amount must equal the total of the shopping cart",
            ));
        }
        let now = Utc::now();
        let minutes = i64::from(merchant.session_minutes.clamp(1, 24 * 60));
        let id = new_id_for_request("checkout");
        // Made already by this request (its answer was lost in a crash).
        if let Some(made) = hosted_checkout::Entity::find_by_id(id.clone())
            .filter(hosted_checkout::Column::MerchantId.eq(merchant.id))
            .one(self.db())
            .await?
        {
            let centre = stored_centre(&self.config().cluster, made.data_centre.as_deref());
            return Ok((made, centre));
        }
        let centre = pick_centre(&self.config().cluster);
        let mode = new
            .mode
            .unwrap_or(match merchant.capture_procedure.as_str() {
                "immediate" => AuthMode::Sale,
                _ => AuthMode::PreAuthorization,
            });
        let txn = self.db().begin_write().await?;
        let row = hosted_checkout::ActiveModel {
            id: Set(id.clone()),
            merchant_id: Set(merchant.id),
            payment_id: Set(None),
            status: Set("IN_PROGRESS".to_owned()),
            returnmac: Set(uuid::Uuid::new_v4().to_string()),
            currency: Set(new.amount.currency().code().to_owned()),
            amount: Set(new.amount.minor()),
            merchant_reference: Set(new.merchant_reference),
            merchant_customer_id: Set(new.merchant_customer_id),
            authorization_mode: Set(mode.code().to_owned()),
            return_url: Set(crate::configuration::rules::return_url_or_default(
                merchant,
                new.return_url,
            )),
            show_result_page: Set(new.show_result_page.unwrap_or(merchant.show_final_page)),
            // The page speaks the asked language when the merchant offers it, else the
            // merchant's first payment-page language (MB-10).
            locale: Set(offered_locale(merchant, &new.locale)),
            cart_json: Set(serde_json::to_string(&new.cart).unwrap_or_else(|_| "[]".into())),
            attempts: Set(0),
            busy_until: Set(None),
            expires_at: Set(now + Duration::minutes(minutes)),
            created_at: Set(now),
            payment_link_id: Set(new.payment_link_id),
            payer_fields: Set(new.payer_fields),
            customer_mobile: Set(new.customer_mobile),
            data_centre: Set(Some(centre.to_owned())),
        }
        .insert(&txn)
        .await?;
        jobs::enqueue(
            &txn,
            Some(merchant.id),
            jobs::kind::EXPIRE_CHECKOUT,
            json!({ "checkout": id }),
            row.expires_at,
            5,
        )
        .await?;
        session_created(&txn, merchant, &row).await?;
        txn.commit().await?;
        Ok((row, centre))
    }

    /// The merchant a checkout or tokenization session belongs to.
    async fn merchant_of(&self, id: i64) -> Result<merchant::Model, EngineError> {
        merchant::Entity::find_by_id(id)
            .one(self.db())
            .await?
            .ok_or(EngineError::NotFound)
    }

    /// A checkout by id (any merchant: the id is the secret of the payer's page).
    pub async fn checkout(&self, id: &str) -> Result<hosted_checkout::Model, EngineError> {
        hosted_checkout::Entity::find_by_id(id.to_owned())
            .one(self.db())
            .await?
            .ok_or(EngineError::NotFound)
    }

    /// A merchant's checkout.
    pub async fn merchant_checkout(
        &self,
        merchant_id: i64,
        id: &str,
    ) -> Result<hosted_checkout::Model, EngineError> {
        hosted_checkout::Entity::find_by_id(id.to_owned())
            .filter(hosted_checkout::Column::MerchantId.eq(merchant_id))
            .one(self.db())
            .await?
            .ok_or(EngineError::NotFound)
    }

    /// Whether the payer may still act on the checkout.
    pub fn checkout_open(checkout: &hosted_checkout::Model) -> bool {
        checkout.status == "IN_PROGRESS" && checkout.expires_at > Utc::now()
    }

    /// Whether the payer may still act on the checkout and no other request of theirs is
    /// talking to the acquirer for it right now.
    pub fn checkout_busy(checkout: &hosted_checkout::Model) -> bool {
        checkout.busy_until.is_some_and(|until| until > Utc::now())
    }

    /// Takes the checkout for one request in a single guarded UPDATE: it must still be
    /// open, not held by another request, and — for a new card attempt (`max_attempts`) —
    /// below the merchant's retry count, which the same statement raises. Only the
    /// request that changed the row may call the acquirer; the others are refused, so
    /// parallel requests can neither pay twice nor pass the retry count. Returns the
    /// request's hold.
    async fn claim_checkout(
        &self,
        checkout_id: &str,
        max_attempts: Option<i32>,
    ) -> Result<Hold, EngineError> {
        let now = Utc::now();
        let hold = new_hold();
        let mut update = hosted_checkout::Entity::update_many()
            .col_expr(hosted_checkout::Column::BusyUntil, Expr::value(hold))
            .filter(hosted_checkout::Column::Id.eq(checkout_id))
            .filter(hosted_checkout::Column::Status.eq("IN_PROGRESS"))
            .filter(hosted_checkout::Column::ExpiresAt.gt(now))
            .filter(
                Condition::any()
                    .add(hosted_checkout::Column::BusyUntil.is_null())
                    .add(hosted_checkout::Column::BusyUntil.lte(now)),
            );
        if let Some(max) = max_attempts {
            update = update
                .col_expr(
                    hosted_checkout::Column::Attempts,
                    Expr::col(hosted_checkout::Column::Attempts).add(1),
                )
                .filter(hosted_checkout::Column::Attempts.lt(max));
        }
        let claimed = update.exec(self.db()).await?;
        if claimed.rows_affected == 1 {
            Ok(hold)
        } else {
            Err(EngineError::Refused(
                domain::payment::PaymentError::WrongStatus,
            ))
        }
    }

    /// Lets the checkout go after a request that never reached the acquirer (a card the
    /// rules refuse, an acquirer that did not answer): the attempt it took is given back.
    /// Only a hold that is still the request's own is let go.
    async fn release_checkout(
        &self,
        checkout_id: &str,
        hold: Hold,
        give_back: bool,
    ) -> Result<(), EngineError> {
        let mut update = hosted_checkout::Entity::update_many()
            .col_expr(
                hosted_checkout::Column::BusyUntil,
                Expr::value(Option::<chrono::DateTime<Utc>>::None),
            )
            .filter(hosted_checkout::Column::Id.eq(checkout_id))
            .filter(hosted_checkout::Column::BusyUntil.eq(hold));
        if give_back {
            update = update.col_expr(
                hosted_checkout::Column::Attempts,
                Expr::col(hosted_checkout::Column::Attempts).sub(1),
            );
        }
        update.exec(self.db()).await?;
        Ok(())
    }

    /// The payer submits a card (or a saved token) on the payment page.
    pub async fn pay_checkout(
        &self,
        checkout_id: &str,
        source: CardSource,
        save_card: bool,
        ip: Option<String>,
    ) -> Result<(hosted_checkout::Model, crate::payments::engine::Attempt), EngineError> {
        let checkout = self.checkout(checkout_id).await?;
        if !Self::checkout_open(&checkout) {
            return Err(EngineError::Refused(
                domain::payment::PaymentError::WrongStatus,
            ));
        }
        let merchant = self.merchant_of(checkout.merchant_id).await?;
        if !self.link_payable(&checkout).await? {
            return Err(EngineError::Refused(
                domain::payment::PaymentError::WrongStatus,
            ));
        }
        match (checkout.payment_id, &source) {
            (Some(_), CardSource::Token(_)) => {
                return Err(EngineError::invalid(
                    "token",
                    "choose a card for the new attempt",
                ))
            }
            // A payer may only use the cards saved for this checkout's customer.
            (None, CardSource::Token(token)) => {
                let owner = self
                    .token(merchant.id, token)
                    .await
                    .ok()
                    .and_then(|t| t.merchant_customer_id);
                if owner.is_none() || owner != checkout.merchant_customer_id {
                    return Err(EngineError::invalid(
                        "cardPaymentMethodSpecificInput.token",
                        "unknown token",
                    ));
                }
            }
            _ => {}
        }
        let hold = self
            .claim_checkout(&checkout.id, Some(std::cmp::max(merchant.retry_count, 1)))
            .await?;
        // Read again under the hold: an attempt that finished (or stopped) in between
        // may have created the payment this one must continue or wait for. While the
        // acquirer's answer to the payment is not known, the payer waits for it (the page
        // shows it pending) instead of paying twice.
        let checkout = match self.checkout(checkout_id).await {
            Ok(checkout) => match self.linked_payment_pending(&checkout).await {
                Ok(false) => checkout,
                Ok(true) => {
                    self.release_checkout(checkout_id, hold, true).await?;
                    return Err(EngineError::Refused(
                        domain::payment::PaymentError::WrongStatus,
                    ));
                }
                Err(e) => {
                    self.release_checkout(checkout_id, hold, true).await?;
                    return Err(e);
                }
            },
            Err(e) => {
                self.release_checkout(checkout_id, hold, true).await?;
                return Err(e);
            }
        };
        let attempt = match (checkout.payment_id, source) {
            (Some(payment_id), CardSource::Card(card)) => {
                self.retry_payment(&merchant, payment_id, card).await
            }
            (Some(_), CardSource::Token(_)) => Err(EngineError::invalid(
                "token",
                "choose a card for the new attempt",
            )),
            (None, source) => {
                let amount = stored_money(checkout.amount, &checkout.currency)?;
                let cart: Vec<CartLineInput> =
                    serde_json::from_str(&checkout.cart_json).unwrap_or_default();
                self.create_payment(
                    &merchant,
                    NewPayment {
                        channel: "ECOMMERCE",
                        amount,
                        merchant_reference: checkout.merchant_reference.clone(),
                        merchant_customer_id: checkout.merchant_customer_id.clone(),
                        description: String::new(),
                        mode: AuthMode::parse(&checkout.authorization_mode),
                        tokenize: save_card && checkout.merchant_customer_id.is_some(),
                        source,
                        return_url: checkout.return_url.clone(),
                        cart,
                        customer_email: None,
                        customer_ip: ip,
                        locale: checkout.locale.clone(),
                        hosted_checkout_id: Some(checkout.id.clone()),
                        payment_link_id: checkout.payment_link_id,
                        payer_fields: checkout.payer_fields.clone(),
                        customer_mobile: checkout.customer_mobile.clone(),
                        product: None,
                    },
                    &Initiator::Payer,
                )
                .await
            }
        };
        let attempt = self
            .after_attempt(&checkout.id, hold, attempt, true)
            .await?;
        let checkout = self
            .settle_checkout(&checkout.id, hold, &attempt.payment)
            .await?;
        Ok((checkout, attempt))
    }

    /// Whether the payment link that opened the checkout (if any) may still be paid: not
    /// cancelled, not past its end (PE-6), and — single use — not paid by another
    /// checkout.
    async fn link_payable(&self, checkout: &hosted_checkout::Model) -> Result<bool, EngineError> {
        let Some(link_id) = checkout.payment_link_id else {
            return Ok(true);
        };
        let Some(link) = payment_link::Entity::find_by_id(link_id)
            .filter(payment_link::Column::MerchantId.eq(checkout.merchant_id))
            .one(self.db())
            .await?
        else {
            return Ok(false);
        };
        Ok(link.status_at(Utc::now()).payable()
            && (link.reusable || link.checkout_id.as_deref() == Some(checkout.id.as_str())))
    }

    /// Whether the checkout's payment was sent to the acquirer and its answer is not
    /// known yet (never written, or uncertain until the acquirer is asked again).
    async fn linked_payment_pending(
        &self,
        checkout: &hosted_checkout::Model,
    ) -> Result<bool, EngineError> {
        let Some(payment_id) = checkout.payment_id else {
            return Ok(false);
        };
        let row = self.payment(checkout.merchant_id, payment_id).await?;
        Ok(Self::awaiting_answer(&row) || row.stage == Stage::Uncertain.code())
    }

    /// Ends the hold of a request whose attempt failed: an attempt that certainly never
    /// reached the acquirer (or that the acquirer did not answer) is given back; after
    /// anything else the hold stays until its lease runs out, so nobody retries over an
    /// answer that may exist.
    async fn after_attempt(
        &self,
        checkout_id: &str,
        hold: Hold,
        attempt: Result<crate::payments::engine::Attempt, EngineError>,
        counted: bool,
    ) -> Result<crate::payments::engine::Attempt, EngineError> {
        match attempt {
            Ok(attempt) => Ok(attempt),
            Err(e) => {
                // Refused before the acquirer was asked, or not answered by it.
                let not_asked = matches!(
                    &e,
                    EngineError::Card { .. } | EngineError::Acquirer(_) | EngineError::NotFound
                ) || matches!(&e, EngineError::Invalid { property, .. } if property.ends_with("token"));
                // The payment's state refused the step: nothing was written.
                let refused = matches!(e, EngineError::Refused(_) | EngineError::Line(..));
                if not_asked || refused {
                    self.release_checkout(checkout_id, hold, counted && not_asked)
                        .await?;
                }
                Err(e)
            }
        }
    }

    /// Ends the request's hold and marks the checkout done once its payment has a final
    /// answer. The payment was linked before the acquirer was asked; the attempts stay
    /// as the claims counted them. A request that ran past its lease releases no hold
    /// but its own, and a checkout no longer in progress (cancelled, expired) keeps its
    /// status.
    async fn settle_checkout(
        &self,
        checkout_id: &str,
        hold: Hold,
        payment: &payment::Model,
    ) -> Result<hosted_checkout::Model, EngineError> {
        let finished = !matches!(
            Stage::parse(&payment.stage),
            Some(Stage::Created | Stage::Redirected)
        );
        if finished {
            hosted_checkout::Entity::update_many()
                .col_expr(
                    hosted_checkout::Column::Status,
                    Expr::value("PAYMENT_CREATED"),
                )
                .filter(hosted_checkout::Column::Id.eq(checkout_id))
                .filter(hosted_checkout::Column::PaymentId.eq(payment.id))
                .filter(hosted_checkout::Column::Status.eq("IN_PROGRESS"))
                .exec(self.db())
                .await?;
        }
        hosted_checkout::Entity::update_many()
            .col_expr(
                hosted_checkout::Column::BusyUntil,
                Expr::value(Option::<chrono::DateTime<Utc>>::None),
            )
            .filter(hosted_checkout::Column::Id.eq(checkout_id))
            .filter(hosted_checkout::Column::BusyUntil.eq(hold))
            .exec(self.db())
            .await?;
        self.checkout(checkout_id).await
    }

    /// The payer answers the 3-D Secure challenge.
    pub async fn checkout_challenge(
        &self,
        checkout_id: &str,
        code: &str,
    ) -> Result<(hosted_checkout::Model, crate::payments::engine::Attempt), EngineError> {
        let checkout = self.checkout(checkout_id).await?;
        let payment_id = checkout.payment_id.ok_or(EngineError::NotFound)?;
        if !Self::checkout_open(&checkout) {
            return Err(EngineError::Refused(
                domain::payment::PaymentError::WrongStatus,
            ));
        }
        let merchant = self.merchant_of(checkout.merchant_id).await?;
        // The answer to a challenge is part of the attempt that asked for it: it holds
        // the checkout without counting another attempt.
        let hold = self.claim_checkout(&checkout.id, None).await?;
        let attempt = self.complete_challenge(&merchant, payment_id, code).await;
        let attempt = self
            .after_attempt(&checkout.id, hold, attempt, false)
            .await?;
        let checkout = self
            .settle_checkout(&checkout.id, hold, &attempt.payment)
            .await?;
        Ok((checkout, attempt))
    }

    /// For S2S 3-D Secure: a checkout holding the redirected payment, so the payer
    /// answers the challenge on our page.
    pub async fn challenge_checkout(
        &self,
        merchant: &merchant::Model,
        payment: &payment::Model,
    ) -> Result<(hosted_checkout::Model, &'static str), EngineError> {
        let amount = stored_money(payment.amount, &payment.currency)?;
        let (checkout, centre) = self
            .create_checkout(
                merchant,
                NewCheckout {
                    amount,
                    merchant_reference: payment.merchant_reference.clone(),
                    merchant_customer_id: payment.merchant_customer_id.clone(),
                    mode: AuthMode::parse(&payment.authorization_mode),
                    return_url: payment.return_url.clone(),
                    show_result_page: Some(false),
                    locale: payment.locale.clone(),
                    cart: Vec::new(),
                    payment_link_id: None,
                    payer_fields: None,
                    customer_mobile: payment.customer_mobile.clone(),
                },
            )
            .await?;
        let mut row: hosted_checkout::ActiveModel = checkout.into();
        row.payment_id = Set(Some(payment.id));
        let checkout = row.update(self.db()).await?;
        Ok((checkout, centre))
    }

    /// Expires a checkout nobody paid (job): the open payment, if any, expires too. A
    /// checkout a pay request holds, or whose payment awaits the acquirer's answer (its
    /// reconciliation settles the checkout), is left for the job's next run.
    pub async fn expire_checkout(&self, checkout_id: &str) -> Result<(), EngineError> {
        if let Ok(checkout) = self.checkout(checkout_id).await {
            if checkout.status == "IN_PROGRESS" && self.linked_payment_pending(&checkout).await? {
                return Err(EngineError::invalid(
                    "hostedCheckout",
                    "the payment awaits the acquirer's answer",
                ));
            }
        }
        let now = Utc::now();
        let closed = hosted_checkout::Entity::update_many()
            .col_expr(
                hosted_checkout::Column::Status,
                Expr::value("CANCELLED_BY_CONSUMER"),
            )
            .filter(hosted_checkout::Column::Id.eq(checkout_id))
            .filter(hosted_checkout::Column::Status.eq("IN_PROGRESS"))
            .filter(
                Condition::any()
                    .add(hosted_checkout::Column::BusyUntil.is_null())
                    .add(hosted_checkout::Column::BusyUntil.lte(now)),
            )
            .exec(self.db())
            .await?;
        let Ok(checkout) = self.checkout(checkout_id).await else {
            return Ok(());
        };
        if closed.rows_affected != 1 {
            if checkout.status == "IN_PROGRESS" {
                return Err(EngineError::invalid(
                    "hostedCheckout",
                    "a payment attempt is in progress",
                ));
            }
            return Ok(());
        }
        if let Some(payment_id) = checkout.payment_id {
            let merchant = self.merchant_of(checkout.merchant_id).await?;
            let row = self.payment(merchant.id, payment_id).await?;
            if matches!(
                Stage::parse(&row.stage),
                Some(Stage::Created | Stage::Redirected)
            ) {
                self.expire_payment(&merchant, row).await?;
            }
        }
        Ok(())
    }
}

/// How long a hosted tokenization page stays usable.
pub const TOKENIZATION_MINUTES: i64 = 30;

impl PaymentEngine {
    /// Creates a hosted tokenization session.
    pub async fn create_tokenization(
        &self,
        merchant: &merchant::Model,
        locale: String,
    ) -> Result<(hosted_tokenization::Model, &'static str), EngineError> {
        let now = Utc::now();
        let id = new_id_for_request("tokenization");
        if let Some(made) = hosted_tokenization::Entity::find_by_id(id.clone())
            .filter(hosted_tokenization::Column::MerchantId.eq(merchant.id))
            .one(self.db())
            .await?
        {
            let centre = stored_centre(&self.config().cluster, made.data_centre.as_deref());
            return Ok((made, centre));
        }
        let centre = pick_centre(&self.config().cluster);
        let row = hosted_tokenization::ActiveModel {
            id: Set(id),
            merchant_id: Set(merchant.id),
            token_id: Set(None),
            token_status: Set("UNCHANGED".to_owned()),
            locale: Set(locale),
            expires_at: Set(now + Duration::minutes(TOKENIZATION_MINUTES)),
            created_at: Set(now),
            data_centre: Set(Some(centre.to_owned())),
        }
        .insert(self.db())
        .await?;
        Ok((row, centre))
    }

    /// A tokenization session by id (the id is the page's secret).
    pub async fn tokenization(&self, id: &str) -> Result<hosted_tokenization::Model, EngineError> {
        hosted_tokenization::Entity::find_by_id(id.to_owned())
            .one(self.db())
            .await?
            .ok_or(EngineError::NotFound)
    }

    /// The payer stores a card on the tokenization page.
    pub async fn tokenize_on_page(
        &self,
        id: &str,
        card: &crate::payments::engine::CardInput,
    ) -> Result<hosted_tokenization::Model, EngineError> {
        let session = self.tokenization(id).await?;
        if session.token_id.is_some() || session.expires_at <= Utc::now() {
            return Err(EngineError::Refused(
                domain::payment::PaymentError::WrongStatus,
            ));
        }
        let merchant = self.merchant_of(session.merchant_id).await?;
        let token = self.create_token(&merchant, card, None).await?;
        let mut row: hosted_tokenization::ActiveModel = session.into();
        row.token_id = Set(Some(token.id));
        row.token_status = Set("CREATED".to_owned());
        Ok(row.update(self.db()).await?)
    }
}

/// `locale` when its language is one of `merchant`'s payment-page languages, else the
/// merchant's first one.
pub(crate) fn offered_locale(merchant: &merchant::Model, locale: &str) -> String {
    let wanted = crate::checkout::port::locale_lang(locale);
    let shown = domain::company::page_language(&merchant.languages, wanted);
    if shown == wanted {
        locale.to_owned()
    } else {
        shown.code().to_owned()
    }
}

/// The webhook event of a hosted checkout's creation (Direct names events
/// `object.event`).
pub const SESSION_CREATED: &str = "hostedcheckout.created";

/// Sends [`SESSION_CREATED`] through the webhook outbox in the checkout's transaction,
/// when the merchant asked for session-creation events.
async fn session_created<C: sea_orm::ConnectionTrait>(
    conn: &C,
    merchant: &merchant::Model,
    checkout: &crate::entities::hosted_checkout::Model,
) -> Result<(), sea_orm::DbErr> {
    if !merchant.session_events {
        return Ok(());
    }
    let object = serde_json::json!({
        "id": checkout.id,
        "status": checkout.status,
        "createdPaymentOutput": serde_json::Value::Null,
        "amountOfMoney": { "amount": checkout.amount, "currencyCode": checkout.currency },
        "merchantReference": checkout.merchant_reference,
        "authorizationMode": checkout.authorization_mode,
        "expiresAt": checkout.expires_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    });
    crate::webhooks::events::emit(conn, merchant, SESSION_CREATED, "hostedCheckout", || object)
        .await
}
