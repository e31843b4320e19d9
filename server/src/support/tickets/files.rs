//! Where a ticket's attached files are kept: checked (type from the content, size,
//! count), their bytes in the data directory, never under the site root, and a row each
//! in the database. Uploads are written to a file in the data directory as they arrive,
//! counted on the way and cut off past the size limit, so a file is never held whole in
//! memory while it is received; an organization's attachments (for a person in none,
//! those of their own tickets) together stay within
//! [`ORGANIZATION_QUOTA_BYTES`]. A file not kept (refused, over the quota, the client
//! gone) is removed. The upload and download addresses are in
//! [`crate::support::attachments`].

use super::visibility::visible;
use super::{format, status_of, SupportTicketService};
use crate::account::service::internal;
use crate::entities::{support_attachment, support_organization, support_ticket, support_user};
use crate::platform::config::Config;
use crate::platform::crypto;
use crate::platform::db::BeginWrite;
use app::error::{AppError, Problem};
use app::support::accounts::SupportActor;
use app::support::tickets::AttachmentView;
use chrono::Utc;
use domain::attachment;
use futures_util::{Stream, StreamExt};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use sha2::{Digest, Sha256};
use std::path::PathBuf;
use tokio::io::AsyncWriteExt;

/// The attachments of one organization's tickets together hold at most this many bytes
/// (500 MiB); an upload that would go over is refused whole.
pub const ORGANIZATION_QUOTA_BYTES: i64 = 500 * 1024 * 1024;

/// Where attachments' bytes are kept: in the data directory, never under the site root.
fn attachments_dir(config: &Config) -> PathBuf {
    config.data_dir.join("attachments")
}

/// The file of the attachment stored under `key`.
fn attachment_path(config: &Config, key: &str) -> PathBuf {
    attachments_dir(config).join(key)
}

/// A failed read or write of an attachment's bytes: logged, and an internal error.
fn io_error(e: std::io::Error) -> AppError {
    tracing::error!(error = %e, "attachment storage failed");
    AppError::Internal
}

/// The problem a form shows for a refused file.
fn attachment_problem(refusal: attachment::Refusal) -> Problem {
    match refusal {
        attachment::Refusal::Empty => Problem::FileEmpty,
        attachment::Refusal::TooLarge => Problem::FileTooLarge,
        attachment::Refusal::Type => Problem::FileType,
        attachment::Refusal::Disguised => Problem::FileDisguised,
    }
}

/// A received file waiting in the attachments directory under a temporary name (starting
/// with `.incoming-`) until it is kept. Removed when dropped unless it was kept.
#[derive(Debug)]
pub struct ReceivedFile {
    /// The name as uploaded.
    name: String,
    /// Where its bytes are.
    path: PathBuf,
    /// Bytes received.
    size: u64,
    /// SHA-256 of the bytes, hex.
    sha256: String,
    /// Set once the file was renamed to its stored name.
    kept: bool,
}

impl ReceivedFile {
    /// The name as uploaded.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Bytes received.
    pub fn size(&self) -> u64 {
        self.size
    }
}

