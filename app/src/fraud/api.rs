//! Server functions of the Fraud detection page (the port decides who may).

use super::{FraudPage, FraudRuleRow, NewRuleForm, TestForm, TestResult};
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[cfg(feature = "ssr")]
async fn port() -> Result<
    (
        crate::account::Actor,
        std::sync::Arc<dyn crate::fraud::FraudPort>,
        String,
    ),
    AppError,
> {
    let actor = crate::context::actor().await?;
    let ip = crate::context::client_ip().await;
    Ok((actor, crate::context::ports()?.fraud, ip))
}

/// The merchant's rules.
#[server(endpoint = "fraud/page")]
pub async fn load_fraud_rules() -> Result<FraudPage, AppError> {
    let (actor, port, _) = port().await?;
    port.page(&actor).await
}

/// Adds a rule.
#[server(endpoint = "fraud/add", input = Json)]
pub async fn add_fraud_rule(form: NewRuleForm) -> Result<FraudRuleRow, AppError> {
    let (actor, port, ip) = port().await?;
    port.add(&actor, form, &ip).await
}

/// Deletes a rule.
#[server(endpoint = "fraud/delete", input = Json)]
pub async fn delete_fraud_rule(id: i64) -> Result<(), AppError> {
    let (actor, port, ip) = port().await?;
    port.delete(&actor, id, &ip).await
}

/// Screens typed values without paying.
#[server(endpoint = "fraud/test", input = Json)]
pub async fn test_fraud_rules(form: TestForm) -> Result<TestResult, AppError> {
    let (actor, port, _) = port().await?;
    port.test(&actor, form).await
}
