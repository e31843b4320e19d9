//! Who sees a ticket: its reporter, its participants, the members of its organization
//! when it is shared, and agents. [`visible`] is the one condition every customer query
//! goes through; the lookups below use it, so a ticket of another organization answers
//! "not found", exactly like one that does not exist.

use super::SupportTicketService;
use crate::account::service::internal;
use crate::entities::{support_membership, support_participant, support_ticket, support_user};
use app::error::AppError;
use app::support::accounts::SupportActor;
use domain::ticket::TicketRole;
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter};

/// The condition selecting the tickets `viewer` may see.
pub(super) fn visible(viewer: &support_user::Model, organizations: &[i64]) -> Condition {
    if viewer.is_agent {
        return Condition::all();
    }
    Condition::any()
        .add(support_ticket::Column::ReporterId.eq(viewer.id))
        .add(followed_by(viewer))
        .add(
            Condition::all()
                .add(support_ticket::Column::Shared.eq(true))
                .add(support_ticket::Column::OrganizationId.is_in(organizations.to_vec())),
        )
}

/// The condition selecting the tickets `viewer` takes part in.
pub(super) fn followed_by(viewer: &support_user::Model) -> Condition {
    Condition::all().add(
        support_ticket::Column::Id.in_subquery(
            sea_orm::sea_query::Query::select()
                .column(support_participant::Column::TicketId)
                .from(support_participant::Entity)
                .and_where(support_participant::Column::UserId.eq(viewer.id))
                .to_owned(),
        ),
    )
}

/// How `viewer` stands on ticket `t`.
pub(super) fn role(viewer: &support_user::Model, t: &support_ticket::Model) -> TicketRole {
    if viewer.is_agent {
        TicketRole::Agent
    } else if t.reporter_id == viewer.id {
        TicketRole::Reporter
    } else {
        TicketRole::Participant
    }
}

impl SupportTicketService {
    /// The signed-in person (active) and the organizations they belong to.
    pub(super) async fn viewer(
        &self,
        actor: &SupportActor,
    ) -> Result<(support_user::Model, Vec<i64>), AppError> {
        let user = crate::support::accounts::active_person(&self.db, actor.user_id).await?;
        let orgs = support_membership::Entity::find()
            .filter(support_membership::Column::UserId.eq(user.id))
            .all(&self.db)
            .await
            .map_err(internal)?
            .into_iter()
            .map(|m| m.organization_id)
            .collect();
        Ok((user, orgs))
    }

    /// An agent, or `Forbidden`.
    pub(super) async fn agent(
        &self,
        actor: &SupportActor,
    ) -> Result<(support_user::Model, Vec<i64>), AppError> {
        let (viewer, orgs) = self.viewer(actor).await?;
        if viewer.is_agent {
            Ok((viewer, orgs))
        } else {
            Err(AppError::Forbidden)
        }
    }

    /// A ticket the viewer may see, by reference; `NotFound` otherwise (the same answer
    /// for a ticket that does not exist and one of another organization).
    pub(super) async fn ticket(
        &self,
        viewer: &support_user::Model,
        orgs: &[i64],
        reference: &str,
    ) -> Result<support_ticket::Model, AppError> {
        support_ticket::Entity::find()
            .filter(support_ticket::Column::Reference.eq(reference.trim().to_ascii_uppercase()))
            .filter(visible(viewer, orgs))
            .one(&self.db)
            .await
            .map_err(internal)?
            .ok_or(AppError::NotFound)
    }
}
