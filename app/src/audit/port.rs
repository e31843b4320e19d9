//! The audit log's backend: [`AuditPort`], implemented by the server.

use super::{AuditFilter, AuditPage};
use crate::account::Actor;
use crate::error::AppError;

/// The audit log: Admins only, their own merchant's entries only.
#[async_trait::async_trait]
pub trait AuditPort: Send + Sync {
    /// One page of the entries matching `filter`, newest first.
    async fn audit_log(&self, actor: &Actor, filter: AuditFilter) -> Result<AuditPage, AppError>;
}
