//! The e-mails of pay by link, in the customer's language: the invoice (amount, due
//! date, cart, link), its reminder, and a link shared through the API. Written to the
//! outbox in the caller's transaction.

use super::store::{self, amount_rule};
use crate::entities::{merchant, payment_link};
use crate::platform::mail;
use app::i18n::T;
use chrono::Utc;
use domain::money::{Currency, Money};
use domain::paylink::AmountRule;
use domain::timezone::ZonePreference;
use domain::Lang;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};

/// `minor` in `currency`, written the way `lang` writes amounts.
pub fn amount_text(minor: i64, currency: &str, lang: Lang) -> String {
    Currency::parse(currency)
        .and_then(|c| Money::new(minor, c).ok())
        .map(|m| m.format_in(lang))
        .unwrap_or_else(|| format!("{minor} {currency}"))
}

/// `minor` in major units as a form edits it (`12.50`), without the currency.
pub fn major_text(minor: i64, currency: &str) -> String {
    Currency::parse(currency)
        .and_then(|c| Money::new(minor, c).ok())
        .map(Money::format_major)
        .unwrap_or_default()
}

/// The due date in the merchant's zone.
fn due_text(merchant: &merchant::Model, row: &payment_link::Model) -> String {
    let zone = ZonePreference {
        zone: merchant.default_time_zone.clone(),
        auto_dst: true,
    };
    row.due_at
        .map(|d| format!("{} ({})", zone.format(d), merchant.default_time_zone))
        .unwrap_or_default()
}

/// The body and subject of the mail of `row` in `lang`; `reminder` for the invoice's
/// reminder.
pub fn compose(
    merchant: &merchant::Model,
    row: &payment_link::Model,
    lang: Lang,
    reminder: bool,
    public_url: &str,
) -> (String, String) {
    let name = if merchant.commercial_name.is_empty() {
        merchant.pspid.clone()
    } else {
        merchant.commercial_name.clone()
    };
    let link = format!(
        "{}/link/{}?lang={}",
        public_url.trim_end_matches('/'),
        row.public_id,
        lang.code()
    );
    let amount = match amount_rule(row) {
        AmountRule::Fixed(minor) => amount_text(minor, &row.currency, lang),
        AmountRule::Entered { .. } => T::AmountOfYourChoice.text(lang).to_owned(),
    };
    if row.kind != store::Kind::Invoice.code() {
        let subject = T::LinkMailSubject.text(lang).replace("{merchant}", &name);
        let mut body = T::LinkMailBody
            .text(lang)
            .replace("{merchant}", &name)
            .replace("{amount}", &amount)
            .replace("{link}", &link);
        if !row.title.is_empty() {
            body = format!("{}\n\n{body}", row.title);
        }
        return (subject, body);
    }
    let subject = if reminder {
        T::InvoiceReminderSubject.text(lang)
    } else {
        T::InvoiceMailSubject.text(lang)
    }
    .replace("{reference}", &row.merchant_reference)
    .replace("{merchant}", &name);
    let mut body = T::InvoiceMailBody
        .text(lang)
        .replace("{name}", &row.recipient_name)
        .replace("{merchant}", &name)
        .replace("{reference}", &row.merchant_reference)
        .replace("{amount}", &amount)
        .replace("{due}", &due_text(merchant, row))
        .replace("{link}", &link);
    if !row.description.is_empty() {
        body.push('\n');
        body.push_str(&row.description);
        body.push('\n');
    }
    let cart = store::cart(row);
    if !cart.is_empty() {
        body.push('\n');
        for line in &cart {
            let qty = domain::cart::Quantity::from_thousandths(line.quantity_thousandths)
                .map(|q| {
                    (
                        domain::cart::format_thousandths(q.thousandths()),
                        domain::cart::line_amount(line.unit_price, q),
                    )
                })
                .unwrap_or_default();
            body.push_str(&format!(
                "- {} — {} {} × {} = {}\n",
                line.name,
                qty.0,
                line.measure,
                amount_text(line.unit_price, &row.currency, lang),
                amount_text(qty.1, &row.currency, lang),
            ));
        }
    }
    (subject, body)
}

/// Mails `row` to `to` in `locale`'s language (else the link's), records the `SENT`
/// event and when it was first sent; returns the row as it is now.
pub async fn send<C: ConnectionTrait>(
    txn: &C,
    merchant: &merchant::Model,
    row: &payment_link::Model,
    to: &str,
    locale: Option<&str>,
    public_url: &str,
) -> Result<payment_link::Model, DbErr> {
    let lang = locale
        .map(crate::checkout::port::locale_lang)
        .unwrap_or_else(|| crate::checkout::port::locale_lang(&row.locale));
    let (subject, body) = compose(merchant, row, lang, false, public_url);
    mail::enqueue(txn, Some(merchant.id), to, &subject, body).await?;
    store::event(txn, row.id, "SENT", to).await?;
    payment_link::Entity::update_many()
        .col_expr(payment_link::Column::SentAt, Expr::value(Utc::now()))
        .filter(payment_link::Column::Id.eq(row.id))
        .filter(payment_link::Column::SentAt.is_null())
        .exec(txn)
        .await?;
    Ok(store::find(txn, merchant.id, &row.public_id)
        .await?
        .unwrap_or_else(|| row.clone()))
}
