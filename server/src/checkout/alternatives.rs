//! `app`'s `PayMethodsPort` (issue 16): the hosted page's redirect methods and wallets.
//! A redirect method creates the checkout's payment `Redirected` and answers the bank
//! page's address; a wallet (TEST: the simulated sheet) pays the checkout with the
//! approved test card through the card engine — screening and the methods check as for
//! a typed card — the payment carrying the wallet's product id from its first write.
//! Which Google Pay switch applies is decided here from the `User-Agent`; Apple Pay is
//! shown whenever its switch is on (no Safari check in TEST).

use super::port::CheckoutService;
use crate::entities::{hosted_checkout, merchant};
use crate::payments::engine::redirect::{bank_url, NewRedirect};
use crate::payments::engine::{CardInput, CardSource, Initiator, PaymentEngine};
use crate::payments::error::EngineError;
use crate::payments::records::stored_money;
use app::checkout::CheckoutView;
use app::checkout::{PayMethodsPort, PayOption, PayOptions};
use app::error::AppError;
use domain::methods::{serves, Filter, Method, MethodSetting};
use sea_orm::EntityTrait;

/// The card the simulated wallets hand over: the table's approved Visa.
pub const WALLET_TEST_CARD: &str = "4111111111111111";

fn internal(e: impl std::fmt::Display) -> AppError {
    tracing::error!(error = %e, "hosted page methods");
    AppError::Internal
}

fn engine_error(e: EngineError) -> AppError {
    match e {
        EngineError::NotFound => AppError::NotFound,
        EngineError::Invalid { .. } | EngineError::Card { .. } => AppError::Forbidden,
        EngineError::Refused(_) => AppError::NotAllowedNow,
        other => internal(other),
    }
}

/// The service.
pub struct PayMethodsService {
    engine: PaymentEngine,
    cards: CheckoutService,
}

impl PayMethodsService {
    /// Over `engine`.
    pub fn new(engine: PaymentEngine) -> Self {
        PayMethodsService {
            cards: CheckoutService::new(engine.clone()),
            engine,
        }
    }

    /// An open checkout with its merchant and amount's filter.
    async fn open(
        &self,
        id: &str,
    ) -> Result<(hosted_checkout::Model, merchant::Model, Filter), AppError> {
        let checkout = self.engine.checkout(id).await.map_err(engine_error)?;
        if !PaymentEngine::checkout_open(&checkout) || checkout.payment_id.is_some() {
            return Err(AppError::NotAllowedNow);
        }
        let merchant = merchant::Entity::find_by_id(checkout.merchant_id)
            .one(self.engine.db())
            .await
            .map_err(internal)?
            .ok_or(AppError::NotFound)?;
        let amount = stored_money(checkout.amount, &checkout.currency).map_err(engine_error)?;
        let filter = Filter {
            currency: Some(amount.currency()),
            country: None,
            amount: Some(amount.minor()),
        };
        Ok((checkout, merchant, filter))
    }

    /// The options of an open checkout for `user_agent`.
    async fn offered(&self, id: &str, user_agent: &str) -> Result<PayOptions, AppError> {
        let (_, merchant, filter) = self.open(id).await?;
        let db = self.engine.db();
        let methods = crate::methods::load(db, merchant.id)
            .await
            .map_err(internal)?;
        let switches = crate::methods::wallet_switches(db, merchant.id)
            .await
            .map_err(internal)?;
        let option = |m: Method| PayOption {
            code: m.code(),
            name: m.name().to_owned(),
        };
        let redirects = [Method::Ideal, Method::BancontactCard]
            .into_iter()
            .filter(|m| methods.check(*m, &filter).is_ok())
            .map(option)
            .collect();
        // A wallet's switch says whether it is shown; its currencies and amounts still
        // narrow it.
        let fits = |m: Method| {
            let on = MethodSetting {
                active: true,
                ..methods.setting(m).clone()
            };
            serves(&on, &filter).is_ok()
        };
        let mut wallets = Vec::new();
        if switches.google_pay_for(user_agent) && fits(Method::GooglePay) {
            wallets.push(option(Method::GooglePay));
        }
        if switches.apple_pay && fits(Method::ApplePay) {
            wallets.push(option(Method::ApplePay));
        }
        Ok(PayOptions { redirects, wallets })
    }
}

#[async_trait::async_trait]
impl PayMethodsPort for PayMethodsService {
    async fn options(&self, id: &str, user_agent: &str) -> Result<PayOptions, AppError> {
        match self.offered(id, user_agent).await {
            // A closed or paid checkout offers nothing more.
            Err(AppError::NotAllowedNow) => Ok(PayOptions::default()),
            other => other,
        }
    }

    async fn redirect(&self, id: &str, code: i32, ip: &str) -> Result<String, AppError> {
        let (checkout, merchant, _) = self.open(id).await?;
        let method = Method::from_code(code)
            .filter(|m| m.redirects())
            .ok_or(AppError::NotFound)?;
        let amount = stored_money(checkout.amount, &checkout.currency).map_err(engine_error)?;
        let new = NewRedirect {
            method,
            amount,
            merchant_reference: checkout.merchant_reference.clone(),
            merchant_customer_id: checkout.merchant_customer_id.clone(),
            description: checkout.merchant_reference.clone(),
            return_url: checkout.return_url.clone(),
            country: None,
            customer_email: None,
            customer_ip: Some(ip.to_owned()),
            locale: checkout.locale.clone(),
            hosted_checkout: Some(checkout),
        };
        let made = self
            .engine
            .create_redirect(&merchant, new, &Initiator::Payer)
            .await
            .map_err(engine_error)?;
        Ok(bank_url(
            &self.engine.config().public_url,
            &made.token,
            &made.payment.locale,
        ))
    }

    async fn wallet(
        &self,
        id: &str,
        code: i32,
        user_agent: &str,
        ip: &str,
    ) -> Result<CheckoutView, AppError> {
        let wallet = Method::from_code(code)
            .filter(|m| m.kind() == domain::methods::Kind::Wallet)
            .ok_or(AppError::NotFound)?;
        // Only a wallet the page offers this payer.
        let offered = self.offered(id, user_agent).await?;
        if !offered.wallets.iter().any(|w| w.code == code) {
            return Err(AppError::Forbidden);
        }
        // The wallet's card is a typed card to the engine (screening, the methods
        // check), written on the payment as the wallet's product in its own transaction.
        self.cards.throttle(id, ip)?;
        let card = CardInput {
            number: WALLET_TEST_CARD.to_owned(),
            cvv: Some("123".to_owned()),
            expiry: "12/30".to_owned(),
            holder: "Test Wallet".to_owned(),
            wallet: Some(wallet),
        };
        self.cards
            .pay_source(id, CardSource::Card(card), false, ip)
            .await
    }
}
