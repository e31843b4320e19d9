//! The audit log: the Admins' page over `audit_log` (`AuditPort`), its CSV
//! download and the daily purge of entries older than 12 months. The rows themselves are
//! written by `platform::audit`, inside each change's transaction.

pub mod export;
pub mod purge;

use crate::account::service::{internal, zone_of};
use crate::entities::{audit_log, merchant, user};
use app::account::Actor;
use app::audit::{family, family_of, AuditFilter, AuditPage, AuditPort, AuditRow};
use app::error::{AppError, FieldError, Problem};
use domain::ZonePreference;
use sea_orm::sea_query::{Expr, Func, LikeExpr};
use sea_orm::{
    ColumnTrait, Condition, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Select,
};

/// Longest text searched in the details.
const MAX_TEXT: usize = 200;

/// The port's implementation.
pub struct AuditService {
    db: DatabaseConnection,
}

impl AuditService {
    /// Over `db`.
    pub fn new(db: DatabaseConnection) -> Self {
        AuditService { db }
    }
}

/// The actor's merchant and user, re-read, when the user is an Admin now.
pub(crate) async fn admin(
    db: &DatabaseConnection,
    actor: &Actor,
) -> Result<(merchant::Model, user::Model), AppError> {
    crate::account::service::load_admin(db, actor).await
}

/// `value` as a LIKE pattern matching itself, `\` escaping `%`, `_` and `\`.
fn literal(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The merchant's entries matching `f`, newest first; never another merchant's, nor
/// the platform's (no merchant).
pub async fn filtered(
    db: &DatabaseConnection,
    merchant_id: i64,
    zone: &ZonePreference,
    f: &AuditFilter,
) -> Result<Select<audit_log::Entity>, AppError> {
    use audit_log::Column as C;
    use sea_orm::sea_query::ExprTrait;
    let mut problems = Vec::new();
    let mut query = audit_log::Entity::find().filter(C::MerchantId.eq(merchant_id));
    for (name, raw, end) in [("from", &f.from, false), ("to", &f.to, true)] {
        if raw.trim().is_empty() {
            continue;
        }
        match zone.start_of_day(raw) {
            Some(t) if end => query = query.filter(C::CreatedAt.lt(t + chrono::Duration::days(1))),
            Some(t) => query = query.filter(C::CreatedAt.gte(t)),
            None => problems.push(FieldError::new(name, Problem::InvalidDate)),
        }
    }
    if !f.user.trim().is_empty() {
        let login = f.user.trim().to_lowercase();
        let who = user::Entity::find()
            .filter(user::Column::MerchantId.eq(merchant_id))
            .filter(user::Column::Login.eq(login.as_str()))
            .one(db)
            .await
            .map_err(internal)?;
        match who {
            Some(u) => {
                query = query.filter(
                    Condition::any().add(C::UserId.eq(u.id)).add(
                        Condition::all()
                            .add(C::UserId.is_null())
                            .add(C::Actor.eq(u.login)),
                    ),
                )
            }
            None => problems.push(FieldError::new("user", Problem::InvalidIdentifier)),
        }
    }
    if !f.family.is_empty() {
        match family(&f.family) {
            Some(fam) => {
                let mut any = Condition::any();
                for prefix in fam.prefixes {
                    let pattern = LikeExpr::new(format!("{}%", literal(prefix))).escape('\\');
                    any = any.add(Expr::col(C::Action).like(pattern));
                }
                for exact in fam.exact {
                    any = any.add(C::Action.eq(*exact));
                }
                query = query.filter(any);
            }
            None => problems.push(FieldError::new("family", Problem::OutOfRange)),
        }
    }
    let text = f.text.trim();
    if text.chars().count() > MAX_TEXT {
        problems.push(FieldError::new("text", Problem::TooLong));
    } else if !text.is_empty() {
        let pattern = LikeExpr::new(format!("%{}%", literal(&text.to_lowercase()))).escape('\\');
        query = query.filter(Expr::expr(Func::lower(Expr::col(C::Detail))).like(pattern));
    }
    if !problems.is_empty() {
        return Err(AppError::Invalid(problems));
    }
    Ok(query
        .order_by(C::CreatedAt, sea_orm::Order::Desc)
        .order_by(C::Id, sea_orm::Order::Desc))
}

/// One entry as the page and the download show it.
pub fn row(entry: audit_log::Model, zone: &ZonePreference) -> AuditRow {
    AuditRow {
        date: zone.format(entry.created_at),
        family: family_of(&entry.action).map(|f| f.key.to_owned()),
        actor: entry.actor,
        ip: entry.ip,
        action: entry.action,
        detail: entry.detail,
    }
}

#[async_trait::async_trait]
impl AuditPort for AuditService {
    async fn audit_log(&self, actor: &Actor, f: AuditFilter) -> Result<AuditPage, AppError> {
        let (m, u) = admin(&self.db, actor).await?;
        let zone = zone_of(&u);
        let size = u64::from(f.page_size());
        let paginator = filtered(&self.db, m.id, &zone, &f)
            .await?
            .paginate(&self.db, size);
        let total = paginator.num_items().await.map_err(internal)?;
        let pages = u32::try_from(total.div_ceil(size).max(1)).unwrap_or(u32::MAX);
        let page = f.page.clamp(1, pages);
        let rows = paginator
            .fetch_page(u64::from(page - 1))
            .await
            .map_err(internal)?
            .into_iter()
            .map(|e| row(e, &zone))
            .collect();
        let users = user::Entity::find()
            .filter(user::Column::MerchantId.eq(m.id))
            .order_by_asc(user::Column::Login)
            .all(&self.db)
            .await
            .map_err(internal)?
            .into_iter()
            .map(|u| u.login)
            .collect();
        Ok(AuditPage {
            rows,
            total,
            page,
            pages,
            zone: zone.zone.clone(),
            users,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::literal;

    #[test]
    fn like_patterns_match_the_text_itself() {
        assert_eq!(literal("api_key."), "api\\_key.");
        assert_eq!(literal("100% \\ off"), "100\\% \\\\ off");
    }
}
