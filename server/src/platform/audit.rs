//! Writes audit rows, inside the caller's transaction when there is one.

use crate::entities::{audit_log, merchant, user};
use crate::platform::db::BeginWrite;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, Set,
};

/// One audit row.
pub struct AuditEntry<'a> {
    /// Merchant concerned, when known.
    pub merchant_id: Option<i64>,
    /// Acting user, when known.
    pub user_id: Option<i64>,
    /// Login or description of who acted.
    pub actor: &'a str,
    /// Dotted action name, e.g. `login.failure`.
    pub action: &'a str,
    /// Free text; never a secret.
    pub detail: String,
    /// Client address.
    pub ip: &'a str,
}

/// The detail of a change: `field: before → after` for each field whose value changed,
/// in the order given, joined by `; `; empty when nothing changed. Values are shown as
/// given (never pass a secret), an empty one as `""`.
pub fn changes(pairs: &[(&str, String, String)]) -> String {
    let shown = |v: &str| {
        if v.is_empty() {
            "\"\"".to_owned()
        } else {
            v.to_owned()
        }
    };
    pairs
        .iter()
        .filter(|(_, before, after)| before != after)
        .map(|(field, before, after)| format!("{field}: {} → {}", shown(before), shown(after)))
        .collect::<Vec<_>>()
        .join("; ")
}

/// Inserts `entry` through `conn`.
pub async fn record<C: ConnectionTrait>(conn: &C, entry: AuditEntry<'_>) -> Result<(), DbErr> {
    // Written, never read back: no `RETURNING` of the row.
    audit_log::Entity::insert(audit_log::ActiveModel {
        merchant_id: Set(entry.merchant_id),
        user_id: Set(entry.user_id),
        actor: Set(entry.actor.to_owned()),
        action: Set(entry.action.to_owned()),
        detail: Set(entry.detail),
        ip: Set(entry.ip.chars().take(64).collect()),
        created_at: Set(Utc::now()),
        ..Default::default()
    })
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

/// The row [`record`] writes, as `INSERT … SELECT … FROM source` for a statement that
/// writes it together with the row it names (PostgreSQL): its detail is `entry.detail`
/// followed by the SQL expression `detail_sql`, read from `source`, then
/// `detail_after`. Its values are numbered from `$first`; the text and the values to
/// append to the statement's are given back.
pub fn insert_from(
    entry: &AuditEntry<'_>,
    source: &str,
    (detail_sql, detail_after): (&str, &str),
    first: usize,
) -> (String, Vec<sea_orm::Value>) {
    let n = |i: usize| format!("${}", first + i);
    let sql = format!(
        "INSERT INTO audit_log (merchant_id, user_id, actor, action, detail, ip, created_at) \
         SELECT {}, {}, {}, {}, {} || ({detail_sql}) || {}, {}, {} FROM {source}",
        n(0),
        n(1),
        n(2),
        n(3),
        n(4),
        n(5),
        n(6),
        n(7),
    );
    let values = vec![
        entry.merchant_id.into(),
        entry.user_id.into(),
        entry.actor.to_owned().into(),
        entry.action.to_owned().into(),
        entry.detail.clone().into(),
        detail_after.to_owned().into(),
        entry.ip.chars().take(64).collect::<String>().into(),
        Utc::now().into(),
    ];
    (sql, values)
}

/// Serialises a merchant's concurrent requests inside `txn`: a write to its row that
/// changes nothing, so the next request of that merchant waits here (SQLite's writer
/// lock, PostgreSQL's row lock) until this transaction ends. Caps counted after it hold.
pub async fn lock_merchant<C: ConnectionTrait>(txn: &C, merchant_id: i64) -> Result<(), DbErr> {
    merchant::Entity::update_many()
        .col_expr(
            merchant::Column::RetryCount,
            Expr::col(merchant::Column::RetryCount),
        )
        .filter(merchant::Column::Id.eq(merchant_id))
        .exec(txn)
        .await?;
    Ok(())
}

/// Whose attempts an hourly allowance counts.
#[derive(Clone, Copy, Debug)]
pub enum AttemptsOf {
    /// One user's (a password change).
    User(i64),
    /// One merchant's, whoever made them (an API key deletion).
    Merchant(i64),
}

/// Takes one attempt of `entry.action` when fewer than `limit` were taken since `since`:
/// the attempt's audit row is committed before the caller checks anything, and the
/// owner's row is written first, so parallel requests count each other and every server
/// process sees the same count. `false` when the allowance is used up.
pub async fn take_attempt(
    db: &DatabaseConnection,
    of: AttemptsOf,
    limit: u64,
    since: DateTime<Utc>,
    entry: AuditEntry<'_>,
) -> Result<bool, DbErr> {
    let txn = db.begin_write().await?;
    let mut recent = audit_log::Entity::find()
        .filter(audit_log::Column::Action.eq(entry.action))
        .filter(audit_log::Column::CreatedAt.gt(since));
    match of {
        AttemptsOf::User(id) => {
            user::Entity::update_many()
                .col_expr(
                    user::Column::SessionEpoch,
                    Expr::col(user::Column::SessionEpoch),
                )
                .filter(user::Column::Id.eq(id))
                .exec(&txn)
                .await?;
            recent = recent.filter(audit_log::Column::UserId.eq(id));
        }
        AttemptsOf::Merchant(id) => {
            lock_merchant(&txn, id).await?;
            recent = recent.filter(audit_log::Column::MerchantId.eq(id));
        }
    }
    if recent.count(&txn).await? >= limit {
        txn.rollback().await?;
        return Ok(false);
    }
    record(&txn, entry).await?;
    txn.commit().await?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::changes;

    #[test]
    fn changes_lists_only_what_changed_in_order() {
        let detail = changes(&[
            ("role", "OPERATOR".into(), "ADMIN".into()),
            ("full_name", "Ann".into(), "Ann".into()),
            ("email", String::new(), "ann@shop.example".into()),
        ]);
        assert_eq!(
            detail,
            "role: OPERATOR → ADMIN; email: \"\" → ann@shop.example"
        );
        assert_eq!(changes(&[("may_refund", "true".into(), "true".into())]), "");
    }
}
