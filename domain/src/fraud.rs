//! Fraud detection (MB-19): a merchant's rules and the one pure function that screens a
//! payment with them before the acquirer is asked, for every channel.
//!
//! The server gathers the facts (the card's BIN and fingerprint, the payer's IP country,
//! recent attempts per card, e-mail and IP) and stores the verdict with the payment; the
//! back office's rule form checks what is typed with the same parsers.

use crate::card::CardNumber;
use crate::money::{Currency, Money};
use serde::{Deserialize, Serialize};

mod bins;
mod countries;

pub use bins::card_country;
pub use countries::is_country;

/// Most rules a merchant keeps: screening stays a bounded loop.
pub const MAX_RULES: usize = 200;
/// Longest velocity window, in minutes (30 days).
pub const MAX_WINDOW_MINUTES: u32 = 43_200;
/// Highest velocity limit.
pub const MAX_ATTEMPTS: u32 = 10_000;
/// Refusal code written on a payment a rule blocks (ISO 8583 59, suspected fraud).
pub const REFUSAL_CODE: &str = "59";

/// What a rule does when it matches.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Action {
    /// The payment is refused before the acquirer is asked.
    Block,
    /// The payment goes on, flagged for the merchant to review.
    Review,
}

impl Action {
    /// Stored code.
    pub fn code(self) -> &'static str {
        match self {
            Action::Block => "block",
            Action::Review => "review",
        }
    }

    /// From a stored code.
    pub fn parse(code: &str) -> Option<Action> {
        match code {
            "block" => Some(Action::Block),
            "review" => Some(Action::Review),
            _ => None,
        }
    }
}

/// What a velocity rule counts attempts by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Dimension {
    /// The same card number.
    Card,
    /// The same payer e-mail address.
    Email,
    /// The same payer IP address.
    Ip,
}

impl Dimension {
    /// Stored code.
    pub fn code(self) -> &'static str {
        match self {
            Dimension::Card => "card",
            Dimension::Email => "email",
            Dimension::Ip => "ip",
        }
    }
}

/// One rule.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Rule {
    /// Payments above this amount in its currency.
    MaxAmount(Money),
    /// Cards issued in this country (ISO 3166-1 alpha-2), from the BIN table.
    CardCountry(String),
    /// Payers whose IP address is in this country, from the IP-to-country database.
    IpCountry(String),
    /// Card numbers starting within this range of BINs (same number of digits, 6 to 8).
    BinRange {
        /// Lowest BIN.
        low: String,
        /// Highest BIN.
        high: String,
    },
    /// One card number, kept only as its keyed fingerprint; `masked` is shown.
    CardNumber {
        /// Keyed hash of the number.
        fingerprint: String,
        /// The number masked 6+4.
        masked: String,
    },
    /// More than `max` attempts by the same card, e-mail or IP in `window_minutes`.
    Velocity {
        /// What is counted.
        by: Dimension,
        /// Attempts allowed in the window (the one being screened included).
        max: u32,
        /// Sliding window, minutes.
        window_minutes: u32,
    },
}

impl Rule {
    /// Stored kind.
    pub fn kind(&self) -> &'static str {
        match self {
            Rule::MaxAmount(_) => "max_amount",
            Rule::CardCountry(_) => "card_country",
            Rule::IpCountry(_) => "ip_country",
            Rule::BinRange { .. } => "bin_range",
            Rule::CardNumber { .. } => "card_number",
            Rule::Velocity { by, .. } => match by {
                Dimension::Card => "velocity_card",
                Dimension::Email => "velocity_email",
                Dimension::Ip => "velocity_ip",
            },
        }
    }

    /// What the rule says, in English (kept on a blocked payment as its reason).
    pub fn describe(&self) -> String {
        match self {
            Rule::MaxAmount(limit) => format!("maximum amount {limit}"),
            Rule::CardCountry(c) => format!("card issued in {c}"),
            Rule::IpCountry(c) => format!("payer's IP address in {c}"),
            Rule::BinRange { low, high } if low == high => format!("BIN {low}"),
            Rule::BinRange { low, high } => format!("BIN range {low}–{high}"),
            Rule::CardNumber { masked, .. } => format!("blocked card {masked}"),
            Rule::Velocity {
                by,
                max,
                window_minutes,
            } => format!(
                "more than {max} attempts per {} in {window_minutes} min",
                match by {
                    Dimension::Card => "card",
                    Dimension::Email => "e-mail",
                    Dimension::Ip => "IP address",
                }
            ),
        }
    }
}

