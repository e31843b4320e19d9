//! The 7-day close: a resolved request the reporter neither reopens nor closes closes
//! by itself after [`AUTO_CLOSE_DAYS`](domain::ticket::AUTO_CLOSE_DAYS) days. Resolving
//! schedules the job; the worker runs [`auto_close`], which leaves a ticket alone if it
//! was reopened since.

use super::notifications;
use crate::entities::{support_comment, support_ticket};
use crate::platform::config::Config;
use crate::platform::db::BeginWrite;
use crate::platform::jobs;
use chrono::{DateTime, Utc};
use domain::ticket::{self, TicketAction, TicketRole, TicketStatus};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait,
    QueryFilter, Set,
};

/// Schedules, inside the resolution's transaction, the close of ticket `id` resolved at
/// `resolved_at`.
pub(super) async fn schedule<C: ConnectionTrait>(
    txn: &C,
    id: i64,
    resolved_at: DateTime<Utc>,
) -> Result<(), DbErr> {
    jobs::enqueue(
        txn,
        None,
        jobs::kind::CLOSE_TICKET,
        serde_json::json!({ "ticket": id, "resolved_at": resolved_at.timestamp() }),
        resolved_at + chrono::Duration::days(ticket::AUTO_CLOSE_DAYS),
        5,
    )
    .await
    .map(|_| ())
}

/// The auto-close job: closes ticket `id` if it is still the resolution of `resolved_at`
/// (a reopened, then resolved again ticket has a later date and its own job). Returns
/// whether it closed it.
pub async fn auto_close(
    db: &DatabaseConnection,
    config: &Config,
    id: i64,
    resolved_at: i64,
) -> Result<bool, DbErr> {
    let Some(t) = support_ticket::Entity::find_by_id(id).one(db).await? else {
        return Ok(false);
    };
    let due = t.status == TicketStatus::Resolved.code()
        && t.resolved_at
            .is_some_and(|at| at.timestamp() == resolved_at);
    let to = ticket::transition(
        TicketStatus::Resolved,
        TicketAction::Close,
        TicketRole::System,
    );
    let (true, Ok(to)) = (due, to) else {
        return Ok(false);
    };
    let now = Utc::now();
    let txn = db.begin_write().await?;
    let changed = support_ticket::Entity::update_many()
        .col_expr(support_ticket::Column::Status, Expr::value(to.code()))
        .col_expr(support_ticket::Column::UpdatedAt, Expr::value(now))
        .filter(support_ticket::Column::Id.eq(t.id))
        .filter(support_ticket::Column::Status.eq(TicketStatus::Resolved.code()))
        .exec(&txn)
        .await?;
    if changed.rows_affected != 1 {
        return Ok(false);
    }
    support_comment::ActiveModel {
        ticket_id: Set(t.id),
        author_id: Set(None),
        body: Set(String::new()),
        internal: Set(false),
        event: Set(to.code().to_owned()),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    notifications::closed_after_resolution(db, &config.public_url, &t).await?;
    Ok(true)
}
