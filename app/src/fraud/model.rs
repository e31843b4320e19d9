//! What the Fraud detection page shows and sends, and the checks of a new rule that run
//! as typed (WebAssembly) and again on the server — all through `domain::fraud`.

use crate::error::{FieldError, Problem};
use domain::fraud::{self, Dimension, Rule};
use serde::{Deserialize, Serialize};

/// The kinds of rule, in the order the form offers them.
pub const KINDS: [&str; 8] = [
    "max_amount",
    "card_country",
    "ip_country",
    "bin_range",
    "card_number",
    "velocity_card",
    "velocity_email",
    "velocity_ip",
];

/// A rule as the list shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FraudRuleRow {
    /// Row id.
    pub id: i64,
    /// One of [`KINDS`].
    pub kind: String,
    /// What it matches, e.g. `maximum amount 1000.00 EUR`.
    pub description: String,
    /// `block` or `review`.
    pub action: String,
    /// Created, in the viewer's zone.
    pub created: String,
    /// Who created it.
    pub created_by: String,
    /// An IP-country rule while no IP-to-country database is configured.
    pub unavailable: bool,
}

/// The page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FraudPage {
    /// The rules, oldest first.
    pub rules: Vec<FraudRuleRow>,
    /// Whether an IP-to-country database is configured.
    pub ip_database: bool,
    /// The viewer's zone label.
    pub zone: String,
}

/// A new rule as typed; only the fields of its kind are read.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewRuleForm {
    /// One of [`KINDS`].
    pub kind: String,
    /// `block` or `review`.
    pub action: String,
    /// Maximum amount, major units.
    pub amount: String,
    /// Its currency.
    pub currency: String,
    /// Country code.
    pub country: String,
    /// A BIN or a range `low-high`.
    pub bins: String,
    /// A card number to block (kept only as a fingerprint).
    pub card_number: String,
    /// Velocity: attempts allowed.
    pub attempts: String,
    /// Velocity: window in minutes.
    pub window_minutes: String,
}

/// A rule read from the form; a card number stays a number until the server
/// fingerprints it.
#[derive(Clone, Debug)]
pub enum TypedRule {
    /// Any rule but a blocked card.
    Rule(Rule),
    /// A card to block.
    Card(domain::card::CardNumber),
}

/// The rule `form` describes, or its problems next to their fields.
pub fn read_rule(form: &NewRuleForm) -> Result<(TypedRule, fraud::Action), Vec<FieldError>> {
    let bad =
        |field: &str, e: fraud::RuleError| vec![FieldError::new(field, Problem::FraudRule(e))];
    let action = fraud::Action::parse(&form.action)
        .ok_or_else(|| vec![FieldError::new("action", Problem::Required)])?;
    let velocity = |by| {
        fraud::parse_velocity(by, &form.attempts, &form.window_minutes).map_err(|e| {
            let field = if e == fraud::RuleError::Window {
                "window_minutes"
            } else {
                "attempts"
            };
            bad(field, e)
        })
    };
    let rule = match form.kind.as_str() {
        "max_amount" => {
            fraud::parse_max_amount(&form.amount, &form.currency).map_err(|e| match e {
                fraud::RuleError::Currency => bad("currency", e),
                _ => bad("amount", e),
            })?
        }
        "card_country" => {
            Rule::CardCountry(fraud::parse_country(&form.country).map_err(|e| bad("country", e))?)
        }
        "ip_country" => {
            Rule::IpCountry(fraud::parse_country(&form.country).map_err(|e| bad("country", e))?)
        }
        "bin_range" => fraud::parse_bin_range(&form.bins).map_err(|e| bad("bins", e))?,
        "card_number" => {
            let card =
                fraud::parse_card_number(&form.card_number).map_err(|e| bad("card_number", e))?;
            return Ok((TypedRule::Card(card), action));
        }
        "velocity_card" => velocity(Dimension::Card)?,
        "velocity_email" => velocity(Dimension::Email)?,
        "velocity_ip" => velocity(Dimension::Ip)?,
        _ => return Err(vec![FieldError::new("kind", Problem::Required)]),
    };
    Ok((TypedRule::Rule(rule), action))
}

/// Values to screen without paying.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TestForm {
    /// Amount, major units.
    pub amount: String,
    /// Currency.
    pub currency: String,
    /// Card number (optional).
    pub card_number: String,
    /// Payer's e-mail (optional).
    pub email: String,
    /// Payer's IP address (optional).
    pub ip: String,
}

/// What screening the test values found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TestResult {
    /// `accepted`, `challenged` or `denied`.
    pub result: String,
    /// The matching rules: (action, what it says).
    pub hits: Vec<(String, String)>,
    /// Rules that could not be checked.
    pub unchecked: Vec<String>,
    /// The card's issuing country, when the BIN table knows it.
    pub card_country: Option<String>,
    /// The IP's country, when known.
    pub ip_country: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(kind: &str) -> NewRuleForm {
        NewRuleForm {
            kind: kind.into(),
            action: "block".into(),
            ..NewRuleForm::default()
        }
    }

    #[test]
    fn each_kind_names_its_bad_field() {
        let field = |f: NewRuleForm| read_rule(&f).unwrap_err()[0].field.clone();
        assert_eq!(field(form("max_amount")), "currency");
        assert_eq!(
            field(NewRuleForm {
                currency: "EUR".into(),
                amount: "0".into(),
                ..form("max_amount")
            }),
            "amount"
        );
        assert_eq!(field(form("card_country")), "country");
        assert_eq!(field(form("bin_range")), "bins");
        assert_eq!(field(form("card_number")), "card_number");
        assert_eq!(field(form("velocity_ip")), "attempts");
        assert_eq!(
            field(NewRuleForm {
                attempts: "3".into(),
                window_minutes: "0".into(),
                ..form("velocity_ip")
            }),
            "window_minutes"
        );
        assert_eq!(
            field(NewRuleForm {
                action: "x".into(),
                ..form("bin_range")
            }),
            "action"
        );
        assert_eq!(field(form("nonsense")), "kind");
    }

    #[test]
    fn a_good_form_gives_its_rule() {
        let (rule, action) = read_rule(&NewRuleForm {
            amount: "1000".into(),
            currency: "eur".into(),
            action: "review".into(),
            ..form("max_amount")
        })
        .unwrap();
        assert_eq!(action, fraud::Action::Review);
        assert!(matches!(rule, TypedRule::Rule(Rule::MaxAmount(m)) if m.minor() == 100_000));
    }
}
