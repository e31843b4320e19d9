//! The payer's side of a link (HP-1): the pre-payment page, and the hosted checkout its
//! form opens with the amount and the values the payer entered, checked again here by
//! the domain's rules. A single-use link has one open checkout at a time, taken by a
//! guarded UPDATE, so two payers (or two tabs) can never pay it twice.

use super::store::{self, amount_rule, asked, status};
use super::PaylinkService;
use crate::checkout::port::{lang_query, payer_line};
use crate::checkout::service::{page_url, NewCheckout};
use crate::entities::{hosted_checkout, merchant, payment_link};
use crate::payments::engine::{CartLineInput, PaymentEngine};
use app::error::{AppError, FieldError, Problem};
use app::i18n::T;
use app::paylinks::{PayerField, PrepayForm, PrepayState, PrepayView};
use chrono::Utc;
use domain::money::{Currency, Money};
use domain::paylink::{self, AmountRule, LinkStatus, Standard, TypedAmountError, ValueError};
use domain::Lang;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter};

fn internal(e: impl std::fmt::Display) -> AppError {
    tracing::error!(error = %e, "payment link page failed");
    AppError::Internal
}

/// The fields of `row` as the page shows them, labels in `lang`.
fn fields(row: &payment_link::Model, lang: Lang) -> Vec<PayerField> {
    let asked = asked(row);
    let standard = asked.standard.iter().map(|s| {
        let label = match s {
            Standard::FullName => T::PayerFullName,
            Standard::Email => T::PayerEmail,
            Standard::Phone => T::PayerPhone,
            Standard::Address => T::PayerAddress,
        };
        let (input, autocomplete) = s.input();
        PayerField {
            spec: s.spec(label.text(lang)),
            input: input.to_owned(),
            autocomplete: autocomplete.to_owned(),
        }
    });
    let custom = asked.custom.into_iter().map(|spec| PayerField {
        spec,
        input: "text".to_owned(),
        autocomplete: "off".to_owned(),
    });
    standard.chain(custom).collect()
}

impl PaylinkService {
    /// A link by its secret id, of any merchant, with its merchant.
    async fn by_secret(
        &self,
        id: &str,
    ) -> Result<(payment_link::Model, merchant::Model), AppError> {
        if id.is_empty() || id.len() > 64 {
            return Err(AppError::NotFound);
        }
        let row = payment_link::Entity::find()
            .filter(payment_link::Column::PublicId.eq(id))
            .one(self.engine.db())
            .await
            .map_err(internal)?
            .ok_or(AppError::NotFound)?;
        let merchant = merchant::Entity::find_by_id(row.merchant_id)
            .one(self.engine.db())
            .await
            .map_err(internal)?
            .ok_or(AppError::NotFound)?;
        Ok((row, merchant))
    }

    /// The pre-payment page.
    pub async fn prepay_view(&self, id: &str, lang: Lang) -> Result<PrepayView, AppError> {
        let (row, merchant) = self.by_secret(id).await?;
        let state = match row.status_at(Utc::now()) {
            LinkStatus::Active => PrepayState::Open,
            LinkStatus::Expired => PrepayState::Expired,
            LinkStatus::Disabled => PrepayState::Disabled,
            LinkStatus::Paid => PrepayState::Paid,
        };
        let money = |minor: i64| super::mail::amount_text(minor, &row.currency, lang);
        let (amount, min_amount, max_amount) = match amount_rule(&row) {
            AmountRule::Fixed(a) => (Some(money(a)), String::new(), String::new()),
            AmountRule::Entered { min, max } => (
                None,
                super::mail::major_text(min, &row.currency),
                super::mail::major_text(max, &row.currency),
            ),
        };
        let lines = store::cart(&row)
            .iter()
            .map(|l| {
                let mut view = payer_line(&l.name, l.quantity_thousandths, l.unit_price, &money);
                view.code = l.article.clone();
                view.quantity = format!("{} {}", view.quantity, l.measure).trim().to_owned();
                view
            })
            .collect();
        let is_invoice = row.kind == store::Kind::Invoice.code();
        let zone = domain::timezone::ZonePreference {
            zone: merchant.default_time_zone.clone(),
            auto_dst: true,
        };
        Ok(PrepayView {
            id: row.public_id.clone(),
            merchant: if merchant.commercial_name.is_empty() {
                merchant.pspid.clone()
            } else {
                merchant.commercial_name.clone()
            },
            title: if is_invoice || row.title.is_empty() {
                row.merchant_reference.clone()
            } else {
                row.title.clone()
            },
            description: row.description.clone(),
            currency: row.currency.clone(),
            amount,
            min_amount,
            max_amount,
            due: row
                .due_at
                .map(|d| format!("{} ({})", zone.format(d), merchant.default_time_zone))
                .unwrap_or_default(),
            lines,
            fields: fields(&row, lang),
            state,
            theme: crate::template::theme::link(self.engine.db(), merchant.id)
                .await
                .map_err(internal)?,
        })
    }

