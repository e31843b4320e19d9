//! Support tickets (SP-4..SP-7, SP-11): raising a ticket with a gap-free reference,
//! the requests list with its scopes, a ticket's page, comments, the reporter's status
//! actions, sharing and participants, and the e-mails they send.
//!
//! Who sees a ticket is decided here, once: its reporter, its participants, the members
//! of its organization when it is shared, and agents. Every query goes through
//! [`visible`], so a page, a server function or a search cannot reach another
//! organization's ticket.

use crate::account::service::internal;
use crate::entities::{
    support_area, support_attachment, support_comment, support_counter, support_membership,
    support_participant, support_request_type, support_ticket, support_user,
};
use crate::platform::config::Config;
use crate::platform::crypto;
use crate::platform::forms::field;
use crate::platform::mail;
use crate::support::accounts::{organizations_of, status as person_status};
use app::error::{AppError, FieldError, Problem};
use app::support::accounts::SupportActor;
use app::support::tickets::SupportTicketPort;
use app::support::tickets::{
    AttachmentView, NewTicketForm, RequestTypeView, SlaView, SupportAreaView, TicketDetail,
    TicketEntry, TicketPaymentView, TicketRow, TicketsPage, TicketsQuery,
};
use chrono::{DateTime, Utc};
use domain::ticket::{self, Impact, Priority, TicketAction, TicketRole, TicketStatus, Urgency};
use domain::{attachment, markup};
use sea_orm::sea_query::{Expr, ExprTrait, Func, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DbErr,
    EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set,
    TransactionTrait,
};
use std::collections::HashMap;
use std::sync::Arc;

/// First number of a project's references, minus one.
const FIRST_NUMBER: i64 = 10_000;
/// Rows per page of the requests list.
const PAGE_SIZE: u64 = 25;