/// A stored rule with its action.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleEntry {
    /// Row id.
    pub id: i64,
    /// The rule.
    pub rule: Rule,
    /// Block or review.
    pub action: Action,
}

/// Why a rule's value is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum RuleError {
    /// Not a positive amount in the currency.
    #[error("enter a positive amount")]
    Amount,
    /// Unknown currency.
    #[error("unknown currency")]
    Currency,
    /// Not an ISO 3166-1 alpha-2 country code.
    #[error("enter a two-letter country code (ISO 3166-1), e.g. NL")]
    Country,
    /// Not a BIN range.
    #[error(
        "enter 6 to 8 digits, or two BINs of the same length joined by a dash, the lower first"
    )]
    BinRange,
    /// Not a valid card number.
    #[error("enter a valid card number")]
    CardNumber,
    /// Velocity limit out of bounds.
    #[error("enter a number of attempts from 1 to 10000")]
    Attempts,
    /// Window out of bounds.
    #[error("enter a window from 1 minute to 30 days (43200 minutes)")]
    Window,
}

/// A maximum amount, typed in major units (`1000`, `1000.50`) with its currency.
pub fn parse_max_amount(amount: &str, currency: &str) -> Result<Rule, RuleError> {
    let currency = Currency::parse(currency.trim()).ok_or(RuleError::Currency)?;
    let money = Money::parse_major(amount.trim(), currency).map_err(|_| RuleError::Amount)?;
    if money.minor() <= 0 {
        return Err(RuleError::Amount);
    }
    Ok(Rule::MaxAmount(money))
}

/// A country code as typed (any case, spaces around).
pub fn parse_country(typed: &str) -> Result<String, RuleError> {
    let code = typed.trim().to_ascii_uppercase();
    if is_country(&code) {
        Ok(code)
    } else {
        Err(RuleError::Country)
    }
}

/// A BIN or a range of BINs: `411111`, `411111-411119`, `40000000 - 40009999`.
pub fn parse_bin_range(typed: &str) -> Result<Rule, RuleError> {
    let bin = |s: &str| {
        let s = s.trim();
        ((6..=8).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.to_owned())
            .ok_or(RuleError::BinRange)
    };
    let (low, high) = match typed.split_once(['-', '–']) {
        Some((a, b)) => (bin(a)?, bin(b)?),
        None => {
            let one = bin(typed)?;
            (one.clone(), one)
        }
    };
    if low.len() != high.len() || low > high {
        return Err(RuleError::BinRange);
    }
    Ok(Rule::BinRange { low, high })
}

/// A velocity limit as typed.
pub fn parse_velocity(by: Dimension, max: &str, window_minutes: &str) -> Result<Rule, RuleError> {
    let max: u32 = max.trim().parse().map_err(|_| RuleError::Attempts)?;
    if !(1..=MAX_ATTEMPTS).contains(&max) {
        return Err(RuleError::Attempts);
    }
    let window_minutes: u32 = window_minutes
        .trim()
        .parse()
        .map_err(|_| RuleError::Window)?;
    if !(1..=MAX_WINDOW_MINUTES).contains(&window_minutes) {
        return Err(RuleError::Window);
    }
    Ok(Rule::Velocity {
        by,
        max,
        window_minutes,
    })
}

/// A card number to block, checked like any card (Luhn, brand, length).
pub fn parse_card_number(typed: &str) -> Result<CardNumber, RuleError> {
    CardNumber::parse(typed).map_err(|_| RuleError::CardNumber)
}

/// The payer's IP country as the server could tell.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum IpCountry {
    /// Found in the database.
    Known(String),
    /// The database has no country for this address, or there is no address.
    Unknown,
    /// No IP-to-country database is configured: IP-country rules cannot be checked.
    Unavailable,
}

/// The card as screening sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CardFacts {
    /// The first 8 digits (fewer for shorter numbers).
    pub bin: String,
    /// Keyed hash of the whole number.
    pub fingerprint: String,
}

impl CardFacts {
    /// From a checked card number and its fingerprint.
    pub fn new(card: &CardNumber, fingerprint: String) -> CardFacts {
        CardFacts {
            bin: card.expose_digits().chars().take(8).collect(),
            fingerprint,
        }
    }
}

