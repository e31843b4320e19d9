//! The Users page's backend: [`UsersPort`], implemented by the server.

use super::{NewUserForm, PasswordSettings, UserAction, UserEdit, UserRow, UsersOverview};
use crate::account::Actor;
use crate::error::AppError;

/// Users and the PSPID's sign-in rules. Admins only; every query is the actor's
/// merchant's and every change is audited.
#[async_trait::async_trait]
pub trait UsersPort: Send + Sync {
    /// The users, the 2FA requirement and the password rules.
    async fn overview(&self, actor: &Actor) -> Result<UsersOverview, AppError>;
    /// Creates a user with a password nobody knows and mails them the link to choose one.
    async fn create(&self, actor: &Actor, new: NewUserForm, ip: &str) -> Result<UserRow, AppError>;
    /// Changes a user's name, e-mail, role and refund right.
    async fn update(
        &self,
        actor: &Actor,
        id: i64,
        edit: UserEdit,
        ip: &str,
    ) -> Result<UserRow, AppError>;
    /// Deactivates, reactivates, unlocks, mails a password link or resets the second
    /// factor of a user.
    async fn act(
        &self,
        actor: &Actor,
        id: i64,
        action: UserAction,
        ip: &str,
    ) -> Result<UserRow, AppError>;
    /// Requires (or not) a second factor of every user of the PSPID.
    async fn set_require_two_factor(
        &self,
        actor: &Actor,
        required: bool,
        ip: &str,
    ) -> Result<(), AppError>;
    /// Saves the password rules.
    async fn save_password_settings(
        &self,
        actor: &Actor,
        settings: PasswordSettings,
        ip: &str,
    ) -> Result<(), AppError>;
}
