//! A merchant's stored fraud rules, read as `domain::fraud` rules.

use crate::entities::fraud_rule;
use domain::fraud::{Action, Dimension, Rule, RuleEntry, MAX_RULES};
use domain::money::{Currency, Money};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};

/// The rule a stored row means; `None` for a row no rule reads (never written so).
pub fn entry(row: &fraud_rule::Model) -> Option<RuleEntry> {
    let velocity = |by| {
        Some(Rule::Velocity {
            by,
            max: u32::try_from(row.max_attempts?).ok()?,
            window_minutes: u32::try_from(row.window_minutes?).ok()?,
        })
    };
    let rule = match row.kind.as_str() {
        "max_amount" => Rule::MaxAmount(
            Money::new(row.amount?, Currency::parse(row.currency.as_deref()?)?).ok()?,
        ),
        "card_country" => Rule::CardCountry(row.value.clone()),
        "ip_country" => Rule::IpCountry(row.value.clone()),
        "bin_range" => Rule::BinRange {
            low: row.value.clone(),
            high: row.value_high.clone(),
        },
        "card_number" => Rule::CardNumber {
            fingerprint: row.value.clone(),
            masked: row.shown.clone(),
        },
        "velocity_card" => velocity(Dimension::Card)?,
        "velocity_email" => velocity(Dimension::Email)?,
        "velocity_ip" => velocity(Dimension::Ip)?,
        _ => return None,
    };
    Some(RuleEntry {
        id: row.id,
        rule,
        action: Action::parse(&row.action)?,
    })
}

/// Writes `rule` into a row's columns: the inverse of [`entry`].
pub fn write(rule: &Rule, row: &mut fraud_rule::ActiveModel) {
    row.kind = Set(rule.kind().to_owned());
    match rule {
        Rule::MaxAmount(limit) => {
            row.currency = Set(Some(limit.currency().code().to_owned()));
            row.amount = Set(Some(limit.minor()));
        }
        Rule::CardCountry(c) | Rule::IpCountry(c) => row.value = Set(c.clone()),
        Rule::BinRange { low, high } => {
            row.value = Set(low.clone());
            row.value_high = Set(high.clone());
        }
        Rule::CardNumber {
            fingerprint,
            masked,
        } => {
            row.value = Set(fingerprint.clone());
            row.shown = Set(masked.clone());
        }
        Rule::Velocity {
            max,
            window_minutes,
            ..
        } => {
            row.max_attempts = Set(i32::try_from(*max).ok());
            row.window_minutes = Set(i32::try_from(*window_minutes).ok());
        }
    }
}

/// The merchant's rows, oldest first, at most [`MAX_RULES`].
pub async fn rows<C: ConnectionTrait>(
    db: &C,
    merchant_id: i64,
) -> Result<Vec<fraud_rule::Model>, DbErr> {
    fraud_rule::Entity::find()
        .filter(fraud_rule::Column::MerchantId.eq(merchant_id))
        .order_by_asc(fraud_rule::Column::Id)
        .limit(MAX_RULES as u64)
        .all(db)
        .await
}

/// The merchant's rules.
pub async fn load<C: ConnectionTrait>(db: &C, merchant_id: i64) -> Result<Vec<RuleEntry>, DbErr> {
    Ok(rows(db, merchant_id)
        .await?
        .iter()
        .filter_map(entry)
        .collect())
}
