//! The Fraud detection page's backend: [`FraudPort`], implemented by the server.

use super::{FraudPage, FraudRuleRow, NewRuleForm, TestForm, TestResult};
use crate::account::Actor;
use crate::error::AppError;

/// A merchant's fraud rules. Every query is the actor's merchant's; Admins only; every
/// change writes its audit row.
#[async_trait::async_trait]
pub trait FraudPort: Send + Sync {
    /// The rules and whether IP-country rules can be checked.
    async fn page(&self, actor: &Actor) -> Result<FraudPage, AppError>;
    /// Adds a rule.
    async fn add(
        &self,
        actor: &Actor,
        form: NewRuleForm,
        ip: &str,
    ) -> Result<FraudRuleRow, AppError>;
    /// Deletes a rule.
    async fn delete(&self, actor: &Actor, id: i64, ip: &str) -> Result<(), AppError>;
    /// Screens typed values with the rules, without paying or recording anything.
    async fn test(&self, actor: &Actor, form: TestForm) -> Result<TestResult, AppError>;
}
