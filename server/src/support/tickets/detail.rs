//! A request's page (SP-6): its facts, its history of comments and status changes, its
//! attachments, the status buttons the viewer may use, and what agents see besides —
//! the payment it is about and how it stands against its service levels.

use super::visibility::role;
use super::{format, status_of, SupportTicketService};
use crate::account::service::internal;
use crate::entities::{
    support_area, support_comment, support_organization, support_participant, support_request_type,
    support_ticket, support_user,
};
use crate::support::accounts::status as person_status;
use app::error::AppError;
use app::support::tickets::{
    AttachmentView, SlaView, TicketDetail, TicketEntry, TicketPaymentView,
};
use chrono::{DateTime, Utc};
use domain::markup;
use domain::ticket::{self, Priority, TicketRole, TicketStatus};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

/// How a ticket stands against its priority's service levels at `now`.
pub(super) fn sla_of(t: &support_ticket::Model, now: DateTime<Utc>) -> Option<SlaView> {
    let priority = Priority::parse(&t.priority)?;
    let (response, resolution) = priority.sla_minutes();
    let minutes = |at: DateTime<Utc>| at.timestamp().div_euclid(60);
    let start = minutes(t.created_at);
    // A cancelled or closed ticket's clock stopped at its last change.
    let resolved = t.resolved_at.or_else(|| {
        TicketStatus::parse(&t.status)
            .filter(|s| s.is_final())
            .map(|_| t.updated_at)
    });
    let hours = |m: i64| {
        if m % (24 * 60) == 0 && m >= 24 * 60 {
            format!("{} d", m / (24 * 60))
        } else {
            format!("{} h", m / 60)
        }
    };
    Some(SlaView {
        response_target: hours(response),
        response_state: ticket::sla_state(
            start,
            response,
            t.first_response_at.or(resolved).map(minutes),
            minutes(now),
        )
        .code()
        .to_owned(),
        resolution_target: hours(resolution),
        resolution_state: ticket::sla_state(start, resolution, resolved.map(minutes), minutes(now))
            .code()
            .to_owned(),
    })
}