impl Drop for ReceivedFile {
    fn drop(&mut self) {
        if !self.kept {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// Sums the sizes of the attachments of the tickets `tickets` selects.
async fn stored_bytes<C: ConnectionTrait>(
    conn: &C,
    tickets: sea_orm::sea_query::SelectStatement,
) -> Result<i64, AppError> {
    let total: Option<i64> = support_attachment::Entity::find()
        .select_only()
        .column_as(
            Expr::cust("CAST(COALESCE(SUM(\"size\"), 0) AS BIGINT)"),
            "total",
        )
        .filter(support_attachment::Column::TicketId.in_subquery(tickets))
        .into_tuple()
        .one(conn)
        .await
        .map_err(internal)?;
    Ok(total.unwrap_or(0))
}

impl SupportTicketService {
    /// The ticket `reference` if the actor may attach files to it now (sees it, and it
    /// is not closed or cancelled): asked before an upload is received.
    pub async fn attach_target(
        &self,
        actor: &SupportActor,
        reference: &str,
    ) -> Result<support_ticket::Model, AppError> {
        let (viewer, orgs) = self.viewer(actor).await?;
        let t = self.ticket(&viewer, &orgs, reference).await?;
        if status_of(&t).is_final() {
            return Err(AppError::NotAllowedNow);
        }
        Ok(t)
    }

    /// Receives one file from `chunks` into the attachments directory as it arrives,
    /// counting its bytes and stopping past [`attachment::MAX_BYTES`] (refused as too
    /// large, as is a body that fails or goes over the request's limit).
    pub async fn receive_file<S, E>(
        &self,
        name: String,
        mut chunks: S,
    ) -> Result<ReceivedFile, AppError>
    where
        S: Stream<Item = Result<axum::body::Bytes, E>> + Unpin,
    {
        let dir = attachments_dir(&self.config);
        tokio::fs::create_dir_all(&dir).await.map_err(io_error)?;
        let path = dir.join(format!(".incoming-{}", crypto::random_token()));
        let mut file = tokio::fs::File::create(&path).await.map_err(io_error)?;
        // From here on, dropping `received` removes the file.
        let mut received = ReceivedFile {
            name,
            path,
            size: 0,
            sha256: String::new(),
            kept: false,
        };
        let mut hash = Sha256::new();
        while let Some(chunk) = chunks.next().await {
            let too_large = || AppError::field("file", Problem::FileTooLarge);
            let chunk = chunk.map_err(|_| too_large())?;
            received.size += chunk.len() as u64;
            if received.size > attachment::MAX_BYTES as u64 {
                return Err(too_large());
            }
            hash.update(&chunk);
            file.write_all(&chunk).await.map_err(io_error)?;
        }
        file.flush().await.map_err(io_error)?;
        received.sha256 = hex::encode(hash.finalize());
        Ok(received)
    }

    /// Checks every file, then keeps them all (bytes in the data directory, a row each)
    /// or none.
    pub(super) async fn attach_files(
        &self,
        actor: &SupportActor,
        reference: &str,
        files: Vec<(String, Vec<u8>)>,
    ) -> Result<usize, AppError> {
        self.attach_target(actor, reference).await?;
        if files.len() > attachment::MAX_FILES {
            return Err(AppError::field("file", Problem::TooManyFiles));
        }
        let mut received = Vec::with_capacity(files.len());
        for (name, bytes) in files {
            let chunks = futures_util::stream::iter([Ok::<_, std::io::Error>(
                axum::body::Bytes::from(bytes),
            )]);
            received.push(self.receive_file(name, chunks).await?);
        }
        self.attach_received(actor, reference, received).await
    }

    /// Checks every received file and the organization's quota, then keeps them all (a
    /// row each, the file renamed to its stored name) or none (every file removed).
    pub async fn attach_received(
        &self,
        actor: &SupportActor,
        reference: &str,
        files: Vec<ReceivedFile>,
    ) -> Result<usize, AppError> {
        let (viewer, orgs) = self.viewer(actor).await?;
        let t = self.ticket(&viewer, &orgs, reference).await?;
        if status_of(&t).is_final() {
            return Err(AppError::NotAllowedNow);
        }
        if files.is_empty() {
            return Err(AppError::field("file", Problem::Required));
        }
        if files.len() > attachment::MAX_FILES {
            return Err(AppError::field("file", Problem::TooManyFiles));
        }
        // Every file is checked before any is kept: all or none. The type is read from
        // the content (one file in memory at a time, at most its size limit).
        let mut checked = Vec::with_capacity(files.len());
        for file in files {
            let bytes = tokio::fs::read(&file.path).await.map_err(io_error)?;
            let content_type = attachment::check(&file.name, &bytes)
                .map_err(|r| AppError::field("file", attachment_problem(r)))?;
            drop(bytes);
            checked.push((attachment::clean_name(&file.name), content_type, file));
        }
        let adding: i64 = checked.iter().map(|(_, _, f)| f.size as i64).sum();
        let now = Utc::now();
        let mut kept = Vec::new();
        let stored: Result<(), AppError> = async {
            let txn = self.db.begin_write().await.map_err(internal)?;
            // The ticket's row is written first, so concurrent uploads to it queue here
            // (SQLite's writer lock); the organization's row is locked on PostgreSQL, so
            // two uploads of one organization cannot both pass the quota.
            support_ticket::Entity::update_many()
                .col_expr(support_ticket::Column::UpdatedAt, Expr::value(now))
                .filter(support_ticket::Column::Id.eq(t.id))
                .exec(&txn)
                .await
                .map_err(internal)?;
            let mut tickets = sea_orm::sea_query::Query::select();
            tickets
                .column(support_ticket::Column::Id)
                .from(support_ticket::Entity);
            match t.organization_id {
                Some(org) => {
                    support_organization::Entity::find_by_id(org)
                        .lock_exclusive()
                        .one(&txn)
                        .await
                        .map_err(internal)?;
                    tickets.and_where(support_ticket::Column::OrganizationId.eq(org));
                }
                None => {
                    // A person in no organization has one quota across their own
                    // tickets, not one per ticket; their row is locked like an
                    // organization's.
                    support_user::Entity::find_by_id(t.reporter_id)
                        .lock_exclusive()
                        .one(&txn)
                        .await
                        .map_err(internal)?;
                    tickets
                        .and_where(support_ticket::Column::OrganizationId.is_null())
                        .and_where(support_ticket::Column::ReporterId.eq(t.reporter_id));
                }
            }
            if stored_bytes(&txn, tickets).await? + adding > ORGANIZATION_QUOTA_BYTES {
                return Err(AppError::field("file", Problem::StorageFull));
            }
            for (name, content_type, file) in checked.iter_mut() {
                let key = crypto::random_token();
                let path = attachment_path(&self.config, &key);
                tokio::fs::rename(&file.path, &path)
                    .await
                    .map_err(io_error)?;
                file.kept = true;
                kept.push(path);
                support_attachment::ActiveModel {
                    ticket_id: Set(t.id),
                    comment_id: Set(None),
                    uploader_id: Set(viewer.id),
                    file_name: Set(name.clone()),
                    content_type: Set((*content_type).to_owned()),
                    size: Set(file.size as i64),
                    sha256: Set(file.sha256.clone()),
                    storage_key: Set(key),
                    created_at: Set(now),
                    ..Default::default()
                }
                .insert(&txn)
                .await
                .map_err(internal)?;
            }
            txn.commit().await.map_err(internal)
        }
        .await;
        if let Err(e) = stored {
            for path in kept {
                let _ = tokio::fs::remove_file(path).await;
            }
            return Err(e);
        }
        Ok(checked.len())
    }

    /// An attachment and its bytes, if the viewer may see its ticket.
    pub(super) async fn attached_file(
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

    /// The files attached to a ticket, oldest first.
    pub(super) async fn attachments_of(
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
}
