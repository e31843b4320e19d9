//! The demo portal's requests (SP-10): a few tickets of the demo customers in every
//! status, with the agent's replies, raised once on a fresh database.

use super::references::next_reference;
use crate::entities::{support_comment, support_request_type, support_ticket, support_user};
use crate::platform::db::BeginWrite;
use crate::support::accounts::organizations::organizations_of;
use chrono::Utc;
use domain::ticket::{Impact, Priority, TicketKind, TicketStatus, Urgency};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, Set,
};

/// A demo ticket: reporter, request type name, summary, description, status, shared,
/// the agent's reply.
type DemoTicket = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    TicketStatus,
    bool,
    Option<&'static str>,
);

/// The demo tickets, one or more in every status.
const DEMO_TICKETS: [DemoTicket; 7] = [
    ("alice@demo-retail.test", "Payments are failing", "Refunds refused since this morning",
     "Every refund from the back office ends in **error 1001** since 09:10.\n\n- Payment ids: see the export\n- Shops: Lyon and Paris", TicketStatus::Backlog, true, None),
    ("bob@demo-retail.test", "Configuration change", "Add a user for the Lyon shop",
     "Please create an *Operator* user for Dana Lee (dana@demo-retail.test).", TicketStatus::WorkInProgress, true,
     Some("We are creating the user; you will receive the invitation shortly.")),
    ("alice@demo-retail.test", "Terminal does not connect", "Terminal T1000001 disconnects every hour",
     "The Lane/5000 at the Lyon till drops its connection about once an hour.", TicketStatus::WaitingForReporter, false,
     Some("Could you tell us the terminal's software version (F menu → Version)?")),
    ("bob@demo-retail.test", "Missing transactions", "Settlement report misses 14 November",
     "The settlement report has no line for 14 November.", TicketStatus::Resolved, true,
     Some("The report was regenerated; 14 November is now included.")),
    ("alice@demo-retail.test", "API or webhook problem", "Webhook signature refused",
     "Our shop refuses the `X-GCS-Signature` of the webhooks since the key rotation.", TicketStatus::Closed, false,
     Some("The shop still used the old key id; after updating it, deliveries succeed.")),
    ("carol@other-corp.test", "Enrol a device", "Enrol two phones for SoftPOS",
     "We would like to accept contactless payments on two Android phones.", TicketStatus::Cancelled, false, None),
    ("carol@other-corp.test", "App problem", "SoftPOS app refuses Maestro cards",
     "Maestro cards are refused with *card not supported*.", TicketStatus::WorkInProgress, false,
     Some("Maestro is being enabled on your SoftPOS profile.")),
];

/// Creates the demo tickets when there are none.
pub async fn seed_demo_tickets(db: &DatabaseConnection, project_key: &str) -> Result<usize, DbErr> {
    if support_ticket::Entity::find().count(db).await? > 0 {
        return Ok(0);
    }
    let agent = support_user::Entity::find()
        .filter(support_user::Column::IsAgent.eq(true))
        .one(db)
        .await?;
    let mut created = 0;
    for (i, (email, type_name, summary, description, status, shared, reply)) in
        DEMO_TICKETS.into_iter().enumerate()
    {
        let Some(reporter) = support_user::Entity::find()
            .filter(support_user::Column::Email.eq(email))
            .one(db)
            .await?
        else {
            continue;
        };
        let Some(rt) = support_request_type::Entity::find()
            .filter(support_request_type::Column::Name.eq(type_name))
            .one(db)
            .await?
        else {
            continue;
        };
        let org = organizations_of(db, reporter.id)
            .await?
            .first()
            .map(|o| o.id);
        let created_at = Utc::now() - chrono::Duration::days(10 - i as i64);
        let resolved = matches!(status, TicketStatus::Resolved | TicketStatus::Closed);
        let incident = TicketKind::parse(&rt.kind) == Some(TicketKind::Incident);
        let (impact, urgency) = (Impact::Significant, Urgency::High);
        let priority = if incident {
            Priority::of_incident(impact, urgency)
        } else {
            Priority::Medium
        };
        let txn = db.begin_write().await?;
        let reference = next_reference(&txn, project_key).await?;
        let t = support_ticket::ActiveModel {
            reference: Set(reference),
            kind: Set(rt.kind.clone()),
            area_id: Set(rt.area_id),
            request_type_id: Set(rt.id),
            summary: Set(summary.to_owned()),
            description: Set(description.to_owned()),
            status: Set(status.code().to_owned()),
            priority: Set(priority.code().to_owned()),
            impact: Set(incident.then(|| impact.code().to_owned())),
            urgency: Set(incident.then(|| urgency.code().to_owned())),
            reporter_id: Set(reporter.id),
            organization_id: Set(org),
            shared: Set(shared),
            assignee_id: Set(reply.and(agent.as_ref().map(|a| a.id))),
            payment_id: Set(None),
            created_at: Set(created_at),
            updated_at: Set(created_at + chrono::Duration::hours(3)),
            resolved_at: Set(resolved.then(|| created_at + chrono::Duration::hours(3))),
            first_response_at: Set(reply.map(|_| created_at + chrono::Duration::hours(1))),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        if let (Some(text), Some(agent)) = (reply, &agent) {
            support_comment::ActiveModel {
                ticket_id: Set(t.id),
                author_id: Set(Some(agent.id)),
                body: Set(text.to_owned()),
                internal: Set(false),
                event: Set(String::new()),
                created_at: Set(created_at + chrono::Duration::hours(1)),
                ..Default::default()
            }
            .insert(&txn)
            .await?;
        }
        if status != TicketStatus::Backlog {
            support_comment::ActiveModel {
                ticket_id: Set(t.id),
                author_id: Set(if status == TicketStatus::Cancelled {
                    Some(reporter.id)
                } else {
                    agent.as_ref().map(|a| a.id)
                }),
                body: Set(String::new()),
                internal: Set(false),
                event: Set(status.code().to_owned()),
                created_at: Set(created_at + chrono::Duration::hours(3)),
                ..Default::default()
            }
            .insert(&txn)
            .await?;
        }
        txn.commit().await?;
        created += 1;
    }
    Ok(created)
}
