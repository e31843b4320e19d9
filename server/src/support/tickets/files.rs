//! Where a ticket's attached files are kept: checked (type from the content, size,
//! count), their bytes in the data directory, never under the site root, and a row each
//! in the database. The upload and download addresses are in
//! [`crate::support::attachments`].

use super::visibility::visible;
use super::{format, status_of, SupportTicketService};
use crate::account::service::internal;
use crate::entities::{support_attachment, support_ticket, support_user};
use crate::platform::config::Config;
use crate::platform::crypto;
use app::error::{AppError, Problem};
use app::support::accounts::SupportActor;
use app::support::tickets::AttachmentView;
use chrono::Utc;
use domain::attachment;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set, TransactionTrait,
};
use std::path::PathBuf;

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

impl SupportTicketService {
    /// Checks every file, then keeps them all (bytes in the data directory, a row each)
    /// or none.
    pub(super) async fn attach_files(
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
            return Err(AppError::field("file", Problem::Required));
        }
        if files.len() > attachment::MAX_FILES {
            return Err(AppError::field("file", Problem::TooManyFiles));
        }
        // Every file is checked before any is kept: all or none.
        let mut checked = Vec::with_capacity(files.len());
        for (name, bytes) in files {
            let content_type = attachment::check(&name, &bytes)
                .map_err(|r| AppError::field("file", attachment_problem(r)))?;
            checked.push((attachment::clean_name(&name), content_type, bytes));
        }
        let dir = attachments_dir(&self.config);
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
