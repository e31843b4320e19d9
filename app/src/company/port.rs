//! The port behind the account page.

use super::{AccountForm, AccountPage};
use crate::account::Actor;
use crate::error::AppError;

/// The merchant's account (MB-10), Admins only.
#[async_trait::async_trait]
pub trait CompanyPort: Send + Sync {
    /// The page's data.
    async fn account(&self, actor: &Actor) -> Result<AccountPage, AppError>;
    /// Checks and saves the form; every change is audited before → after.
    async fn save_account(
        &self,
        actor: &Actor,
        form: AccountForm,
        ip: &str,
    ) -> Result<(), AppError>;
}
