//! The port behind the payment methods page.

use super::{MethodForm, MethodRow};
use crate::account::Actor;
use crate::error::AppError;

/// The merchant's payment methods (MB-11), Admins only.
#[async_trait::async_trait]
pub trait MethodsPort: Send + Sync {
    /// Every method with its setting, in display order.
    async fn methods(&self, actor: &Actor) -> Result<Vec<MethodRow>, AppError>;
    /// Checks and saves one method's setting, audited before → after; the row as saved.
    async fn save_method(
        &self,
        actor: &Actor,
        form: MethodForm,
        ip: &str,
    ) -> Result<MethodRow, AppError>;
}
