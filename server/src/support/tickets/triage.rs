//! The agents' handling of a request (SP-8): who works on it and how urgent it is.

use super::SupportTicketService;
use crate::account::service::internal;
use crate::entities::support_ticket;
use crate::platform::db::Autocommit;
use app::error::{AppError, Problem};
use app::support::accounts::SupportActor;
use app::support::tickets::TicketDetail;
use chrono::Utc;
use domain::ticket::Priority;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

impl SupportTicketService {
    /// Agents: assigns the ticket to an agent (`None`: unassigned).
    pub(super) async fn assign_to(
        &self,
        actor: &SupportActor,
        reference: &str,
        agent: Option<i64>,
    ) -> Result<TicketDetail, AppError> {
        let (viewer, orgs) = self.agent(actor).await?;
        let t = self.ticket(&viewer, &orgs, reference).await?;
        if let Some(id) = agent {
            let person = crate::support::accounts::active_person(&self.db, id)
                .await
                .map_err(|_| AppError::field("assignee", Problem::UnknownPerson))?;
            if !person.is_agent {
                return Err(AppError::field("assignee", Problem::UnknownPerson));
            }
        }
        support_ticket::Entity::update_many()
            .col_expr(support_ticket::Column::AssigneeId, Expr::value(agent))
            .col_expr(support_ticket::Column::UpdatedAt, Expr::value(Utc::now()))
            .filter(support_ticket::Column::Id.eq(t.id))
            .exec(&Autocommit(&self.db))
            .await
            .map_err(internal)?;
        let t = self.ticket(&viewer, &orgs, reference).await?;
        self.detail_of(&viewer, t).await
    }

    /// Agents: sets the ticket's priority (and with it its service levels).
    pub(super) async fn change_priority(
        &self,
        actor: &SupportActor,
        reference: &str,
        priority: Priority,
    ) -> Result<TicketDetail, AppError> {
        let (viewer, orgs) = self.agent(actor).await?;
        let t = self.ticket(&viewer, &orgs, reference).await?;
        support_ticket::Entity::update_many()
            .col_expr(
                support_ticket::Column::Priority,
                Expr::value(priority.code()),
            )
            .col_expr(support_ticket::Column::UpdatedAt, Expr::value(Utc::now()))
            .filter(support_ticket::Column::Id.eq(t.id))
            .exec(&Autocommit(&self.db))
            .await
            .map_err(internal)?;
        let t = self.ticket(&viewer, &orgs, reference).await?;
        self.detail_of(&viewer, t).await
    }
}