/// What a payment brings to screening.
#[derive(Clone, Debug)]
pub struct Facts {
    /// Amount and currency.
    pub amount: Money,
    /// The card, when known before the acquirer is asked (not for terminals).
    pub card: Option<CardFacts>,
    /// The payer's IP country.
    pub ip_country: IpCountry,
    /// Earlier attempts (before this one) per velocity rule id, counted by the server in
    /// that rule's window; a rule missing here has nothing to count (no e-mail, no IP).
    pub recent: Vec<(i64, u32)>,
}

/// A rule that matched.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hit {
    /// The rule's id.
    pub rule_id: i64,
    /// Its action.
    pub action: Action,
    /// What it says.
    pub reason: String,
}

/// The verdict, as Direct's `fraudResults.fraudServiceResult` names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum FraudResult {
    /// No rule matched.
    Accepted,
    /// Only review rules matched: the payment goes on, flagged.
    Challenged,
    /// A block rule matched: refused.
    Denied,
}

impl FraudResult {
    /// Direct's word, also stored.
    pub fn code(self) -> &'static str {
        match self {
            FraudResult::Accepted => "accepted",
            FraudResult::Challenged => "challenged",
            FraudResult::Denied => "denied",
        }
    }

    /// From the stored word; anything else (payments from before screening) is accepted.
    pub fn parse(code: Option<&str>) -> FraudResult {
        match code {
            Some("denied") => FraudResult::Denied,
            Some("challenged") => FraudResult::Challenged,
            _ => FraudResult::Accepted,
        }
    }
}

/// What screening decided.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verdict {
    /// The rules that matched, block rules first.
    pub hits: Vec<Hit>,
    /// Rules that could not be checked (IP country without a database).
    pub unchecked: Vec<i64>,
}

impl Verdict {
    /// Denied when a block rule matched, challenged when only review rules did.
    pub fn result(&self) -> FraudResult {
        if self.hits.iter().any(|h| h.action == Action::Block) {
            FraudResult::Denied
        } else if self.hits.is_empty() {
            FraudResult::Accepted
        } else {
            FraudResult::Challenged
        }
    }

    /// The reason kept with the payment: the matching rules, block rules first.
    pub fn reason(&self) -> Option<String> {
        (!self.hits.is_empty()).then(|| {
            self.hits
                .iter()
                .map(|h| h.reason.as_str())
                .collect::<Vec<_>>()
                .join("; ")
        })
    }
}

/// Whether one rule matches the facts; `None` when it cannot be checked.
fn matches(entry: &RuleEntry, facts: &Facts) -> Option<bool> {
    Some(match &entry.rule {
        Rule::MaxAmount(limit) => {
            limit.currency() == facts.amount.currency() && facts.amount.minor() > limit.minor()
        }
        Rule::CardCountry(country) => facts
            .card
            .as_ref()
            .and_then(|c| card_country(&c.bin))
            .is_some_and(|c| c == country),
        Rule::IpCountry(country) => match &facts.ip_country {
            IpCountry::Known(c) => c == country,
            IpCountry::Unknown => false,
            IpCountry::Unavailable => return None,
        },
        Rule::BinRange { low, high } => facts.card.as_ref().is_some_and(|c| {
            let prefix: String = c.bin.chars().take(low.len()).collect();
            prefix.len() == low.len() && low <= &prefix && &prefix <= high
        }),
        Rule::CardNumber { fingerprint, .. } => facts
            .card
            .as_ref()
            .is_some_and(|c| &c.fingerprint == fingerprint),
        Rule::Velocity { max, .. } => facts
            .recent
            .iter()
            .find(|(id, _)| *id == entry.id)
            .is_some_and(|(_, earlier)| earlier.saturating_add(1) > *max),
    })
}

/// Screens a payment: every rule (at most [`MAX_RULES`]) is checked; the verdict lists
/// the ones that matched, block rules first.
pub fn screen(rules: &[RuleEntry], facts: &Facts) -> Verdict {
    let mut verdict = Verdict::default();
    for entry in rules.iter().take(MAX_RULES) {
        match matches(entry, facts) {
            Some(true) => verdict.hits.push(Hit {
                rule_id: entry.id,
                action: entry.action,
                reason: entry.rule.describe(),
            }),
            Some(false) => {}
            None => verdict.unchecked.push(entry.id),
        }
    }
    verdict.hits.sort_by_key(|h| h.action != Action::Block);
    verdict
}

#[cfg(test)]
mod tests;
