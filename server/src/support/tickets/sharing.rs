//! Who follows a request besides its reporter: sharing it with the reporter's
//! organization, and participants — only ever people of the reporter's organizations,
//! so a ticket never leaks to another company.

use super::{notifications, SupportTicketService};
use crate::account::service::internal;
use crate::entities::{support_participant, support_user};
use crate::platform::db::Autocommit;
use crate::support::accounts::{organizations::organizations_of, status as person_status};
use app::error::{AppError, Problem};
use app::support::accounts::SupportActor;
use app::support::tickets::TicketDetail;
use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, Set};

impl SupportTicketService {
    /// The reporter (or an agent) shares the ticket with the reporter's organization,
    /// or stops sharing it.
    pub(super) async fn set_shared(
        &self,
        actor: &SupportActor,
        reference: &str,
        shared: bool,
    ) -> Result<TicketDetail, AppError> {
        let (viewer, orgs) = self.viewer(actor).await?;
        let t = self.ticket(&viewer, &orgs, reference).await?;
        if t.reporter_id != viewer.id && !viewer.is_agent {
            return Err(AppError::Forbidden);
        }
        if t.organization_id.is_none() {
            return Err(AppError::NotAllowedNow);
        }
        let mut update = t.into_active_model();
        update.shared = Set(shared);
        update.updated_at = Set(Utc::now());
        let t = update
            .update(&Autocommit(&self.db))
            .await
            .map_err(internal)?;
        self.detail_of(&viewer, t).await
    }

    /// The reporter (or an agent) adds a person of the reporter's organizations as
    /// participant, who hears of it by e-mail.
    pub(super) async fn new_participant(
        &self,
        actor: &SupportActor,
        reference: &str,
        email: String,
    ) -> Result<TicketDetail, AppError> {
        let (viewer, orgs) = self.viewer(actor).await?;
        let t = self.ticket(&viewer, &orgs, reference).await?;
        if t.reporter_id != viewer.id && !viewer.is_agent {
            return Err(AppError::Forbidden);
        }
        let email = domain::parse_email(&email)
            .map_err(|_| AppError::field("email", Problem::InvalidEmail))?;
        let person = support_user::Entity::find()
            .filter(support_user::Column::Email.eq(email))
            .filter(support_user::Column::Status.eq(person_status::ACTIVE))
            .one(&self.db)
            .await
            .map_err(internal)?
            .ok_or_else(|| AppError::field("email", Problem::UnknownPerson))?;
        // Participants come from the reporter's organizations: a ticket never leaks to
        // another company through its participants.
        let reporter_orgs: Vec<i64> = organizations_of(&self.db, t.reporter_id)
            .await
            .map_err(internal)?
            .into_iter()
            .map(|o| o.id)
            .collect();
        let person_orgs: Vec<i64> = organizations_of(&self.db, person.id)
            .await
            .map_err(internal)?
            .into_iter()
            .map(|o| o.id)
            .collect();
        if person.id == t.reporter_id || !person_orgs.iter().any(|o| reporter_orgs.contains(o)) {
            return Err(AppError::field("email", Problem::UnknownPerson));
        }
        support_participant::Entity::insert(support_participant::ActiveModel {
            ticket_id: Set(t.id),
            user_id: Set(person.id),
            ..Default::default()
        })
        .on_conflict_do_nothing_on([
            support_participant::Column::TicketId,
            support_participant::Column::UserId,
        ])
        .exec(&Autocommit(&self.db))
        .await
        .map_err(internal)?;
        notifications::participant_added(&self.db, &self.config.public_url, &t, &person)
            .await
            .map_err(internal)?;
        let t = self.ticket(&viewer, &orgs, reference).await?;
        self.detail_of(&viewer, t).await
    }
}
