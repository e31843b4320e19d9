//! Screening a payment with the merchant's fraud rules, before the acquirer is asked.

use crate::entities::payment;
use crate::platform::config::Config;
use chrono::{Duration, Utc};
use domain::card::CardNumber;
use domain::fraud::{self, CardFacts, Dimension, Facts, FraudResult, Rule, RuleEntry, Verdict};
use domain::money::Money;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, Set};

/// Keyed fingerprint of a card number: velocity per card and blocked cards compare it,
/// and no one can recover the number from it without the data key.
pub fn fingerprint(data_key: &[u8], card: &CardNumber) -> String {
    crate::platform::crypto::hmac_sha256_base64(
        data_key,
        format!("card-fingerprint:{}", card.expose_digits()).as_bytes(),
    )
}

/// What screening found for one payment attempt.
#[derive(Clone, Debug)]
pub struct Screening {
    /// The rules that matched.
    pub verdict: Verdict,
    /// The card's fingerprint, when a card was screened.
    pub fingerprint: Option<String>,
    /// The payer's IP country as found.
    pub ip_country: fraud::IpCountry,
    /// What the rules that could not be checked say (the test box lists them).
    pub unchecked: Vec<String>,
}

impl Screening {
    /// Accepted, challenged or denied.
    pub fn result(&self) -> FraudResult {
        self.verdict.result()
    }

    /// Writes the verdict and the fingerprint on the payment.
    pub fn stamp(&self, row: &mut payment::ActiveModel) {
        row.fraud_result = Set(Some(self.result().code().to_owned()));
        row.fraud_rule = Set(self.verdict.reason().map(|r| r.chars().take(500).collect()));
        if self.fingerprint.is_some() {
            row.card_fingerprint = Set(self.fingerprint.clone());
        }
    }

    /// Writes the verdict on a payment that was already decided elsewhere (a terminal
    /// authorises before the card is known here): a matching rule flags it for review,
    /// whatever its action.
    pub fn stamp_after_the_fact(&self, row: &mut payment::ActiveModel) {
        self.stamp(row);
        if self.result() == FraudResult::Denied {
            row.fraud_result = Set(Some(FraudResult::Challenged.code().to_owned()));
        }
    }

    /// Why the payment is refused, when a block rule matched: kept as its refusal
    /// reason, with the refusal code [`fraud::REFUSAL_CODE`].
    pub fn refusal_reason(&self) -> Option<String> {
        (self.result() == FraudResult::Denied).then(|| {
            format!(
                "Blocked by fraud rule: {}",
                self.verdict.reason().unwrap_or_default()
            )
            .chars()
            .take(250)
            .collect()
        })
    }
}

/// What is known of a payment attempt before the acquirer is asked.
pub struct Attempt<'a> {
    /// The merchant.
    pub merchant_id: i64,
    /// Amount and currency.
    pub amount: Money,
    /// The card, unless a terminal reads it later.
    pub card: Option<&'a CardNumber>,
    /// The payer's e-mail.
    pub email: Option<&'a str>,
    /// The payer's IP address.
    pub ip: Option<&'a str>,
    /// Without the card, its first digits as a terminal reports them (masked 6+4): the
    /// BIN rules can still be checked.
    pub bin: Option<&'a str>,
}

/// Screens an attempt with the merchant's rules: counts the earlier attempts each
/// velocity rule asks for (one indexed count per rule, at most `MAX_RULES`), looks the
/// payer's IP up, and asks `domain::fraud::screen`.
pub async fn screen<C: ConnectionTrait>(
    db: &C,
    config: &Config,
    attempt: Attempt<'_>,
) -> Result<Screening, DbErr> {
    let rules = super::rules::load(db, attempt.merchant_id).await?;
    screen_with(db, config, &rules, attempt).await
}

/// [`screen`] with the merchant's `rules` already read (the engine keeps them between
/// payments, `platform::settings_cache`).
pub async fn screen_with<C: ConnectionTrait>(
    db: &C,
    config: &Config,
    rules: &[RuleEntry],
    attempt: Attempt<'_>,
) -> Result<Screening, DbErr> {
    let fingerprint = attempt.card.map(|c| fingerprint(&config.data_key, c));
    let ip_country = crate::platform::geoip::country(config.geoip.as_deref(), attempt.ip);
    let mut recent = Vec::new();
    for entry in rules {
        let Rule::Velocity {
            by, window_minutes, ..
        } = &entry.rule
        else {
            continue;
        };
        let (column, value) = match by {
            Dimension::Card => (payment::Column::CardFingerprint, fingerprint.as_deref()),
            Dimension::Email => (payment::Column::CustomerEmail, attempt.email),
            Dimension::Ip => (payment::Column::CustomerIp, attempt.ip),
        };
        let Some(value) = value.filter(|v| !v.trim().is_empty()) else {
            continue;
        };
        let since = Utc::now() - Duration::minutes(i64::from(*window_minutes));
        let earlier = payment::Entity::find()
            .filter(payment::Column::MerchantId.eq(attempt.merchant_id))
            .filter(column.eq(value))
            .filter(payment::Column::CreatedAt.gte(since))
            .count(db)
            .await?;
        recent.push((entry.id, u32::try_from(earlier).unwrap_or(u32::MAX)));
    }
    let facts = Facts {
        amount: attempt.amount,
        card: match (attempt.card, &fingerprint, attempt.bin) {
            (Some(c), Some(f), _) => Some(CardFacts::new(c, f.clone())),
            // Only the BIN: no fingerprint, so no card-number or per-card rule matches.
            (None, _, Some(bin)) => Some(CardFacts {
                bin: bin.to_owned(),
                fingerprint: String::new(),
            }),
            _ => None,
        },
        ip_country: ip_country.clone(),
        recent,
    };
    let verdict = fraud::screen(rules, &facts);
    let unchecked = verdict
        .unchecked
        .iter()
        .filter_map(|id| rules.iter().find(|r| r.id == *id))
        .map(|r| r.rule.describe())
        .collect();
    Ok(Screening {
        verdict,
        fingerprint,
        ip_country,
        unchecked,
    })
}