impl SupportTicketService {
    /// Ticket `t`'s page as `viewer` sees it: customers never see internal notes, nor
    /// the agents' facts (payment, service level, the agents to assign).
    pub(super) async fn detail_of(
        &self,
        viewer: &support_user::Model,
        t: support_ticket::Model,
    ) -> Result<TicketDetail, AppError> {
        let area = support_area::Entity::find_by_id(t.area_id)
            .one(&self.db)
            .await
            .map_err(internal)?
            .map(|a| a.name)
            .unwrap_or_default();
        let request_type = support_request_type::Entity::find_by_id(t.request_type_id)
            .one(&self.db)
            .await
            .map_err(internal)?
            .map(|r| r.name)
            .unwrap_or_default();
        let mut entries = support_comment::Entity::find()
            .filter(support_comment::Column::TicketId.eq(t.id))
            .order_by_asc(support_comment::Column::Id);
        if !viewer.is_agent {
            entries = entries.filter(support_comment::Column::Internal.eq(false));
        }
        let entries = entries.all(&self.db).await.map_err(internal)?;
        let participants = support_participant::Entity::find()
            .filter(support_participant::Column::TicketId.eq(t.id))
            .all(&self.db)
            .await
            .map_err(internal)?;
        let mut ids: Vec<i64> = entries.iter().filter_map(|e| e.author_id).collect();
        ids.extend(participants.iter().map(|p| p.user_id));
        ids.push(t.reporter_id);
        ids.extend(t.assignee_id);
        let people = self.names(ids).await?;
        let name = |id: i64| {
            people
                .get(&id)
                .map(support_user::Model::display_name)
                .unwrap_or_default()
        };
        let organization = match t.organization_id {
            Some(id) => support_organization::Entity::find_by_id(id)
                .one(&self.db)
                .await
                .map_err(internal)?
                .map(|o| o.name)
                .unwrap_or_default(),
            None => String::new(),
        };
        let role = role(viewer, &t);
        let status = status_of(&t);
        // Answering an information request is commenting: it has no button.
        let actions = ticket::available(status, role)
            .into_iter()
            .filter(|a| !a.by_comment())
            .map(|a| a.code().to_owned())
            .collect();
        Ok(TicketDetail {
            reference: t.reference.clone(),
            kind: t.kind.clone(),
            area,
            request_type,
            summary: t.summary.clone(),
            description_html: markup::render(&t.description),
            status: t.status.clone(),
            priority: t.priority.clone(),
            reporter: name(t.reporter_id),
            assignee: t.assignee_id.map(name).unwrap_or_default(),
            organization,
            shared: t.shared,
            participants: participants.iter().map(|p| name(p.user_id)).collect(),
            created: format(t.created_at),
            updated: format(t.updated_at),
            history: entries
                .iter()
                .map(|e| TicketEntry {
                    author: e.author_id.map(name).unwrap_or_default(),
                    by_agent: e
                        .author_id
                        .and_then(|id| people.get(&id))
                        .is_some_and(|u| u.is_agent),
                    date: format(e.created_at),
                    html: if e.event.is_empty() {
                        markup::render(&e.body)
                    } else {
                        String::new()
                    },
                    status: (!e.event.is_empty()).then(|| e.event.clone()),
                    internal: e.internal,
                })
                .collect(),
            actions,
            can_comment: !status.is_final(),
            is_reporter: role == TicketRole::Reporter,
            payment_id: t.payment_id.clone().unwrap_or_default(),
            attachments: self
                .attachments_of(t.id)
                .await?
                .into_iter()
                .map(|a| AttachmentView {
                    id: a.id,
                    name: a.file_name,
                    content_type: a.content_type,
                    size: a.size,
                    uploader: name(a.uploader_id),
                    date: format(a.created_at),
                })
                .collect(),
            payment: if viewer.is_agent {
                self.payment_summary(t.payment_id.as_deref()).await?
            } else {
                None
            },
            agents: if viewer.is_agent {
                support_user::Entity::find()
                    .filter(support_user::Column::IsAgent.eq(true))
                    .filter(support_user::Column::Status.eq(person_status::ACTIVE))
                    .order_by_asc(support_user::Column::Email)
                    .all(&self.db)
                    .await
                    .map_err(internal)?
                    .into_iter()
                    .map(|u| (u.id, u.display_name()))
                    .collect()
            } else {
                Vec::new()
            },
            sla: if viewer.is_agent {
                sla_of(&t, Utc::now())
            } else {
                None
            },
            for_agent: viewer.is_agent,
        })
    }

    /// What an agent sees of the payment a ticket is about: any merchant's, since the
    /// platform's staff support them all; the merchant is named so a payment id typed
    /// into another merchant's ticket shows for what it is.
    async fn payment_summary(
        &self,
        id: Option<&str>,
    ) -> Result<Option<TicketPaymentView>, AppError> {
        use crate::entities::{merchant, payment};
        use crate::payments::records::{parse_public_id, public_id, stored_money};
        let Some(number) = id.and_then(parse_public_id) else {
            return Ok(None);
        };
        let Some(p) = payment::Entity::find_by_id(number)
            .one(&self.db)
            .await
            .map_err(internal)?
        else {
            return Ok(None);
        };
        let merchant = merchant::Entity::find_by_id(p.merchant_id)
            .one(&self.db)
            .await
            .map_err(internal)?
            .map(|m| m.pspid)
            .unwrap_or_default();
        Ok(Some(TicketPaymentView {
            id: public_id(p.id),
            merchant,
            amount: stored_money(p.amount, &p.currency)
                .map(|m| format!("{} {}", m.format_major(), p.currency))
                .unwrap_or_default(),
            status: crate::payments::list::label_of(&p).code().to_owned(),
            refusal: p.refusal_code.clone().unwrap_or_default(),
            method: p.brand.clone().unwrap_or_default(),
            channel: p.channel.clone(),
            created: format(p.created_at),
        }))
    }
}
