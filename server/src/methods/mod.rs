//! Payment methods (MB-11): a merchant's settings read over the defaults of
//! `domain::methods`, the one acceptance check the payments engine calls for every card
//! payment (S2S, MOTO, hosted pages, payment links, tokens), the offered methods for the
//! products API and the hosted page, and `app`'s `MethodsPort` behind Configuration →
//! Payment methods (Admins, each change audited before → after).

use crate::account::service::{internal, load_admin};
use crate::entities::{merchant, payment_method, token};
use crate::payments::engine::{CardSource, NewPayment};
use crate::payments::error::EngineError;
use crate::platform::audit::{self, AuditEntry};
use crate::platform::db::BeginWrite;
use crate::platform::settings_cache::{PerMerchant, Stamp};
use app::account::Actor;
use app::error::{AppError, FieldError, Problem};
use app::methods::{MethodForm, MethodRow, MethodsPort};
use chrono::Utc;
use domain::card::{Brand, CardError};
use domain::methods::{self, Filter, Method, MethodSetting, Methods};
use domain::redirect::WalletSwitches;
use domain::Money;
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, Set,
};

/// The audit action of a method's change.
pub const ACTION: &str = "config.payment_method";

/// The setting a stored row holds; `None` for a method this version does not know.
fn setting_of(row: &payment_method::Model) -> Option<MethodSetting> {
    Some(MethodSetting {
        method: Method::from_code(row.method_code)?,
        active: row.active,
        // The lists were checked when saved; an unreadable one serves everything.
        currencies: methods::parse_currencies(&row.currencies).unwrap_or_default(),
        countries: methods::parse_countries(&row.countries).unwrap_or_default(),
    })
}

/// The merchant's methods: its stored settings over the defaults.
pub async fn load<C: ConnectionTrait>(conn: &C, merchant_id: i64) -> Result<Methods, DbErr> {
    let rows = payment_method::Entity::find()
        .filter(payment_method::Column::MerchantId.eq(merchant_id))
        .all(conn)
        .await?;
    Ok(Methods::new(rows.iter().filter_map(setting_of)))
}

fn currencies_text(s: &MethodSetting) -> String {
    s.currencies
        .iter()
        .map(|c| c.code())
        .collect::<Vec<_>>()
        .join(",")
}

/// A setting as the page lists it, with Google Pay's mobile switch.
fn row_of(s: &MethodSetting, mobile_active: bool) -> MethodRow {
    MethodRow {
        code: s.method.code(),
        name: s.method.name().to_owned(),
        active: s.active,
        currencies: currencies_text(s),
        countries: s.countries.join(","),
        mobile_active: mobile_active && s.method == Method::GooglePay,
    }
}

/// The merchant's wallet switches (MB-15): Google Pay in the browser (its method's
/// `active`) and on mobile, Apple Pay (its method's `active`).
pub async fn wallet_switches<C: ConnectionTrait>(
    conn: &C,
    merchant_id: i64,
) -> Result<WalletSwitches, DbErr> {
    let methods = load(conn, merchant_id).await?;
    Ok(WalletSwitches {
        google_pay_browser: methods.setting(Method::GooglePay).active,
        google_pay_mobile: google_pay_mobile(conn, merchant_id).await?,
        apple_pay: methods.setting(Method::ApplePay).active,
    })
}

/// Whether Google Pay on mobile is on (off until switched on).
async fn google_pay_mobile<C: ConnectionTrait>(conn: &C, merchant_id: i64) -> Result<bool, DbErr> {
    Ok(payment_method::Entity::find()
        .filter(payment_method::Column::MerchantId.eq(merchant_id))
        .filter(payment_method::Column::MethodCode.eq(Method::GooglePay.code()))
        .one(conn)
        .await?
        .is_some_and(|r| r.mobile_active))
}

/// The names of the card brands offered for `amount` (hosted pages), in display order:
/// the merchant's active card methods serving its currency and amount.
pub async fn offered_brands<C: ConnectionTrait>(
    conn: &C,
    merchant_id: i64,
    amount: Money,
) -> Result<Vec<Brand>, DbErr> {
    let filter = Filter {
        currency: Some(amount.currency()),
        country: None,
        amount: Some(amount.minor()),
    };
    Ok(load(conn, merchant_id)
        .await?
        .offered(&filter)
        .into_iter()
        .filter_map(Method::brand)
        .collect())
}

