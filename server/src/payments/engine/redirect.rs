//! Redirect payments (iDEAL, Bancontact; issue 16): the payment is created `Redirected`
//! with a session on the simulated bank page (TEST acquirer), reached by an unguessable
//! token whose hash alone is stored. The payer's decision there is written once, in one
//! transaction through the domain state machine: approved → authorised and captured at
//! once (a redirect payment is a sale), refused by the bank (the amount rule of
//! `domain::redirect`) → rejected, cancelled → cancelled; a second submit of the page
//! answers what the first decided.

use super::{Initiator, PaymentEngine};
use crate::entities::{bank_redirect, hosted_checkout, merchant, payment};
use crate::payments::error::EngineError;
use crate::payments::records::{guarded_update, ledger, public_id, set_ledger};
use crate::payments::wire;
use crate::platform::audit::{self, AuditEntry};
use crate::platform::crypto;
use crate::platform::db::BeginWrite;
use crate::webhooks::events;
use chrono::Utc;
use domain::methods::{Filter, Method};
use domain::payment::PaymentError;
use domain::redirect::{bank_outcome, BankOutcome, Decision, BANK_REFUSAL_CODE};
use domain::Money;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

/// The property a refused redirect method is reported on.
pub const PRODUCT_PROPERTY: &str = "redirectPaymentMethodSpecificInput.paymentProductId";

/// A redirect payment to create.
pub struct NewRedirect {
    /// iDEAL or Bancontact.
    pub method: Method,
    /// Amount asked.
    pub amount: Money,
    /// Merchant's reference.
    pub merchant_reference: String,
    /// Merchant's customer id.
    pub merchant_customer_id: Option<String>,
    /// Description.
    pub description: String,
    /// Where the payer goes back to (the API's `redirectionData.returnUrl`).
    pub return_url: Option<String>,
    /// The payer's country, when told (the method's countries).
    pub country: Option<String>,
    /// Payer's e-mail.
    pub customer_email: Option<String>,
    /// Payer's IP.
    pub customer_ip: Option<String>,
    /// Page language.
    pub locale: String,
    /// The hosted checkout it belongs to (its `RETURNMAC` is used).
    pub hosted_checkout: Option<hosted_checkout::Model>,
}

/// A redirect payment with its bank page.
pub struct Redirect {
    /// The payment, `Redirected`.
    pub payment: payment::Model,
    /// The bank page's token (the secret of its address).
    pub token: String,
    /// Given back with the payer.
    pub returnmac: String,
}

/// What the bank page shows and where it sends the payer.
pub struct BankSession {
    /// The session.
    pub session: bank_redirect::Model,
    /// Its payment.
    pub payment: payment::Model,
    /// The merchant paid.
    pub merchant: merchant::Model,
    /// The data centre of the hosted checkout the payment belongs to, if any (PL-4).
    pub data_centre: Option<String>,
}

impl BankSession {
    /// The decision written, if any.
    pub fn outcome(&self) -> Option<BankOutcome> {
        BankOutcome::parse(&self.session.status)
    }
}

/// The address of a bank page.
pub fn bank_url(public_url: &str, token: &str, locale: &str) -> String {
    let lang = domain::Lang::parse(locale).unwrap_or_default();
    format!(
        "{}/pay/bank/{token}?lang={}",
        public_url.trim_end_matches('/'),
        lang.code()
    )
}

/// `url` with `query` (already encoded) appended.
fn with_query(url: &str, query: &str) -> String {
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}{query}")
}