    /// Checks the payer's entries and opens the checkout; returns its address.
    pub async fn start_checkout(
        &self,
        id: &str,
        form: PrepayForm,
        lang: Lang,
    ) -> Result<String, AppError> {
        let (row, merchant) = self.by_secret(id).await?;
        if !row.status_at(Utc::now()).payable() {
            return Err(AppError::NotAllowedNow);
        }
        // An invoice or an API link is in its customer's language; a template's checkout
        // in the payer's.
        let lang = if row.kind == store::Kind::Link.code() {
            lang
        } else {
            crate::checkout::port::locale_lang(&row.locale)
        };
        let currency = Currency::parse(&row.currency).ok_or(AppError::Internal)?;
        let mut problems = Vec::new();
        let amount = match amount_rule(&row).typed(&form.amount, currency) {
            Ok(amount) => amount,
            Err(e) => {
                problems.push(FieldError::new(
                    "amount",
                    match e {
                        TypedAmountError::Required => Problem::Required,
                        TypedAmountError::Invalid => Problem::InvalidAmount,
                        TypedAmountError::BelowMin => Problem::BelowMinimum,
                        TypedAmountError::AboveMax => Problem::AboveMaximum,
                    },
                ));
                0
            }
        };
        let mut values = serde_json::Map::new();
        for field in fields(&row, lang) {
            let typed = form
                .values
                .iter()
                .find(|(name, _)| *name == field.spec.name)
                .map(|(_, v)| v.as_str())
                .unwrap_or("");
            match paylink::check_value(&field.spec, typed) {
                Ok(v) if v.is_empty() => {}
                Ok(v) => {
                    values.insert(field.spec.name.clone(), serde_json::Value::String(v));
                }
                Err(e) => problems.push(FieldError::new(
                    &field.spec.name,
                    match e {
                        ValueError::Required => Problem::Required,
                        ValueError::TooLong => Problem::TooLong,
                        ValueError::Pattern => Problem::PatternMismatch,
                    },
                )),
            }
        }
        if !problems.is_empty() {
            return Err(AppError::Invalid(problems));
        }
        let payer_fields =
            (!values.is_empty()).then(|| serde_json::Value::Object(values).to_string());
        if !row.reusable {
            if let Some(url) = self
                .reuse_open_checkout(&row, amount, &payer_fields)
                .await?
            {
                return Ok(url);
            }
        }
        let amount = Money::new(amount, currency).map_err(|_| AppError::Internal)?;
        let reference = if row.merchant_reference.is_empty() {
            format!(
                "LINK-{}",
                row.public_id
                    .chars()
                    .take(8)
                    .collect::<String>()
                    .to_uppercase()
            )
        } else {
            row.merchant_reference.clone()
        };
        let cart = store::cart(&row)
            .into_iter()
            .enumerate()
            .map(|(i, l)| CartLineInput {
                code: if l.article.is_empty() {
                    (i + 1).to_string()
                } else {
                    l.article
                },
                name: l.name,
                unit_price: l.unit_price,
                quantity_thousandths: l.quantity_thousandths,
            })
            .collect();
        let (checkout, centre) = self
            .engine
            .create_checkout(
                &merchant,
                NewCheckout {
                    amount,
                    merchant_reference: reference,
                    merchant_customer_id: row.merchant_customer_id.clone(),
                    mode: None,
                    return_url: row.return_url.clone(),
                    show_result_page: Some(row.return_url.is_none() || merchant.show_final_page),
                    locale: lang.code().to_owned(),
                    cart,
                    payment_link_id: Some(row.id),
                    payer_fields,
                    customer_mobile: None,
                },
            )
            .await
            .map_err(crate::payments::operations::engine_error)?;
        if !row.reusable {
            // One open checkout per single-use link: the first request to take the link
            // keeps it; a later one gives its checkout up and joins the winner's.
            let taken = payment_link::Entity::update_many()
                .col_expr(
                    payment_link::Column::CheckoutId,
                    Expr::value(checkout.id.clone()),
                )
                .filter(payment_link::Column::Id.eq(row.id))
                .filter(payment_link::Column::Status.eq(status::ACTIVE))
                .filter(match &row.checkout_id {
                    None => Condition::all().add(payment_link::Column::CheckoutId.is_null()),
                    Some(old) => {
                        Condition::all().add(payment_link::Column::CheckoutId.eq(old.as_str()))
                    }
                })
                .exec(self.engine.db())
                .await
                .map_err(internal)?;
            if taken.rows_affected != 1 {
                hosted_checkout::Entity::update_many()
                    .col_expr(
                        hosted_checkout::Column::Status,
                        Expr::value("CANCELLED_BY_CONSUMER"),
                    )
                    .filter(hosted_checkout::Column::Id.eq(checkout.id.as_str()))
                    .filter(hosted_checkout::Column::PaymentId.is_null())
                    .exec(self.engine.db())
                    .await
                    .map_err(internal)?;
                let (now_row, _) = self.by_secret(id).await?;
                if now_row.status_at(Utc::now()).payable() {
                    if let Some(url) = self
                        .reuse_open_checkout(&now_row, amount.minor(), &None)
                        .await?
                    {
                        return Ok(url);
                    }
                }
                return Err(AppError::NotAllowedNow);
            }
        }
        Ok(format!(
            "{}{}",
            page_url(self.public_url(), centre, &checkout.id),
            lang_query(&checkout.locale)
        ))
    }

