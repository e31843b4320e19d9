//! Server functions of the audit log (Admins only; the port checks the role).

use super::{AuditFilter, AuditPage};
use crate::error::AppError;
use leptos::prelude::*;

/// A page of the audit log.
#[server(endpoint = "config/audit_log")]
pub async fn load_audit_log(filter: AuditFilter) -> Result<AuditPage, AppError> {
    let actor = crate::context::actor().await?;
    crate::context::ports()?
        .audit
        .audit_log(&actor, filter)
        .await
}
