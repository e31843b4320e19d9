//! The conversation on a request: comments (Markdown), a customer's answer to an
//! information request, and the agents' internal notes that customers never see.

use super::visibility::role;
use super::{notifications, status_of, SupportTicketService};
use crate::account::service::internal;
use crate::entities::{support_comment, support_ticket};
use crate::platform::db::{Autocommit, BeginWrite};
use app::error::AppError;
use app::support::accounts::SupportActor;
use app::support::tickets::{checked_text, TicketDetail};
use chrono::Utc;
use domain::ticket::{self, TicketAction, TicketStatus};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, Set};

impl SupportTicketService {
    /// A comment (Markdown) on a ticket that is not over. A customer's answer to an
    /// information request puts the ticket back to work; an agent's comment is mailed to
    /// the customers, and the first one is the ticket's first response.
    pub(super) async fn add_comment(
        &self,
        actor: &SupportActor,
        reference: &str,
        body: String,
    ) -> Result<TicketDetail, AppError> {
        let (viewer, orgs) = self.viewer(actor).await?;
        let t = self.ticket(&viewer, &orgs, reference).await?;
        let body = checked_text(&body)
            .map_err(|problem| AppError::field("body", problem))?
            .to_owned();
        let status = status_of(&t);
        if status.is_final() {
            return Err(AppError::NotAllowedNow);
        }
        let now = Utc::now();
        let txn = self.db.begin_write().await.map_err(internal)?;
        // A customer's answer to an information request puts the ticket back to work.
        let role = role(&viewer, &t);
        let answered = (status == TicketStatus::WaitingForReporter)
            .then(|| ticket::transition(status, TicketAction::ProvideInformation, role).ok())
            .flatten();
        let mut update = t.clone().into_active_model();
        update.updated_at = Set(now);
        if let Some(next) = answered {
            update.status = Set(next.code().to_owned());
        }
        update.update(&txn).await.map_err(internal)?;
        support_comment::ActiveModel {
            ticket_id: Set(t.id),
            author_id: Set(Some(viewer.id)),
            body: Set(body),
            internal: Set(false),
            event: Set(String::new()),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(&txn)
        .await
        .map_err(internal)?;
        if let Some(next) = answered {
            support_comment::ActiveModel {
                ticket_id: Set(t.id),
                author_id: Set(Some(viewer.id)),
                body: Set(String::new()),
                internal: Set(false),
                event: Set(next.code().to_owned()),
                created_at: Set(now),
                ..Default::default()
            }
            .insert(&txn)
            .await
            .map_err(internal)?;
        }
        if viewer.is_agent && t.first_response_at.is_none() {
            support_ticket::Entity::update_many()
                .col_expr(support_ticket::Column::FirstResponseAt, Expr::value(now))
                .filter(support_ticket::Column::Id.eq(t.id))
                .exec(&txn)
                .await
                .map_err(internal)?;
        }
        txn.commit().await.map_err(internal)?;
        if viewer.is_agent {
            notifications::support_replied(&self.db, &self.config.public_url, &t, viewer.id)
                .await
                .map_err(internal)?;
        }
        let t = self.ticket(&viewer, &orgs, reference).await?;
        self.detail_of(&viewer, t).await
    }

    /// Agents: an internal note, never shown to customers.
    pub(super) async fn add_note(
        &self,
        actor: &SupportActor,
        reference: &str,
        body: String,
    ) -> Result<TicketDetail, AppError> {
        let (viewer, orgs) = self.agent(actor).await?;
        let t = self.ticket(&viewer, &orgs, reference).await?;
        let body = checked_text(&body)
            .map_err(|problem| AppError::field("body", problem))?
            .to_owned();
        // A note is no answer to the customer: it neither counts as the first response
        // nor sends mail.
        support_comment::ActiveModel {
            ticket_id: Set(t.id),
            author_id: Set(Some(viewer.id)),
            body: Set(body),
            internal: Set(true),
            event: Set(String::new()),
            created_at: Set(Utc::now()),
            ..Default::default()
        }
        .insert(&Autocommit(&self.db))
        .await
        .map_err(internal)?;
        let t = self.ticket(&viewer, &orgs, reference).await?;
        self.detail_of(&viewer, t).await
    }
}