    /// The address of the single-use link's open checkout, if it has one; a checkout no
    /// attempt was made on yet takes the payer's new entries.
    async fn reuse_open_checkout(
        &self,
        row: &payment_link::Model,
        amount: i64,
        payer_fields: &Option<String>,
    ) -> Result<Option<String>, AppError> {
        let Some(checkout_id) = &row.checkout_id else {
            return Ok(None);
        };
        let Ok(checkout) = self.engine.checkout(checkout_id).await else {
            return Ok(None);
        };
        if !PaymentEngine::checkout_open(&checkout) {
            return Ok(None);
        }
        if checkout.payment_id.is_none() && payer_fields.is_some() {
            hosted_checkout::Entity::update_many()
                .col_expr(
                    hosted_checkout::Column::PayerFields,
                    Expr::value(payer_fields.clone()),
                )
                .col_expr(hosted_checkout::Column::Amount, Expr::value(amount))
                .filter(hosted_checkout::Column::Id.eq(checkout.id.as_str()))
                .filter(hosted_checkout::Column::PaymentId.is_null())
                .filter(
                    Condition::any()
                        .add(hosted_checkout::Column::BusyUntil.is_null())
                        .add(hosted_checkout::Column::BusyUntil.lte(Utc::now())),
                )
                .exec(self.engine.db())
                .await
                .map_err(internal)?;
        }
        let centre = crate::checkout::service::stored_centre(
            &self.engine.config().cluster,
            checkout.data_centre.as_deref(),
        );
        Ok(Some(format!(
            "{}{}",
            page_url(self.public_url(), centre, &checkout.id),
            lang_query(&checkout.locale)
        )))
    }
}
