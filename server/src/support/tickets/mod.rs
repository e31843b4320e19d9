//! Support tickets (SP-4..SP-8, SP-11): raising a request with a gap-free reference,
//! the requests list and the agents' queue, a request's page, comments and notes, the
//! status moves with the 7-day close, sharing and participants, attachments, the
//! agents' assignment and priority, and the e-mails they send.
//!
//! Who sees a ticket is decided once, in [`visibility`]: every query goes through its
//! condition, so a page, a server function or a search cannot reach another
//! organization's ticket. [`SupportTicketService`] answers the portal's
//! [`SupportTicketPort`]; each part of a ticket's life has its own module below.

pub mod catalogue;
pub mod close_job;
mod comments;
pub mod demo;
mod detail;
mod files;
mod list;
mod moves;
mod notifications;
mod raise;
mod references;
mod sharing;
mod triage;
mod visibility;

use crate::account::service::internal;
use crate::entities::{support_ticket, support_user};
use crate::platform::config::Config;
use app::error::AppError;
use app::support::accounts::SupportActor;
use app::support::tickets::SupportTicketPort;
use app::support::tickets::{
    AttachmentView, NewTicketForm, SupportAreaView, TicketDetail, TicketsPage, TicketsQuery,
};
use chrono::{DateTime, Utc};
use domain::ticket::{Priority, TicketAction, TicketKind, TicketStatus};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use std::collections::HashMap;
use std::sync::Arc;

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

    /// People by id, for the names a page shows.
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
}

/// A ticket's status (an unknown stored code reads as the backlog).
fn status_of(t: &support_ticket::Model) -> TicketStatus {
    TicketStatus::parse(&t.status).unwrap_or(TicketStatus::Backlog)
}

/// A date as the portal writes it.
pub(crate) fn format(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

#[async_trait::async_trait]
impl SupportTicketPort for SupportTicketService {
    async fn areas(&self, actor: &SupportActor) -> Result<Vec<SupportAreaView>, AppError> {
        self.catalogue(actor).await
    }

    async fn create(&self, actor: &SupportActor, form: NewTicketForm) -> Result<String, AppError> {
        self.raise(actor, form).await
    }

    async fn list(
        &self,
        actor: &SupportActor,
        query: TicketsQuery,
    ) -> Result<TicketsPage, AppError> {
        self.requests(actor, query).await
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
        self.add_comment(actor, reference, body).await
    }

    async fn act(
        &self,
        actor: &SupportActor,
        reference: &str,
        action: TicketAction,
    ) -> Result<TicketDetail, AppError> {
        self.move_status(actor, reference, action).await
    }

    async fn share(
        &self,
        actor: &SupportActor,
        reference: &str,
        shared: bool,
    ) -> Result<TicketDetail, AppError> {
        self.set_shared(actor, reference, shared).await
    }

    async fn add_participant(
        &self,
        actor: &SupportActor,
        reference: &str,
        email: String,
    ) -> Result<TicketDetail, AppError> {
        self.new_participant(actor, reference, email).await
    }

    async fn attach(
        &self,
        actor: &SupportActor,
        reference: &str,
        files: Vec<(String, Vec<u8>)>,
    ) -> Result<usize, AppError> {
        self.attach_files(actor, reference, files).await
    }

    async fn attachment(
        &self,
        actor: &SupportActor,
        id: i64,
    ) -> Result<(AttachmentView, Vec<u8>), AppError> {
        self.attached_file(actor, id).await
    }

    async fn note(
        &self,
        actor: &SupportActor,
        reference: &str,
        body: String,
    ) -> Result<TicketDetail, AppError> {
        self.add_note(actor, reference, body).await
    }

    async fn assign(
        &self,
        actor: &SupportActor,
        reference: &str,
        agent: Option<i64>,
    ) -> Result<TicketDetail, AppError> {
        self.assign_to(actor, reference, agent).await
    }

    async fn add_area(
        &self,
        actor: &SupportActor,
        name: String,
        description: String,
    ) -> Result<Vec<SupportAreaView>, AppError> {
        self.new_area(actor, name, description).await
    }

    async fn add_request_type(
        &self,
        actor: &SupportActor,
        area: i64,
        name: String,
        kind: Option<TicketKind>,
        description: String,
    ) -> Result<Vec<SupportAreaView>, AppError> {
        self.new_request_type(actor, area, name, kind, description)
            .await
    }

    async fn set_priority(
        &self,
        actor: &SupportActor,
        reference: &str,
        priority: Priority,
    ) -> Result<TicketDetail, AppError> {
        self.change_priority(actor, reference, priority).await
    }
}
