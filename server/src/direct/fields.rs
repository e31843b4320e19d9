//! Reading a Direct request field by field, so that a wrong field is reported with its
//! Direct `propertyName`: the body, integers, booleans, amounts, carts, locales, ids.

use super::{ApiError, Caller};
use crate::payments::engine::{CartLineInput, Initiator};
use crate::payments::records::parse_public_id;
use domain::lang::Lang;
use domain::money::{Currency, Money};
use serde_json::{json, Value};

/// What a handler answers: its value, or a Direct error body.
pub(super) type Result<T> = std::result::Result<T, ApiError>;

/// The JSON body, or a 400 saying it is not JSON.
pub(super) fn body(bytes: &[u8]) -> Result<Value> {
    if bytes.is_empty() {
        return Ok(json!({}));
    }
    serde_json::from_slice(bytes)
        .map_err(|e| ApiError::invalid("body", &format!("the body is not valid JSON: {e}")))
}

pub(super) fn at<'a>(v: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.')
        .try_fold(v, |v, k| v.get(k))
        .filter(|v| !v.is_null())
}

/// The string at `path`, if any; refused when it is not a string or holds a control
/// character other than tab and line ends (a NUL cannot even be stored in PostgreSQL).
pub(super) fn string(v: &Value, path: &str) -> Result<Option<String>> {
    match at(v, path) {
        None => Ok(None),
        Some(Value::String(s)) if domain::text::is_clean(s) => Ok(Some(s.clone())),
        Some(Value::String(_)) => Err(ApiError::invalid(
            path,
            &format!("{path} must not hold control characters other than tab and line ends"),
        )),
        Some(_) => Err(ApiError::invalid(path, &format!("{path} must be a string"))),
    }
}

pub(super) fn int(v: &Value, path: &str) -> Result<Option<i64>> {
    match at(v, path) {
        None => Ok(None),
        Some(n) => n
            .as_i64()
            .map(Some)
            .ok_or_else(|| ApiError::invalid(path, &format!("{path} must be a whole number"))),
    }
}

pub(super) fn boolean(v: &Value, path: &str) -> Result<Option<bool>> {
    match at(v, path) {
        None => Ok(None),
        Some(b) => b
            .as_bool()
            .map(Some)
            .ok_or_else(|| ApiError::invalid(path, &format!("{path} must be true or false"))),
    }
}

/// `amountOfMoney` at `path`: positive amount in minor units of a known currency.
pub(super) fn money(v: &Value, path: &str) -> Result<Money> {
    let amount_path = format!("{path}.amount");
    let currency_path = format!("{path}.currencyCode");
    let amount = int(v, &amount_path)?
        .ok_or_else(|| ApiError::invalid(&amount_path, &format!("{amount_path} is required")))?;
    let code = string(v, &currency_path)?.ok_or_else(|| {
        ApiError::invalid(&currency_path, &format!("{currency_path} is required"))
    })?;
    let currency = Currency::parse(&code)
        .ok_or_else(|| ApiError::invalid(&currency_path, "unknown ISO 4217 currency code"))?;
    if amount <= 0 {
        return Err(ApiError::invalid(
            &amount_path,
            "the amount must be above zero",
        ));
    }
    Money::new(amount, currency).map_err(|e| ApiError::invalid(&amount_path, &e.to_string()))
}

pub(super) fn cart(v: &Value, currency: Currency) -> Result<Vec<CartLineInput>> {
    let Some(items) = at(v, "order.shoppingCart.items") else {
        return Ok(Vec::new());
    };
    let items = items
        .as_array()
        .ok_or_else(|| ApiError::invalid("order.shoppingCart.items", "items must be a list"))?;
    let mut lines = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let prefix = format!("order.shoppingCart.items[{i}]");
        let quantity = int(item, "orderLineDetails.quantity")
            .map_err(|_| {
                ApiError::invalid(
                    &format!("{prefix}.orderLineDetails.quantity"),
                    "the quantity must be a whole number",
                )
            })?
            .unwrap_or(1);
        let price = int(item, "orderLineDetails.productPrice").map_err(|_| {
            ApiError::invalid(
                &format!("{prefix}.orderLineDetails.productPrice"),
                "the price must be a whole number of minor units",
            )
        })?;
        let line_total = int(item, "amountOfMoney.amount").ok().flatten();
        if let Some(code) = string(item, "amountOfMoney.currencyCode").ok().flatten() {
            if code != currency.code() {
                return Err(ApiError::invalid(
                    &format!("{prefix}.amountOfMoney.currencyCode"),
                    "cart lines must be in the order's currency",
                ));
            }
        }
        let unit_price = match (price, line_total) {
            (Some(p), _) => p,
            (None, Some(total)) if quantity > 0 && total % quantity == 0 => total / quantity,
            _ => {
                return Err(ApiError::invalid(
                    &format!("{prefix}.orderLineDetails.productPrice"),
                    "the product price is required",
                ))
            }
        };
        let text = |field: &str| {
            string(item, field).map_err(|_| {
                ApiError::invalid(
                    &format!("{prefix}.{field}"),
                    &format!("{field} must be a string without control characters other than tab and line ends"),
                )
            })
        };
        lines.push(CartLineInput {
            code: text("orderLineDetails.productCode")?.unwrap_or_default(),
            name: text("orderLineDetails.productName")?.unwrap_or_default(),
            unit_price,
            quantity_thousandths: quantity.saturating_mul(1000),
        });
    }
    Ok(lines)
}