/// Refuses a card payment whose brand the merchant does not accept, or not in the
/// payment's currency, the card's issuing country (when its BIN tells) or amount: a
/// field error on the card number (on the token for a stored card); and a payment
/// product the caller named (`paymentProductId`) that the merchant does not offer for
/// the amount, on that field. The engine calls this once for every payment it creates,
/// before anything is written, with one read of the settings; a number whose brand
/// cannot be told is left to the card checks that follow.
pub(crate) async fn accepted_card(
    db: &DatabaseConnection,
    kept: &PerMerchant<Methods>,
    merchant: &merchant::Model,
    new: &NewPayment,
) -> Result<(), EngineError> {
    let card = match &new.source {
        CardSource::Card(input) => {
            let digits: String = input
                .number
                .chars()
                .filter(|c| !matches!(c, ' ' | '-'))
                .collect();
            Brand::detect(&digits)
                .filter(|_| digits.chars().all(|c| c.is_ascii_digit()))
                .map(|brand| {
                    let bin: String = digits.chars().take(8).collect();
                    (brand, bin, "cardPaymentMethodSpecificInput.card.cardNumber")
                })
        }
        CardSource::Token(id) => token::Entity::find_by_id(id.as_str())
            .filter(token::Column::MerchantId.eq(merchant.id))
            .one(db)
            .await?
            .and_then(|t| {
                let brand = Brand::from_payment_product_id(t.payment_product_id)?;
                let bin: String = t.masked_card.chars().take(6).collect();
                Some((brand, bin, "cardPaymentMethodSpecificInput.token"))
            }),
    };
    if new.product.is_none() && card.is_none() {
        return Ok(());
    }
    let methods = kept
        .get(Stamp::of(merchant), || load(db, merchant.id))
        .await?;
    if let Some(method) = new.product {
        let filter = Filter {
            currency: Some(new.amount.currency()),
            country: None,
            amount: Some(new.amount.minor()),
        };
        methods
            .check(method, &filter)
            .map_err(|refusal| EngineError::invalid(PRODUCT_PROPERTY, refusal.to_string()))?;
    }
    match card {
        Some((brand, bin, property)) => {
            card_served(&methods, brand, &bin, Some(new.amount), property)
        }
        None => Ok(()),
    }
}

/// Where the API names the payment product of a card payment.
pub(crate) const PRODUCT_PROPERTY: &str = "cardPaymentMethodSpecificInput.paymentProductId";

/// Refuses to store a card (a token made through the API, a hosted tokenization page or
/// the aliases page) whose brand the merchant does not accept, or not for the card's
/// issuing country when its BIN tells: a field error on `property`. A stored card is not
/// yet a payment, so currencies and amounts are checked when it pays.
pub(crate) async fn accepted_for_storage<C: ConnectionTrait>(
    conn: &C,
    merchant_id: i64,
    number: &domain::card::CardNumber,
    property: &str,
) -> Result<(), EngineError> {
    let bin: String = number.expose_digits().chars().take(8).collect();
    let methods = load(conn, merchant_id).await?;
    card_served(&methods, number.brand(), &bin, None, property)
}

/// Refuses a card of `brand` whose method does not serve `amount` (when a payment) or
/// the issuing country its `bin` tells: a field error on `property`.
fn card_served(
    methods: &Methods,
    brand: Brand,
    bin: &str,
    amount: Option<Money>,
    property: &str,
) -> Result<(), EngineError> {
    let filter = Filter {
        currency: amount.map(|a| a.currency()),
        country: domain::fraud::card_country(bin).map(str::to_owned),
        amount: amount.map(|a| a.minor()),
    };
    methods
        .check_card(brand, &filter)
        .map_err(|_| EngineError::Card {
            property: property.to_owned(),
            error: CardError::BrandNotAccepted,
        })
}

/// The page's service.
pub struct MethodsService {
    db: DatabaseConnection,
}

impl MethodsService {
    /// Over `db`.
    pub fn new(db: DatabaseConnection) -> Self {
        MethodsService { db }
    }
}