/// The product areas and request types a new deployment starts with (agents manage them).
/// A request type: name, `incident` or `request`, what it is for.
type RequestTypeSeed = (&'static str, &'static str, &'static str);

const CATALOGUE: [(&str, &str, &[RequestTypeSeed]); 5] = [
    (
        "Payments platform",
        "Online payments, the server API, hosted pages, webhooks and the back office.",
        &[
            (
                "Payments are failing",
                "incident",
                "Payments are refused or time out.",
            ),
            (
                "API or webhook problem",
                "incident",
                "Calls fail, signatures are refused, webhooks do not arrive.",
            ),
            (
                "Configuration change",
                "request",
                "Payment methods, capture settings, users and rights.",
            ),
            (
                "Question about a payment",
                "request",
                "A payment's status, refund or chargeback.",
            ),
        ],
    ),
    (
        "The Estate Manager",
        "Managing a fleet of Ingenico terminals: software, parameters, locations.",
        &[
            (
                "Terminal does not connect",
                "incident",
                "A terminal cannot reach the gateway or the estate.",
            ),
            (
                "Deploy software or parameters",
                "request",
                "Schedule a software or parameter update.",
            ),
        ],
    ),
    (
        "Tetra",
        "Lane, Desk and Move terminals running Tetra.",
        &[
            (
                "Terminal fault",
                "incident",
                "Screen, printer, card reader or PIN pad problem.",
            ),
            (
                "New terminal",
                "request",
                "Order, bind or replace a terminal.",
            ),
        ],
    ),
    (
        "Ingenico SoftPOS",
        "Accepting contactless cards on a phone.",
        &[
            (
                "App problem",
                "incident",
                "The SoftPOS app fails or refuses cards.",
            ),
            (
                "Enrol a device",
                "request",
                "Add a phone to your SoftPOS account.",
            ),
        ],
    ),
    (
        "Ingenico 360",
        "Reporting, reconciliation and settlement across channels.",
        &[
            (
                "Missing transactions",
                "incident",
                "Transactions or settlements do not show.",
            ),
            (
                "Report or export",
                "request",
                "A new report, export or access.",
            ),
        ],
    ),
];

/// Creates the default product areas and request types when there are none.
pub async fn ensure_catalogue(db: &DatabaseConnection) -> Result<(), DbErr> {
    if support_area::Entity::find().count(db).await? > 0 {
        return Ok(());
    }
    let txn = db.begin().await?;
    for (position, (name, description, types)) in CATALOGUE.iter().enumerate() {
        let area = support_area::ActiveModel {
            name: Set((*name).to_owned()),
            description: Set((*description).to_owned()),
            position: Set(position as i32),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        for (i, (type_name, kind, text)) in types.iter().enumerate() {
            support_request_type::ActiveModel {
                area_id: Set(area.id),
                name: Set((*type_name).to_owned()),
                kind: Set((*kind).to_owned()),
                description: Set((*text).to_owned()),
                position: Set(i as i32),
                ..Default::default()
            }
            .insert(&txn)
            .await?;
        }
    }
    txn.commit().await
}

/// The next reference under `key`, inside `txn`: numbers are given in order and a rolled
/// back ticket gives its number back, so there are no gaps and no duplicates.
pub async fn next_reference<C: ConnectionTrait>(txn: &C, key: &str) -> Result<String, DbErr> {
    support_counter::Entity::insert(support_counter::ActiveModel {
        project_key: Set(key.to_owned()),
        last_number: Set(FIRST_NUMBER),
    })
    .on_conflict(
        OnConflict::column(support_counter::Column::ProjectKey)
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(txn)
    .await?;
    // The UPDATE locks the row: concurrent tickets take their numbers one after another.
    support_counter::Entity::update_many()
        .col_expr(
            support_counter::Column::LastNumber,
            Expr::col(support_counter::Column::LastNumber).add(1),
        )
        .filter(support_counter::Column::ProjectKey.eq(key))
        .exec(txn)
        .await?;
    let counter = support_counter::Entity::find_by_id(key.to_owned())
        .one(txn)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound(key.to_owned()))?;
    Ok(ticket::reference(key, counter.last_number))
}

/// The condition selecting the tickets `viewer` may see.
pub fn visible(viewer: &support_user::Model, organizations: &[i64]) -> Condition {
    if viewer.is_agent {
        return Condition::all();
    }
    Condition::any()
        .add(support_ticket::Column::ReporterId.eq(viewer.id))
        .add(
            support_ticket::Column::Id.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(support_participant::Column::TicketId)
                    .from(support_participant::Entity)
                    .and_where(support_participant::Column::UserId.eq(viewer.id))
                    .to_owned(),
            ),
        )
        .add(
            Condition::all()
                .add(support_ticket::Column::Shared.eq(true))
                .add(support_ticket::Column::OrganizationId.is_in(organizations.to_vec())),
        )
}

fn status_of(t: &support_ticket::Model) -> TicketStatus {
    TicketStatus::parse(&t.status).unwrap_or(TicketStatus::Backlog)
}

/// A date as the portal writes it.
pub(crate) fn format(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// The name (1–80 characters) and description (at most 500) of an area or request type.
fn check_catalogue_entry(name: &str, description: &str, problems: &mut Vec<FieldError>) {
    if name.is_empty() {
        problems.push(FieldError::new("name", Problem::Required));
    } else if name.chars().count() > 80 {
        problems.push(FieldError::new("name", Problem::TooLong));
    }
    if description.chars().count() > 500 {
        problems.push(FieldError::new("description", Problem::TooLong));
    }
}

/// An optional id filter of the agents' queue.
fn id_filter(value: &str, name: &str) -> Result<Option<i64>, AppError> {
    match value.trim() {
        "" => Ok(None),
        id => id
            .parse()
            .map(Some)
            .map_err(|_| field(name, Problem::OutOfRange)),
    }
}

/// How a ticket stands against its priority's service levels at `now`.
fn sla_of(t: &support_ticket::Model, now: DateTime<Utc>) -> Option<SlaView> {
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

/// Where attachments' bytes are kept: in the data directory, never under the site root.
fn attachment_path(config: &Config, key: &str) -> std::path::PathBuf {
    config.data_dir.join("attachments").join(key)
}

fn io_error(e: std::io::Error) -> AppError {
    tracing::error!(error = %e, "attachment storage failed");
    AppError::Internal
}

fn attachment_problem(refusal: attachment::Refusal) -> Problem {
    match refusal {
        attachment::Refusal::Empty => Problem::FileEmpty,
        attachment::Refusal::TooLarge => Problem::FileTooLarge,
        attachment::Refusal::Type => Problem::FileType,
        attachment::Refusal::Disguised => Problem::FileDisguised,
    }
}

/// The port's implementation.
pub struct SupportTicketService {
    db: DatabaseConnection,
    config: Arc<Config>,
}

impl SupportTicketService {
    /// Over `db`.
    pub fn new(db: DatabaseConnection, config: Arc<Config>) -> Self {
        SupportTicketService { db, config }
    }

    async fn viewer(
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

    /// A ticket the viewer may see, by reference; `NotFound` otherwise (the same answer
    /// for a ticket that does not exist and one of another organization).
    async fn ticket(
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

    async fn names(&self, ids: Vec<i64>) -> Result<HashMap<i64, support_user::Model>, AppError> {
        Ok(support_user::Entity::find()
            .filter(support_user::Column::Id.is_in(ids))
            .all(&self.db)
            .await
            .map_err(internal)?
            .into_iter()
            .map(|u| (u.id, u))
            .collect())
    }

    fn role(viewer: &support_user::Model, t: &support_ticket::Model) -> TicketRole {
        if viewer.is_agent {
            TicketRole::Agent
        } else if t.reporter_id == viewer.id {
            TicketRole::Reporter
        } else {
            TicketRole::Participant
        }
    }

    async fn detail_of(
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
            Some(id) => crate::entities::support_organization::Entity::find_by_id(id)
                .one(&self.db)
                .await
                .map_err(internal)?
                .map(|o| o.name)
                .unwrap_or_default(),
            None => String::new(),
        };
        let role = Self::role(viewer, &t);
        let status = status_of(&t);
        let actions = ticket::available(status, role)
            .into_iter()
            .filter_map(|a| match a {
                TicketAction::StartWork => Some("start"),
                TicketAction::BackToBacklog => Some("backlog"),
                TicketAction::RequestInformation => Some("request_information"),
                TicketAction::Resolve => Some("resolve"),
                TicketAction::Cancel => Some("cancel"),
                TicketAction::Reopen => Some("reopen"),
                TicketAction::Close => Some("close"),
                // Answering is commenting.
                TicketAction::ProvideInformation => None,
            })
            .map(str::to_owned)
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

    async fn attachments_of(
        &self,
        ticket_id: i64,
    ) -> Result<Vec<support_attachment::Model>, AppError> {
        support_attachment::Entity::find()
            .filter(support_attachment::Column::TicketId.eq(ticket_id))
            .order_by_asc(support_attachment::Column::Id)
            .all(&self.db)
            .await
            .map_err(internal)
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

    /// An agent, or `Forbidden`.
    async fn agent(
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
}

/// Who hears of a change: the reporter and the participants who want e-mail, but not
/// the person who made it (`by`).
async fn notify(
    db: &DatabaseConnection,
    public_url: &str,
    t: &support_ticket::Model,
    by: i64,
    subject: &str,
    text: &str,
) -> Result<(), DbErr> {
    let mut ids: Vec<i64> = support_participant::Entity::find()
        .filter(support_participant::Column::TicketId.eq(t.id))
        .all(db)
        .await?
        .into_iter()
        .map(|p| p.user_id)
        .collect();
    ids.push(t.reporter_id);
    let people = support_user::Entity::find()
        .filter(support_user::Column::Id.is_in(ids))
        .filter(support_user::Column::Id.ne(by))
        .filter(support_user::Column::NotifyEmail.eq(true))
        .all(db)
        .await?;
    for person in people {
        mail::enqueue(
            db,
            None,
            &person.email,
            &format!("[{}] {subject}", t.reference),
            format!(
                "{text}\n\n{}: {}\n{public_url}/support/requests/{}\n\nOpenPSP Support\n",
                t.reference, t.summary, t.reference
            ),
        )
        .await?;
    }
    Ok(())
}

fn impact_of(code: &str) -> Option<Impact> {
    match code {
        "extensive" => Some(Impact::Extensive),
        "significant" => Some(Impact::Significant),
        "moderate" => Some(Impact::Moderate),
        "minor" => Some(Impact::Minor),
        _ => None,
    }
}

fn urgency_of(code: &str) -> Option<Urgency> {
    match code {
        "critical" => Some(Urgency::Critical),
        "high" => Some(Urgency::High),
        "medium" => Some(Urgency::Medium),
        "low" => Some(Urgency::Low),
        _ => None,
    }
}

#[async_trait::async_trait]
impl SupportTicketPort for SupportTicketService {
    async fn attach(
        &self,
        actor: &SupportActor,
        reference: &str,
        files: Vec<(String, Vec<u8>)>,
    ) -> Result<usize, AppError> {
        let (viewer, orgs) = self.viewer(actor).await?;
        let t = self.ticket(&viewer, &orgs, reference).await?;
        if status_of(&t).is_final() {
            return Err(AppError::NotAllowedNow);
        }
        if files.is_empty() {
            return Err(field("file", Problem::Required));
        }
        if files.len() > attachment::MAX_FILES {
            return Err(field("file", Problem::TooManyFiles));
        }
        // Every file is checked before any is kept: all or none.
        let mut checked = Vec::with_capacity(files.len());
        for (name, bytes) in files {
            let content_type = attachment::check(&name, &bytes)
                .map_err(|r| field("file", attachment_problem(r)))?;
            checked.push((attachment::clean_name(&name), content_type, bytes));
        }
        let dir = self.config.data_dir.join("attachments");
        tokio::fs::create_dir_all(&dir).await.map_err(io_error)?;
        let mut written = Vec::new();
        let now = Utc::now();
        let stored: Result<(), AppError> = async {
            let txn = self.db.begin().await.map_err(internal)?;
            for (name, content_type, bytes) in &checked {
                let key = crypto::random_token();
                let path = attachment_path(&self.config, &key);
                tokio::fs::write(&path, bytes).await.map_err(io_error)?;
                written.push(path);
                support_attachment::ActiveModel {
                    ticket_id: Set(t.id),
                    comment_id: Set(None),
                    uploader_id: Set(viewer.id),
                    file_name: Set(name.clone()),
                    content_type: Set((*content_type).to_owned()),
                    size: Set(bytes.len() as i64),
                    sha256: Set(crypto::sha256_hex(bytes)),
                    storage_key: Set(key),
                    created_at: Set(now),
                    ..Default::default()
                }
                .insert(&txn)
                .await
                .map_err(internal)?;
            }
            support_ticket::Entity::update_many()
                .col_expr(support_ticket::Column::UpdatedAt, Expr::value(now))
                .filter(support_ticket::Column::Id.eq(t.id))
                .exec(&txn)
                .await
                .map_err(internal)?;
            txn.commit().await.map_err(internal)
        }
        .await;
        if let Err(e) = stored {
            for path in written {
                let _ = tokio::fs::remove_file(path).await;
            }
            return Err(e);
        }
        Ok(checked.len())
    }

    async fn attachment(
        &self,
        actor: &SupportActor,
        id: i64,
    ) -> Result<(AttachmentView, Vec<u8>), AppError> {
        let (viewer, orgs) = self.viewer(actor).await?;
        let a = support_attachment::Entity::find_by_id(id)
            .one(&self.db)
            .await
            .map_err(internal)?
            .ok_or(AppError::NotFound)?;
        // The same rule as the ticket's page: not visible, not found.
        support_ticket::Entity::find_by_id(a.ticket_id)
            .filter(visible(&viewer, &orgs))
            .one(&self.db)
            .await
            .map_err(internal)?
            .ok_or(AppError::NotFound)?;
        let bytes = tokio::fs::read(attachment_path(&self.config, &a.storage_key))
            .await
            .map_err(io_error)?;
        let uploader = self
            .names(vec![a.uploader_id])
            .await?
            .get(&a.uploader_id)
            .map(support_user::Model::display_name)
            .unwrap_or_default();
        Ok((
            AttachmentView {
                id: a.id,
                name: a.file_name,
                content_type: a.content_type,
                size: a.size,
                uploader,
                date: format(a.created_at),
            },
            bytes,
        ))
    }

    async fn note(
        &self,
        actor: &SupportActor,
        reference: &str,
        body: String,
    ) -> Result<TicketDetail, AppError> {
        let (viewer, orgs) = self.agent(actor).await?;
        let t = self.ticket(&viewer, &orgs, reference).await?;
        let body = body.trim().to_owned();
        if body.is_empty() {
            return Err(field("body", Problem::Required));
        }
        if body.chars().count() > 20_000 {
            return Err(field("body", Problem::TooLong));
        }
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
        .insert(&self.db)
        .await
        .map_err(internal)?;
        let t = self.ticket(&viewer, &orgs, reference).await?;
        self.detail_of(&viewer, t).await
    }

    async fn assign(
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
                .map_err(|_| field("assignee", Problem::UnknownPerson))?;
            if !person.is_agent {
                return Err(field("assignee", Problem::UnknownPerson));
            }
        }
        support_ticket::Entity::update_many()
            .col_expr(support_ticket::Column::AssigneeId, Expr::value(agent))
            .col_expr(support_ticket::Column::UpdatedAt, Expr::value(Utc::now()))
            .filter(support_ticket::Column::Id.eq(t.id))
            .exec(&self.db)
            .await
            .map_err(internal)?;
        let t = self.ticket(&viewer, &orgs, reference).await?;
        self.detail_of(&viewer, t).await
    }

    async fn add_area(
        &self,
        actor: &SupportActor,
        name: String,
        description: String,
    ) -> Result<Vec<SupportAreaView>, AppError> {
        self.agent(actor).await?;
        let name = name.trim().to_owned();
        let mut problems = Vec::new();
        check_catalogue_entry(&name, &description, &mut problems);
        if !problems.is_empty() {
            return Err(AppError::Invalid(problems));
        }
        let position = support_area::Entity::find()
            .count(&self.db)
            .await
            .map_err(internal)?;
        support_area::ActiveModel {
            name: Set(name),
            description: Set(description.trim().to_owned()),
            position: Set(position as i32),
            ..Default::default()
        }
        .insert(&self.db)
        .await
        .map_err(internal)?;
        self.areas(actor).await
    }

    async fn add_request_type(
        &self,
        actor: &SupportActor,
        area: i64,
        name: String,
        kind: String,
        description: String,
    ) -> Result<Vec<SupportAreaView>, AppError> {
        self.agent(actor).await?;
        let name = name.trim().to_owned();
        let mut problems = Vec::new();
        let area = support_area::Entity::find_by_id(area)
            .one(&self.db)
            .await
            .map_err(internal)?;
        if area.is_none() {
            problems.push(FieldError::new("area", Problem::Required));
        }
        check_catalogue_entry(&name, &description, &mut problems);
        if kind != "incident" && kind != "request" {
            problems.push(FieldError::new("kind", Problem::Required));
        }
        let Some(area) = area.filter(|_| problems.is_empty()) else {
            return Err(AppError::Invalid(problems));
        };
        let position = support_request_type::Entity::find()
            .filter(support_request_type::Column::AreaId.eq(area.id))
            .count(&self.db)
            .await
            .map_err(internal)?;
        support_request_type::ActiveModel {
            area_id: Set(area.id),
            name: Set(name),
            kind: Set(kind),
            description: Set(description.trim().to_owned()),
            position: Set(position as i32),
            ..Default::default()
        }
        .insert(&self.db)
        .await
        .map_err(internal)?;
        self.areas(actor).await
    }

    async fn set_priority(
        &self,
        actor: &SupportActor,
        reference: &str,
        priority: String,
    ) -> Result<TicketDetail, AppError> {
        let (viewer, orgs) = self.agent(actor).await?;
        let t = self.ticket(&viewer, &orgs, reference).await?;
        let priority =
            Priority::parse(&priority).ok_or_else(|| field("priority", Problem::OutOfRange))?;
        support_ticket::Entity::update_many()
            .col_expr(
                support_ticket::Column::Priority,
                Expr::value(priority.code()),
            )
            .col_expr(support_ticket::Column::UpdatedAt, Expr::value(Utc::now()))
            .filter(support_ticket::Column::Id.eq(t.id))
            .exec(&self.db)
            .await
            .map_err(internal)?;
        let t = self.ticket(&viewer, &orgs, reference).await?;
        self.detail_of(&viewer, t).await
    }

    async fn areas(&self, actor: &SupportActor) -> Result<Vec<SupportAreaView>, AppError> {
        self.viewer(actor).await?;
        let areas = support_area::Entity::find()
            .order_by_asc(support_area::Column::Position)
            .all(&self.db)
            .await
            .map_err(internal)?;
        let types = support_request_type::Entity::find()
            .order_by_asc(support_request_type::Column::Position)
            .all(&self.db)
            .await
            .map_err(internal)?;
        Ok(areas
            .into_iter()
            .map(|a| SupportAreaView {
                request_types: types
                    .iter()
                    .filter(|t| t.area_id == a.id)
                    .map(|t| RequestTypeView {
                        id: t.id,
                        name: t.name.clone(),
                        kind: t.kind.clone(),
                        description: t.description.clone(),
                    })
                    .collect(),
                id: a.id,
                name: a.name,
                description: a.description,
            })
            .collect())
    }

    async fn create(&self, actor: &SupportActor, form: NewTicketForm) -> Result<String, AppError> {
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
        let description = form.description.trim().to_owned();
        if description.is_empty() {
            problems.push(FieldError::new("description", Problem::Required));
        } else if description.chars().count() > 20_000 {
            problems.push(FieldError::new("description", Problem::TooLong));
        }
        let incident = request_type.as_ref().is_some_and(|t| t.kind == "incident");
        let (impact, urgency) = (impact_of(&form.impact), urgency_of(&form.urgency));
        if incident && impact.is_none() {
            problems.push(FieldError::new("impact", Problem::Required));
        }
        if incident && urgency.is_none() {
            problems.push(FieldError::new("urgency", Problem::Required));
        }
        let payment_id = form.payment_id.trim().to_owned();
        if payment_id.chars().count() > 32 {
            problems.push(FieldError::new("payment_id", Problem::TooLong));
        }
        let Some(request_type) = request_type.filter(|_| problems.is_empty()) else {
            return Err(AppError::Invalid(problems));
        };
        let priority = match (impact, urgency) {
            (Some(i), Some(u)) if incident => Priority::of_incident(i, u),
            _ => Priority::Medium,
        };
        let now = Utc::now();
        let txn = self.db.begin().await.map_err(internal)?;
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
            impact: Set(incident.then(|| form.impact.clone())),
            urgency: Set(incident.then(|| form.urgency.clone())),
            reporter_id: Set(viewer.id),
            organization_id: Set(orgs.first().copied()),
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
        mail::enqueue(
            &txn,
            None,
            &viewer.email,
            &format!("[{reference}] We received your request"),
            format!(
                "Hello,\n\nWe received your request {reference}: {summary}\nPriority: {}\n\nFollow it here: {}/support/requests/{reference}\n\nOpenPSP Support\n",
                priority.code(),
                self.config.public_url
            ),
        )
        .await
        .map_err(internal)?;
        txn.commit().await.map_err(internal)?;
        Ok(reference)
    }

    async fn list(
        &self,
        actor: &SupportActor,
        query: TicketsQuery,
    ) -> Result<TicketsPage, AppError> {
        let (viewer, orgs) = self.viewer(actor).await?;
        let mut select = support_ticket::Entity::find().filter(visible(&viewer, &orgs));
        if !viewer.is_agent {
            select = match query.scope.as_str() {
                "mine" => select.filter(support_ticket::Column::ReporterId.eq(viewer.id)),
                "participant" => select.filter(
                    support_ticket::Column::Id.in_subquery(
                        sea_orm::sea_query::Query::select()
                            .column(support_participant::Column::TicketId)
                            .from(support_participant::Entity)
                            .and_where(support_participant::Column::UserId.eq(viewer.id))
                            .to_owned(),
                    ),
                ),
                "organization" => select
                    .filter(support_ticket::Column::Shared.eq(true))
                    .filter(support_ticket::Column::OrganizationId.is_in(orgs.clone())),
                _ => select,
            };
        }
        if viewer.is_agent {
            select = match query.assignee.as_str() {
                "unassigned" => select.filter(support_ticket::Column::AssigneeId.is_null()),
                "mine" => select.filter(support_ticket::Column::AssigneeId.eq(viewer.id)),
                _ => select,
            };
            if let Some(area) = id_filter(&query.area, "area")? {
                select = select.filter(support_ticket::Column::AreaId.eq(area));
            }
            if let Some(org) = id_filter(&query.organization, "organization")? {
                select = select.filter(support_ticket::Column::OrganizationId.eq(org));
            }
            if !query.priority.is_empty() {
                let priority = Priority::parse(&query.priority)
                    .ok_or_else(|| field("priority", Problem::OutOfRange))?;
                select = select.filter(support_ticket::Column::Priority.eq(priority.code()));
            }
        }
        let open: Vec<&str> = TicketStatus::ALL
            .into_iter()
            .filter(|s| s.is_open())
            .map(TicketStatus::code)
            .collect();
        select = match query.status.as_str() {
            "" | "open" => select.filter(support_ticket::Column::Status.is_in(open)),
            "closed" => select.filter(support_ticket::Column::Status.is_not_in(open)),
            "all" => select,
            code => match TicketStatus::parse(code.strip_prefix("only:").unwrap_or(code)) {
                Some(s) => select.filter(support_ticket::Column::Status.eq(s.code())),
                None => return Err(field("status", Problem::OutOfRange)),
            },
        };
        if !query.request_type.trim().is_empty() {
            let id: i64 = query
                .request_type
                .trim()
                .parse()
                .map_err(|_| field("request_type", Problem::OutOfRange))?;
            select = select.filter(support_ticket::Column::RequestTypeId.eq(id));
        }
        let search = query.search.trim();
        if !search.is_empty() {
            if let Some((key, number)) = ticket::parse_reference(search) {
                select = select
                    .filter(support_ticket::Column::Reference.eq(ticket::reference(&key, number)));
            } else {
                for word in search.split_whitespace().take(8) {
                    let pattern = format!("%{}%", word.to_lowercase().replace(['%', '_'], ""));
                    select = select.filter(
                        Condition::any()
                            .add(
                                Expr::expr(Func::lower(Expr::col(support_ticket::Column::Summary)))
                                    .like(pattern.clone()),
                            )
                            .add(
                                Expr::expr(Func::lower(Expr::col(
                                    support_ticket::Column::Description,
                                )))
                                .like(pattern),
                            ),
                    );
                }
            }
        }
        let asc = query.dir == "asc";
        let column = match query.sort.as_str() {
            "reference" => support_ticket::Column::Id,
            "summary" => support_ticket::Column::Summary,
            "status" => support_ticket::Column::Status,
            "created" => support_ticket::Column::CreatedAt,
            "priority" => support_ticket::Column::Priority,
            _ => support_ticket::Column::UpdatedAt,
        };
        select = if asc {
            select.order_by_asc(column)
        } else {
            select.order_by_desc(column)
        }
        .order_by_desc(support_ticket::Column::Id);
        let total = select.clone().count(&self.db).await.map_err(internal)?;
        let pages = std::cmp::Ord::max(total.div_ceil(PAGE_SIZE), 1) as u32;
        let page = query.page.clamp(1, pages);
        let rows = select
            .offset(u64::from(page - 1) * PAGE_SIZE)
            .limit(PAGE_SIZE)
            .all(&self.db)
            .await
            .map_err(internal)?;
        let mut ids: Vec<i64> = rows.iter().map(|t| t.reporter_id).collect();
        ids.extend(rows.iter().filter_map(|t| t.assignee_id));
        let people = self.names(ids).await?;
        let organizations: HashMap<i64, String> = if viewer.is_agent {
            crate::entities::support_organization::Entity::find()
                .order_by_asc(crate::entities::support_organization::Column::Name)
                .all(&self.db)
                .await
                .map_err(internal)?
        } else {
            crate::entities::support_organization::Entity::find()
                .filter(
                    crate::entities::support_organization::Column::Id
                        .is_in(rows.iter().filter_map(|t| t.organization_id)),
                )
                .all(&self.db)
                .await
                .map_err(internal)?
        }
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect();
        let now = Utc::now();
        let name = |id: i64| {
            people
                .get(&id)
                .map(support_user::Model::display_name)
                .unwrap_or_default()
        };
        let areas: HashMap<i64, String> = support_area::Entity::find()
            .all(&self.db)
            .await
            .map_err(internal)?
            .into_iter()
            .map(|a| (a.id, a.name))
            .collect();
        let request_types = support_request_type::Entity::find()
            .order_by_asc(support_request_type::Column::AreaId)
            .order_by_asc(support_request_type::Column::Position)
            .all(&self.db)
            .await
            .map_err(internal)?
            .into_iter()
            .map(|t| RequestTypeView {
                id: t.id,
                name: t.name,
                kind: t.kind,
                description: t.description,
            })
            .collect();
        Ok(TicketsPage {
            rows: rows
                .iter()
                .map(|t| TicketRow {
                    kind: t.kind.clone(),
                    reference: t.reference.clone(),
                    summary: t.summary.clone(),
                    status: t.status.clone(),
                    area: areas.get(&t.area_id).cloned().unwrap_or_default(),
                    requester: name(t.reporter_id),
                    created: format(t.created_at),
                    updated: format(t.updated_at),
                    assignee: t.assignee_id.map(name).unwrap_or_default(),
                    priority: t.priority.clone(),
                    organization: t
                        .organization_id
                        .and_then(|id| organizations.get(&id).cloned())
                        .unwrap_or_default(),
                    sla: if viewer.is_agent {
                        sla_of(t, now)
                            .map(|s| {
                                if t.first_response_at.is_none() {
                                    s.response_state
                                } else {
                                    s.resolution_state
                                }
                            })
                            .unwrap_or_default()
                    } else {
                        String::new()
                    },
                })
                .collect(),
            total,
            page,
            pages,
            request_types,
            areas: if viewer.is_agent {
                let mut areas: Vec<(i64, String)> = areas.into_iter().collect();
                areas.sort_by(|a, b| a.1.cmp(&b.1));
                areas
            } else {
                Vec::new()
            },
            organizations: if viewer.is_agent {
                let mut orgs: Vec<(i64, String)> = organizations.into_iter().collect();
                orgs.sort_by(|a, b| a.1.cmp(&b.1));
                orgs
            } else {
                Vec::new()
            },
            for_agent: viewer.is_agent,
        })
    }

    async fn detail(
        &self,
        actor: &SupportActor,
        reference: &str,
    ) -> Result<TicketDetail, AppError> {
        let (viewer, orgs) = self.viewer(actor).await?;
        let t = self.ticket(&viewer, &orgs, reference).await?;
        self.detail_of(&viewer, t).await
    }

    async fn comment(
        &self,
        actor: &SupportActor,
        reference: &str,
        body: String,
    ) -> Result<TicketDetail, AppError> {
        let (viewer, orgs) = self.viewer(actor).await?;
        let t = self.ticket(&viewer, &orgs, reference).await?;
        let body = body.trim().to_owned();
        if body.is_empty() {
            return Err(field("body", Problem::Required));
        }
        if body.chars().count() > 20_000 {
            return Err(field("body", Problem::TooLong));
        }
        let status = status_of(&t);
        if status.is_final() {
            return Err(AppError::NotAllowedNow);
        }
        let now = Utc::now();
        let txn = self.db.begin().await.map_err(internal)?;
        // A customer's answer to an information request puts the ticket back to work.
        let role = Self::role(&viewer, &t);
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
            notify(
                &self.db,
                &self.config.public_url,
                &t,
                viewer.id,
                "New reply from support",
                "The support team answered your request.",
            )
            .await
            .map_err(internal)?;
        }
        let t = self.ticket(&viewer, &orgs, reference).await?;
        self.detail_of(&viewer, t).await
    }

    async fn act(
        &self,
        actor: &SupportActor,
        reference: &str,
        action: &str,
    ) -> Result<TicketDetail, AppError> {
        let (viewer, orgs) = self.viewer(actor).await?;
        let t = self.ticket(&viewer, &orgs, reference).await?;
        let action = match action {
            "cancel" => TicketAction::Cancel,
            "reopen" => TicketAction::Reopen,
            "close" => TicketAction::Close,
            "start" => TicketAction::StartWork,
            "backlog" => TicketAction::BackToBacklog,
            "request_information" => TicketAction::RequestInformation,
            "resolve" => TicketAction::Resolve,
            _ => return Err(field("action", Problem::OutOfRange)),
        };
        let from = status_of(&t);
        let to =
            ticket::transition(from, action, Self::role(&viewer, &t)).map_err(|e| match e {
                ticket::TicketError::NotAllowed => AppError::Forbidden,
                ticket::TicketError::WrongStatus => AppError::NotAllowedNow,
            })?;
        let now = Utc::now();
        let txn = self.db.begin().await.map_err(internal)?;
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
            crate::platform::jobs::enqueue(
                &txn,
                None,
                crate::platform::jobs::kind::CLOSE_TICKET,
                serde_json::json!({ "ticket": t.id, "resolved_at": at.timestamp() }),
                at + chrono::Duration::days(ticket::AUTO_CLOSE_DAYS),
                5,
            )
            .await
            .map_err(internal)?;
        }
        txn.commit().await.map_err(internal)?;
        let who = viewer.display_name();
        let (subject, text) = if to == TicketStatus::WaitingForReporter {
            (
                "Information requested".to_owned(),
                format!("{who} needs more information from you: please answer with a comment."),
            )
        } else {
            (
                format!("Status changed to {}", to.code()),
                format!("{who} changed the status of the request to {}.", to.code()),
            )
        };
        notify(
            &self.db,
            &self.config.public_url,
            &t,
            viewer.id,
            &subject,
            &text,
        )
        .await
        .map_err(internal)?;
        let t = self.ticket(&viewer, &orgs, reference).await?;
        self.detail_of(&viewer, t).await
    }

    async fn share(
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
        let t = update.update(&self.db).await.map_err(internal)?;
        self.detail_of(&viewer, t).await
    }

    async fn add_participant(
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
        let email =
            domain::parse_email(&email).map_err(|_| field("email", Problem::InvalidEmail))?;
        let person = support_user::Entity::find()
            .filter(support_user::Column::Email.eq(email))
            .filter(support_user::Column::Status.eq(person_status::ACTIVE))
            .one(&self.db)
            .await
            .map_err(internal)?
            .ok_or_else(|| field("email", Problem::UnknownPerson))?;
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
            return Err(field("email", Problem::UnknownPerson));
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
        .exec(&self.db)
        .await
        .map_err(internal)?;
        if person.notify_email {
            mail::enqueue(
                &self.db,
                None,
                &person.email,
                &format!("[{}] You were added to a request", t.reference),
                format!(
                    "Hello,\n\nYou now follow the request {}: {}\n{}/support/requests/{}\n\nOpenPSP Support\n",
                    t.reference, t.summary, self.config.public_url, t.reference
                ),
            )
            .await
            .map_err(internal)?;
        }
        let t = self.ticket(&viewer, &orgs, reference).await?;
        self.detail_of(&viewer, t).await
    }
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
    let txn = db.begin().await?;
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
    notify(
        db,
        &config.public_url,
        &t,
        0,
        "Closed",
        "The request was resolved 7 days ago and is now closed. Raise a new request if you need more help.",
    )
    .await?;
    Ok(true)
}

/// Demo tickets in every status (SP-10 demo data), once: (reporter, request type name,
/// summary, description, status, shared, agent reply).
/// A demo ticket: reporter, request type, summary, description, status, shared, reply.
type DemoTicket = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    TicketStatus,
    bool,
    Option<&'static str>,
);

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
        let priority = if rt.kind == "incident" {
            Priority::of_incident(Impact::Significant, Urgency::High)
        } else {
            Priority::Medium
        };
        let txn = db.begin().await?;
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
            impact: Set((rt.kind == "incident").then(|| "significant".to_owned())),
            urgency: Set((rt.kind == "incident").then(|| "high".to_owned())),
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
