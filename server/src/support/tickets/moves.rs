//! Status moves (SP-7): start, back to the backlog, request information, resolve,
//! cancel, reopen, close — each checked against the domain's status machine for the
//! viewer's role, applied only if the status did not change meanwhile, recorded in the
//! history and told by e-mail.

use super::visibility::role;
use super::{close_job, notifications, status_of, SupportTicketService};
use crate::account::service::internal;
use crate::entities::{support_comment, support_ticket};
use crate::platform::db::BeginWrite;
use app::error::{AppError, Problem};
use app::support::accounts::SupportActor;
use app::support::tickets::TicketDetail;
use chrono::Utc;
use domain::ticket::{self, TicketAction, TicketStatus};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};

impl SupportTicketService {
    /// `viewer` moves the ticket's status by `action`, if their role allows it from the
    /// current status. Resolving schedules the 7-day close; the customers hear of it.
    pub(super) async fn move_status(
        &self,
        actor: &SupportActor,
        reference: &str,
        action: TicketAction,
    ) -> Result<TicketDetail, AppError> {
        let (viewer, orgs) = self.viewer(actor).await?;
        let t = self.ticket(&viewer, &orgs, reference).await?;
        // Answering an information request is commenting, not a move of its own.
        if action.by_comment() {
            return Err(AppError::field("action", Problem::OutOfRange));
        }
        let from = status_of(&t);
        let to = ticket::transition(from, action, role(&viewer, &t)).map_err(|e| match e {
            ticket::TicketError::NotAllowed => AppError::Forbidden,
            ticket::TicketError::WrongStatus => AppError::NotAllowedNow,
        })?;
        let now = Utc::now();
        let txn = self.db.begin_write().await.map_err(internal)?;
        // Guarded by the status read: two racing changes cannot both apply.
        let resolved_at = (to == TicketStatus::Resolved).then_some(now);
        let mut change = support_ticket::Entity::update_many()
            .col_expr(support_ticket::Column::Status, Expr::value(to.code()))
            .col_expr(support_ticket::Column::UpdatedAt, Expr::value(now))
            .col_expr(support_ticket::Column::ResolvedAt, Expr::value(resolved_at));
        if viewer.is_agent && t.first_response_at.is_none() {
            change = change.col_expr(support_ticket::Column::FirstResponseAt, Expr::value(now));
        }
        let changed = change
            .filter(support_ticket::Column::Id.eq(t.id))
            .filter(support_ticket::Column::Status.eq(from.code()))
            .exec(&txn)
            .await
            .map_err(internal)?;
        if changed.rows_affected != 1 {
            return Err(AppError::NotAllowedNow);
        }
        support_comment::ActiveModel {
            ticket_id: Set(t.id),
            author_id: Set(Some(viewer.id)),
            body: Set(String::new()),
            internal: Set(false),
            event: Set(to.code().to_owned()),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(&txn)
        .await
        .map_err(internal)?;
        if let Some(at) = resolved_at {
            // Closed by itself after 7 days, unless reopened (the job checks the date).
            close_job::schedule(&txn, t.id, at)
                .await
                .map_err(internal)?;
        }
        txn.commit().await.map_err(internal)?;
        notifications::status_changed(&self.db, &self.config.public_url, &t, &viewer, to)
            .await
            .map_err(internal)?;
        let t = self.ticket(&viewer, &orgs, reference).await?;
        self.detail_of(&viewer, t).await
    }
}