/// The form checked: the setting to store, or every field's problem at once.
fn checked(form: &MethodForm) -> Result<MethodSetting, AppError> {
    let method = Method::from_code(form.code).ok_or(AppError::NotFound)?;
    let mut problems = Vec::new();
    let currencies = methods::parse_currencies(&form.currencies).unwrap_or_else(|_| {
        problems.push(FieldError::new("currencies", Problem::InvalidCurrency));
        Vec::new()
    });
    let countries = methods::parse_countries(&form.countries).unwrap_or_else(|_| {
        problems.push(FieldError::new("countries", Problem::InvalidCountry));
        Vec::new()
    });
    // iDEAL exists in euros only.
    if let Some(only) = method.only_currency() {
        if currencies.iter().any(|c| c.code() != only) {
            problems.push(FieldError::new("currencies", Problem::InvalidCurrency));
        }
    }
    if !problems.is_empty() {
        return Err(AppError::Invalid(problems));
    }
    Ok(MethodSetting {
        method,
        active: form.active,
        currencies,
        countries,
    })
}

#[async_trait::async_trait]
impl MethodsPort for MethodsService {
    async fn methods(&self, actor: &Actor) -> Result<Vec<MethodRow>, AppError> {
        let (m, _) = load_admin(&self.db, actor).await?;
        let all = load(&self.db, m.id).await.map_err(internal)?;
        let mobile = google_pay_mobile(&self.db, m.id).await.map_err(internal)?;
        Ok(all.all().iter().map(|s| row_of(s, mobile)).collect())
    }

    async fn save_method(
        &self,
        actor: &Actor,
        form: MethodForm,
        ip: &str,
    ) -> Result<MethodRow, AppError> {
        let (m, u) = load_admin(&self.db, actor).await?;
        save_setting(&self.db, &m, (Some(u.id), &u.login), &form, ip).await
    }
}

/// Checks and saves one method's setting of `m` in one transaction with its audit row
/// (before → after) by `by` (user id, login); nothing is written when nothing changes.
/// The page's save and the command line's `set-payment-method` both come here.
pub async fn save_setting(
    db: &DatabaseConnection,
    m: &merchant::Model,
    by: (Option<i64>, &str),
    form: &MethodForm,
    ip: &str,
) -> Result<MethodRow, AppError> {
    let new = checked(form)?;
    let txn = db.begin_write().await.map_err(internal)?;
    let old = load(&txn, m.id)
        .await
        .map_err(internal)?
        .setting(new.method)
        .clone();
    let old_mobile = google_pay_mobile(&txn, m.id).await.map_err(internal)?;
    let (before, after) = (row_of(&old, old_mobile), row_of(&new, form.mobile_active));
    let mut fields = vec![
        (
            "active",
            before.active.to_string(),
            after.active.to_string(),
        ),
        ("currencies", before.currencies, after.currencies.clone()),
        ("countries", before.countries, after.countries.clone()),
    ];
    if new.method == Method::GooglePay {
        fields.push((
            "mobile",
            before.mobile_active.to_string(),
            after.mobile_active.to_string(),
        ));
    }
    let detail = audit::changes(&fields);
    if detail.is_empty() {
        return Ok(after);
    }
    payment_method::Entity::insert(payment_method::ActiveModel {
        merchant_id: Set(m.id),
        method_code: Set(after.code),
        active: Set(after.active),
        currencies: Set(after.currencies.clone()),
        countries: Set(after.countries.clone()),
        updated_at: Set(Utc::now()),
        mobile_active: Set(after.mobile_active),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::columns([
            payment_method::Column::MerchantId,
            payment_method::Column::MethodCode,
        ])
        .update_columns([
            payment_method::Column::Active,
            payment_method::Column::Currencies,
            payment_method::Column::Countries,
            payment_method::Column::UpdatedAt,
            payment_method::Column::MobileActive,
        ])
        .to_owned(),
    )
    .exec(&txn)
    .await
    .map_err(internal)?;
    audit::record(
        &txn,
        AuditEntry {
            merchant_id: Some(m.id),
            user_id: by.0,
            actor: by.1,
            action: ACTION,
            detail: format!("{} ({}): {detail}", after.name, after.code),
            ip,
        },
    )
    .await
    .map_err(internal)?;
    txn.commit().await.map_err(internal)?;
    Ok(after)
}