/// The payer's locale asked for at `path` (`en_GB`, `fr-BE`, `es_419`): a language the
/// pages have and, when it looks like one (2 or 3 letters or digits), its region as
/// given; anything else after the language is dropped, so what is stored always fits
/// its column (8 characters). An unknown language gives `en_GB`.
pub(super) fn locale(v: &Value, path: &str) -> String {
    let asked = at(v, path)
        .and_then(Value::as_str)
        .unwrap_or("en_GB")
        .trim();
    let mut parts = asked.split(['_', '-']);
    let Some(lang) = parts.next().and_then(Lang::parse) else {
        return "en_GB".to_owned();
    };
    let region = parts
        .next()
        .map(str::trim)
        .filter(|r| (2..=3).contains(&r.len()) && r.bytes().all(|b| b.is_ascii_alphanumeric()));
    match region {
        Some(region) => format!("{}_{region}", lang.code()),
        None => lang.code().to_owned(),
    }
}

pub(super) fn parse_id(id: &str) -> Result<i64> {
    parse_public_id(id).ok_or_else(|| ApiError::not_found("payment"))
}

pub(super) fn initiator(caller: &Caller) -> Initiator {
    caller.initiator()
}

/// An optional return URL at `path`: where the payer's browser is sent back, so only an
/// absolute `http` or `https` URL with a host (never `javascript:`, `data:` or a path).
pub(super) fn return_url(v: &Value, path: &str) -> Result<Option<String>> {
    let Some(url) = string(v, path)? else {
        return Ok(None);
    };
    let lower = url.trim().to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"));
    let host = rest.map(|r| r.split(['/', '?', '#']).next().unwrap_or(""));
    match host {
        Some(h) if !h.is_empty() && !h.contains(char::is_whitespace) => Ok(Some(url)),
        _ => Err(ApiError::invalid(
            path,
            "the return URL must be an http(s) URL",
        )),
    }
}

/// The property of the customer's mobile number (SMS notifications, MB-15).
pub(super) const MOBILE: &str = "order.customer.contactDetails.mobilePhoneNumber";

/// The customer's mobile number, normalised to E.164; refused on [`MOBILE`] when it is
/// not `+` and 8–15 digits.
pub(super) fn mobile(v: &Value) -> Result<Option<String>> {
    match string(v, MOBILE)? {
        None => Ok(None),
        Some(typed) if typed.trim().is_empty() => Ok(None),
        Some(typed) => domain::sms::parse_e164(&typed).map(Some).ok_or_else(|| {
            ApiError::invalid(
                MOBILE,
                "mobilePhoneNumber must be an international number: + and 8 to 15 digits",
            )
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::locale;
    use serde_json::json;

    fn asked(l: &str) -> String {
        locale(&json!({ "locale": l }), "locale")
    }

    #[test]
    fn a_locale_keeps_a_known_language_and_a_region_that_looks_like_one() {
        assert_eq!(asked("fr_BE"), "fr_BE");
        assert_eq!(asked("en-GB"), "en_GB");
        assert_eq!(asked("es_419"), "es_419");
        assert_eq!(asked("nl"), "nl");
        assert_eq!(asked("fr_"), "fr");
        assert_eq!(asked("fr_FR     "), "fr_FR");
        assert_eq!(asked("de_DEUTSCHLAND"), "de");
        assert_eq!(asked("it_I T"), "it");
        assert_eq!(asked("xx_YY"), "en_GB");
        assert_eq!(asked(""), "en_GB");
        assert_eq!(locale(&json!({}), "locale"), "en_GB");
        for l in ["fr_FRANCE12", "de-AT-x-private", "es_ 419 ", "en_GB\u{0}"] {
            assert!(asked(l).len() <= 8, "{l:?} gave {:?}", asked(l));
        }
    }
}