impl PaymentEngine {
    /// Creates a redirect payment, `Redirected`, with its bank session, in one
    /// transaction: refused on [`PRODUCT_PROPERTY`] when the merchant does not offer
    /// the method for the amount, currency and country.
    pub async fn create_redirect(
        &self,
        merchant: &merchant::Model,
        new: NewRedirect,
        by: &Initiator,
    ) -> Result<Redirect, EngineError> {
        let request = super::request_ref();
        // The token of a request is derived from its secret reference: a retry finds
        // the same page.
        let token = super::new_id_for_request("bank");
        if let Some(reference) = &super::resumed_request_ref() {
            if let Some(done) = self.committed_redirect(merchant, reference, &token).await? {
                return Ok(done);
            }
        }
        super::accepted_currency(merchant, new.amount.currency())?;
        if !new.method.redirects() {
            return Err(EngineError::invalid(
                PRODUCT_PROPERTY,
                "this payment product is not paid by redirection",
            ));
        }
        let filter = Filter {
            currency: Some(new.amount.currency()),
            country: new.country.clone(),
            amount: Some(new.amount.minor()),
        };
        crate::methods::load(&self.db, merchant.id)
            .await?
            .check(new.method, &filter)
            .map_err(|refusal| EngineError::invalid(PRODUCT_PROPERTY, refusal.to_string()))?;
        let returnmac = match &new.hosted_checkout {
            Some(c) => c.returnmac.clone(),
            None => uuid::Uuid::new_v4().to_string(),
        };
        let now = Utc::now();
        let mut ledger =
            domain::payment::Payment::new(new.amount.minor()).map_err(EngineError::Refused)?;
        ledger.redirect().map_err(EngineError::Refused)?;
        let txn = self.db.begin_write().await?;
        let row = payment::ActiveModel {
            merchant_reference: Set(new.merchant_reference.clone()),
            merchant_customer_id: Set(new.merchant_customer_id.clone()),
            description: Set(new.description.clone()),
            payment_product_id: Set(Some(new.method.code())),
            brand: Set(Some(new.method.name().to_owned())),
            return_url: Set(new.return_url.clone()),
            hosted_checkout_id: Set(new.hosted_checkout.as_ref().map(|c| c.id.clone())),
            payment_link_id: Set(new.hosted_checkout.as_ref().and_then(|c| c.payment_link_id)),
            payer_fields: Set(new
                .hosted_checkout
                .as_ref()
                .and_then(|c| c.payer_fields.clone())),
            customer_email: Set(new.customer_email.clone()),
            customer_ip: Set(new.customer_ip.clone()),
            locale: Set(new.locale.clone()),
            idempotence_ref: Set(request),
            ..super::created_row(
                merchant.id,
                "ECOMMERCE",
                new.amount,
                super::AuthMode::Sale,
                now,
            )
        }
        .insert(&txn)
        .await?;
        // A hosted checkout holds one payment: a second click finds it taken.
        if let Some(checkout) = &new.hosted_checkout {
            let linked = hosted_checkout::Entity::update_many()
                .col_expr(hosted_checkout::Column::PaymentId, Expr::value(row.id))
                .filter(hosted_checkout::Column::Id.eq(checkout.id.as_str()))
                .filter(hosted_checkout::Column::MerchantId.eq(merchant.id))
                .filter(hosted_checkout::Column::PaymentId.is_null())
                .filter(hosted_checkout::Column::Status.eq("IN_PROGRESS"))
                .exec(&txn)
                .await?;
            if linked.rows_affected != 1 {
                return Err(EngineError::Refused(PaymentError::WrongStatus));
            }
        }
        audit::record(
            &txn,
            AuditEntry {
                merchant_id: Some(merchant.id),
                user_id: by.user_id(),
                actor: &by.actor(),
                action: "payment.create",
                detail: format!(
                    "payment {} ECOMMERCE {} {}",
                    public_id(row.id),
                    new.amount,
                    new.method.name()
                ),
                ip: by.ip(),
            },
        )
        .await?;
        events::emit(&txn, merchant, "payment.created", "payment", || {
            wire::payment(&row)
        })
        .await?;
        let mut update: payment::ActiveModel = row.clone().into();
        set_ledger(&mut update, &ledger);
        let row = guarded_update(&txn, &row, update).await?;
        events::emit(&txn, merchant, "payment.redirected", "payment", || {
            wire::payment(&row)
        })
        .await?;
        bank_redirect::ActiveModel {
            token: Set(crypto::token_hash(&token)),
            merchant_id: Set(merchant.id),
            payment_id: Set(row.id),
            returnmac: Set(returnmac.clone()),
            status: Set("open".to_owned()),
            created_at: Set(now),
            decided_at: Set(None),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        txn.commit().await?;
        Ok(Redirect {
            payment: row,
            token,
            returnmac,
        })
    }

    /// The redirect payment an idempotent request already made.
    async fn committed_redirect(
        &self,
        merchant: &merchant::Model,
        reference: &str,
        token: &str,
    ) -> Result<Option<Redirect>, EngineError> {
        let Some(row) = payment::Entity::find()
            .filter(payment::Column::MerchantId.eq(merchant.id))
            .filter(payment::Column::IdempotenceRef.eq(reference))
            .one(&self.db)
            .await?
        else {
            return Ok(None);
        };
        let session = bank_redirect::Entity::find()
            .filter(bank_redirect::Column::Token.eq(crypto::token_hash(token)))
            .filter(bank_redirect::Column::MerchantId.eq(merchant.id))
            .filter(bank_redirect::Column::PaymentId.eq(row.id))
            .one(&self.db)
            .await?
            .ok_or(EngineError::NotFound)?;
        Ok(Some(Redirect {
            payment: row,
            token: token.to_owned(),
            returnmac: session.returnmac,
        }))
    }

    /// The bank page's session of `token`, with its payment and merchant.
    pub async fn bank_session(&self, token: &str) -> Result<BankSession, EngineError> {
        self.bank_session_in(&self.db, token).await
    }

    async fn bank_session_in<C: ConnectionTrait>(
        &self,
        conn: &C,
        token: &str,
    ) -> Result<BankSession, EngineError> {
        if token.is_empty() || token.len() > 64 {
            return Err(EngineError::NotFound);
        }
        let session = bank_redirect::Entity::find()
            .filter(bank_redirect::Column::Token.eq(crypto::token_hash(token)))
            .one(conn)
            .await?
            .ok_or(EngineError::NotFound)?;
        // The session's merchant owns the payment: a token never reaches another's.
        let payment = payment::Entity::find_by_id(session.payment_id)
            .filter(payment::Column::MerchantId.eq(session.merchant_id))
            .one(conn)
            .await?
            .ok_or(EngineError::NotFound)?;
        let merchant = merchant::Entity::find_by_id(session.merchant_id)
            .one(conn)
            .await?
            .ok_or(EngineError::NotFound)?;
        let data_centre = match &payment.hosted_checkout_id {
            Some(id) => hosted_checkout::Entity::find_by_id(id.clone())
                .filter(hosted_checkout::Column::MerchantId.eq(session.merchant_id))
                .one(conn)
                .await?
                .and_then(|c| c.data_centre),
            None => None,
        };
        Ok(BankSession {
            session,
            payment,
            merchant,
            data_centre,
        })
    }

    /// Writes the payer's decision on the bank page of `token`, once: a session already
    /// decided answers as it is (a double submit changes nothing).
    pub async fn bank_decide(
        &self,
        token: &str,
        decision: Decision,
    ) -> Result<BankSession, EngineError> {
        let found = self.bank_session(token).await?;
        if found.session.status != "open" {
            return Ok(found);
        }
        // The answer follows the amount, which never changes.
        let outcome = bank_outcome(found.payment.amount, decision);
        let session = found.session;
        let now = Utc::now();
        let txn = self.db.begin_write().await?;
        // Claims the session, first thing written (SQLite takes its write lock here):
        // of two submits, one writes and the other finds it decided.
        let claimed = bank_redirect::Entity::update_many()
            .col_expr(bank_redirect::Column::Status, Expr::value(outcome.code()))
            .col_expr(bank_redirect::Column::DecidedAt, Expr::value(now))
            .filter(bank_redirect::Column::Id.eq(session.id))
            .filter(bank_redirect::Column::MerchantId.eq(session.merchant_id))
            .filter(bank_redirect::Column::Status.eq("open"))
            .exec(&txn)
            .await?;
        if claimed.rows_affected != 1 {
            drop(txn);
            return self.bank_session(token).await;
        }
        let BankSession {
            payment: row,
            merchant,
            data_centre,
            ..
        } = self.bank_session_in(&txn, token).await?;
        let mut ledger = ledger(&row).map_err(EngineError::Refused)?;
        let mut update: payment::ActiveModel = row.clone().into();
        update.updated_at = Set(now);
        update.attempts = Set(row.attempts + 1);
        let op = |kind: &str, result: &str| {
            super::operation_row(row.id, (kind, row.amount, result), None, now)
        };
        let reference = super::create::attempt_reference();
        match outcome {
            BankOutcome::Approved => {
                ledger.authorise().map_err(EngineError::Refused)?;
                ledger
                    .capture(row.amount, true, 0)
                    .map_err(EngineError::Refused)?;
                let mut auth = op("authorise", "approved");
                auth.rrn = Set(Some(reference.clone()));
                auth.insert(&txn).await?;
                let mut capture = op("capture", "approved");
                capture.is_final = Set(true);
                capture.rrn = Set(Some(format!("{reference}S")));
                capture.insert(&txn).await?;
                update.rrn = Set(Some(reference));
            }
            BankOutcome::Refused => {
                ledger.reject().map_err(EngineError::Refused)?;
                let reason = "refused by the bank";
                let mut auth = op("authorise", "declined");
                auth.refusal_code = Set(Some(BANK_REFUSAL_CODE.to_owned()));
                auth.refusal_reason = Set(Some(reason.to_owned()));
                auth.rrn = Set(Some(reference.clone()));
                auth.insert(&txn).await?;
                update.rrn = Set(Some(reference));
                update.refusal_code = Set(Some(BANK_REFUSAL_CODE.to_owned()));
                update.refusal_reason = Set(Some(reason.to_owned()));
            }
            BankOutcome::Cancelled => {
                ledger.cancel().map_err(EngineError::Refused)?;
                let mut cancel = op("cancel", "approved");
                cancel.is_final = Set(true);
                cancel.insert(&txn).await?;
            }
        }
        set_ledger(&mut update, &ledger);
        let row = guarded_update(&txn, &row, update).await?;
        super::linked::settle_linked_checkout(&txn, &row, ledger.stage()).await?;
        super::linked::settle_linked_link(&txn, &row, ledger.stage()).await?;
        audit::record(
            &txn,
            AuditEntry {
                merchant_id: Some(merchant.id),
                user_id: None,
                actor: &Initiator::Payer.actor(),
                action: "payment.bank",
                detail: format!(
                    "payment {} {} on the bank page",
                    public_id(row.id),
                    outcome.code()
                ),
                ip: "",
            },
        )
        .await?;
        let kind = format!(
            "payment.{}",
            ledger.direct_status().status.to_ascii_lowercase()
        );
        events::emit(&txn, &merchant, &kind, "payment", || wire::payment(&row)).await?;
        let session = bank_redirect::Entity::find_by_id(session.id)
            .one(&txn)
            .await?
            .ok_or(EngineError::NotFound)?;
        txn.commit().await?;
        Ok(BankSession {
            session,
            payment: row,
            merchant,
            data_centre,
        })
    }

    /// Where the payer goes once the bank page is decided: the hosted checkout's page
    /// (its final page, or on to the merchant), else the API's `returnUrl` with
    /// `RETURNMAC` and the payment id; `None` without either.
    pub fn bank_return(&self, found: &BankSession) -> Option<String> {
        let p = &found.payment;
        if let Some(checkout) = &p.hosted_checkout_id {
            let centre = crate::checkout::service::stored_centre(
                &self.config.cluster,
                found.data_centre.as_deref(),
            );
            let page =
                crate::checkout::service::page_url(&self.config.public_url, centre, checkout);
            let lang = domain::Lang::parse(&p.locale).unwrap_or_default();
            return Some(with_query(&page, &format!("lang={}", lang.code())));
        }
        p.return_url.as_deref().map(|url| {
            with_query(
                url,
                &format!(
                    "RETURNMAC={}&paymentId={}",
                    app::url::encode(&found.session.returnmac),
                    public_id(p.id)
                ),
            )
        })
    }
}
