//! The Create production account page's backend: [`ProductionPort`], implemented by the
//! server.

use super::{ProductionCreated, ProductionDefaults, ProductionForm};
use crate::account::Actor;
use crate::error::AppError;

/// Copying a TEST account to a new PRODUCTION PSPID. Admins of TEST accounts only,
/// decided on a fresh read of the user and merchant.
#[async_trait::async_trait]
pub trait ProductionPort: Send + Sync {
    /// The form's starting values.
    async fn defaults(&self, actor: &Actor) -> Result<ProductionDefaults, AppError>;
    /// Creates the PRODUCTION merchant with what is copied and its Admin, who is mailed
    /// a link to choose a password; audited in both merchants.
    async fn create(
        &self,
        actor: &Actor,
        form: ProductionForm,
        ip: &str,
    ) -> Result<ProductionCreated, AppError>;
}
