//! Raising a request (SP-4): the form's checks, the priority of an incident from its
//! impact and urgency, the next reference of the project, and the acknowledgement
//! e-mail, all in one transaction.

use super::references::next_reference;
use super::{notifications, SupportTicketService};
use crate::account::service::internal;
use crate::entities::{support_request_type, support_ticket};
use crate::platform::db::BeginWrite;
use app::error::{AppError, FieldError, Problem};
use app::support::accounts::SupportActor;
use app::support::tickets::{checked_text, NewTicketForm};
use chrono::Utc;
use domain::ticket::{Impact, Priority, TicketKind, TicketStatus, Urgency};
use sea_orm::{ActiveModelTrait, EntityTrait, Set};

impl SupportTicketService {
    /// Raises a ticket from the form; its reference.
    pub(super) async fn raise(
        &self,
        actor: &SupportActor,
        form: NewTicketForm,
    ) -> Result<String, AppError> {
        let (viewer, orgs) = self.viewer(actor).await?;
        let mut problems = Vec::new();
        let request_type = match form.request_type.trim().parse::<i64>() {
            Ok(id) => support_request_type::Entity::find_by_id(id)
                .one(&self.db)
                .await
                .map_err(internal)?,
            Err(_) => None,
        };
        if request_type.is_none() {
            problems.push(FieldError::new("request_type", Problem::Required));
        }
        let summary = form.summary.trim().to_owned();
        if summary.is_empty() {
            problems.push(FieldError::new("summary", Problem::Required));
        } else if summary.chars().count() > 200 {
            problems.push(FieldError::new("summary", Problem::TooLong));
        }
        let description = checked_text(&form.description)
            .map(str::to_owned)
            .unwrap_or_else(|problem| {
                problems.push(FieldError::new("description", problem));
                String::new()
            });
        let incident = request_type
            .as_ref()
            .is_some_and(|t| TicketKind::parse(&t.kind) == Some(TicketKind::Incident));
        let (impact, urgency) = (Impact::parse(&form.impact), Urgency::parse(&form.urgency));
        if incident && impact.is_none() {
            problems.push(FieldError::new("impact", Problem::Required));
        }
        if incident && urgency.is_none() {
            problems.push(FieldError::new("urgency", Problem::Required));
        }
        // The ticket goes to the organization chosen, which must be one of the
        // reporter's (the form offers only those); a form without the choice (a
        // single organization, the knowledge base's contact form) takes the first.
        let organization = match form.organization.trim() {
            "" => orgs.first().copied(),
            chosen => match chosen.parse::<i64>() {
                Ok(id) if orgs.contains(&id) => Some(id),
                _ => return Err(AppError::Forbidden),
            },
        };
        let payment_id = form.payment_id.trim().to_owned();
        if payment_id.chars().count() > 32 {
            problems.push(FieldError::new("payment_id", Problem::TooLong));
        }
        let Some(request_type) = request_type.filter(|_| problems.is_empty()) else {
            return Err(AppError::Invalid(problems));
        };
        let (priority, impact, urgency) = match (impact, urgency) {
            (Some(i), Some(u)) if incident => (Priority::of_incident(i, u), Some(i), Some(u)),
            _ => (Priority::Medium, None, None),
        };
        let now = Utc::now();
        let txn = self.db.begin_write().await.map_err(internal)?;
        let reference = next_reference(&txn, &self.config.support_project_key)
            .await
            .map_err(internal)?;
        support_ticket::ActiveModel {
            reference: Set(reference.clone()),
            kind: Set(request_type.kind.clone()),
            area_id: Set(request_type.area_id),
            request_type_id: Set(request_type.id),
            summary: Set(summary.clone()),
            description: Set(description),
            status: Set(TicketStatus::Backlog.code().to_owned()),
            priority: Set(priority.code().to_owned()),
            impact: Set(impact.map(|i| i.code().to_owned())),
            urgency: Set(urgency.map(|u| u.code().to_owned())),
            reporter_id: Set(viewer.id),
            organization_id: Set(organization),
            shared: Set(false),
            assignee_id: Set(None),
            payment_id: Set((!payment_id.is_empty()).then_some(payment_id)),
            created_at: Set(now),
            updated_at: Set(now),
            resolved_at: Set(None),
            first_response_at: Set(None),
            ..Default::default()
        }
        .insert(&txn)
        .await
        .map_err(internal)?;
        notifications::request_received(
            &txn,
            &self.config.public_url,
            &viewer.email,
            &reference,
            &summary,
            priority,
        )
        .await
        .map_err(internal)?;
        txn.commit().await.map_err(internal)?;
        Ok(reference)
    }
}
