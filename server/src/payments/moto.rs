//! Mail and telephone orders (MB-33): the virtual terminal's card payment, taken by a
//! user who may sell, through the engine like any other payment.

use super::operations::{engine_error, user_initiator, OperationsService};
use crate::account::service::load_actor_who_may;
use crate::payments::engine::{AttemptResult, AuthMode, CardInput, CardSource, NewPayment};
use crate::payments::error::EngineError;
use crate::payments::list::label_of;
use crate::payments::records::public_id;
use app::account::Actor;
use app::error::{AppError, FieldError, Problem};
use app::payments::{MotoForm, MotoResult};
use domain::money::Money;
use domain::{Lang, MoneyMove};

impl OperationsService {
    pub(crate) async fn pay_moto(
        &self,
        actor: &Actor,
        form: MotoForm,
        ip: &str,
    ) -> Result<MotoResult, AppError> {
        let (m, u) = load_actor_who_may(self.engine.db(), actor, MoneyMove::Sale).await?;
        let mut problems = Vec::new();
        let currency = domain::money::Currency::parse(form.currency.trim());
        if currency.is_none() {
            problems.push(FieldError::new("currency", Problem::OutOfRange));
        }
        let amount = match currency {
            Some(c) if !form.amount.trim().is_empty() => Money::parse_major(&form.amount, c)
                .ok()
                .filter(|m| m.minor() > 0)
                .or_else(|| {
                    problems.push(FieldError::new("amount", Problem::InvalidAmount));
                    None
                }),
            Some(_) => {
                problems.push(FieldError::new("amount", Problem::Required));
                None
            }
            None => None,
        };
        let mode = match form.mode.as_str() {
            "" | "SALE" => AuthMode::Sale,
            "PRE_AUTHORIZATION" => AuthMode::PreAuthorization,
            _ => {
                problems.push(FieldError::new("mode", Problem::OutOfRange));
                AuthMode::Sale
            }
        };
        for (name, value, most) in [
            ("reference", &form.reference, 50),
            ("description", &form.description, 250),
            ("customer_id", &form.customer_id, 50),
            ("holder", &form.holder, 50),
        ] {
            if value.chars().count() > most {
                problems.push(FieldError::new(name, Problem::TooLong));
            }
        }
        // Pay with an alias: the merchant's stored card instead of a typed one.
        let alias = form.alias.trim().to_owned();
        if !alias.is_empty() {
            match self.engine.token(m.id, &alias).await {
                Ok(_) => {}
                Err(EngineError::NotFound) => {
                    problems.push(FieldError::new("alias", Problem::OutOfRange))
                }
                Err(e) => return Err(engine_error(e)),
            }
        } else if form.number.trim().is_empty() {
            problems.push(FieldError::new("number", Problem::Required));
        }
        if !problems.is_empty() {
            return Err(AppError::Invalid(problems));
        }
        let amount = amount.ok_or(AppError::Internal)?;
        let reference = match form.reference.trim() {
            "" => format!(
                "MOTO-{}-{}",
                chrono::Utc::now().format("%Y%m%d"),
                crate::platform::crypto::random_from(b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789", 6)
            ),
            typed => typed.to_owned(),
        };
        let expiry: String = form.expiry.chars().filter(char::is_ascii_digit).collect();
        let by = user_initiator(&u, ip);
        let attempt = self
            .engine
            .create_payment(
                &m,
                NewPayment {
                    channel: "MOTO",
                    amount,
                    merchant_reference: reference.clone(),
                    merchant_customer_id: Some(form.customer_id.trim().to_owned())
                        .filter(|c| !c.is_empty()),
                    description: form.description.trim().to_owned(),
                    mode: Some(mode),
                    source: if alias.is_empty() {
                        CardSource::Card(CardInput {
                            number: form.number.clone(),
                            cvv: Some(form.cvc.trim().to_owned()).filter(|c| !c.is_empty()),
                            expiry,
                            holder: form.holder.trim().to_owned(),
                            wallet: None,
                        })
                    } else {
                        CardSource::Token(alias.clone())
                    },
                    tokenize: false,
                    return_url: None,
                    cart: Vec::new(),
                    customer_email: None,
                    customer_ip: None,
                    locale: u.language.clone(),
                    hosted_checkout_id: None,
                    payment_link_id: None,
                    payer_fields: None,
                    customer_mobile: None,
                    product: None,
                },
                &by,
            )
            .await
            .map_err(|e| match e {
                EngineError::Card { property, error } => {
                    let name = if !alias.is_empty() {
                        "alias"
                    } else if property.ends_with("expiryDate") {
                        "expiry"
                    } else if property.ends_with("cvv") {
                        "cvc"
                    } else {
                        "number"
                    };
                    AppError::Invalid(vec![FieldError::new(name, Problem::Card(error))])
                }
                EngineError::Invalid { property, .. } if property.ends_with("currencyCode") => {
                    AppError::field("currency", Problem::CurrencyNotAccepted)
                }
                EngineError::Invalid { property, .. }
                    if property == crate::configuration::rules::AUTHORIZATION_MODE =>
                {
                    AppError::field("mode", Problem::TwoStepNotAllowed)
                }
                // Deleted while the payment was being made.
                EngineError::Invalid { property, .. } if property.ends_with(".token") => {
                    AppError::field("alias", Problem::OutOfRange)
                }
                other => engine_error(other),
            })?;
        let p = attempt.payment;
        let lang = Lang::parse(&u.language).unwrap_or_default();
        Ok(MotoResult {
            payment_id: public_id(p.id),
            reference,
            approved: matches!(attempt.result, AttemptResult::Approved),
            status: label_of(&p).code().to_owned(),
            amount: amount.format_in(lang),
            authorisation_code: p.authorisation_code.clone().unwrap_or_default(),
            refusal: match attempt.result {
                AttemptResult::Declined { code, reason } => format!("{code} {reason}"),
                AttemptResult::Uncertain => "92".to_owned(),
                _ => String::new(),
            },
        })
    }
}
