//! The OpenPSP schema, one versioned migration per change.
//!
//! The server runs [`Migrator::up`] at start; `openpsp-migrations` is the stand-alone CLI.

pub use sea_orm_migration::prelude::*;

mod m20261122_000001_create_accounts;
mod m20261122_000002_create_payments;
mod m20261122_000003_jobs_merchant;
mod m20261122_000004_user_refund_right;
mod m20261122_000005_operations_views;
mod m20261122_000006_terminals;
mod m20261122_000007_support_accounts;
mod m20261122_000008_support_tickets;
mod m20261122_000009_support_status;
mod m20261122_000010_support_knowledge;
mod m20261130_000001_terminal_pairing;
mod m20261130_000003_session_epoch;
mod m20261130_000004_idempotence_lease;
mod m20261130_000005_awaited_answers;
mod m20261130_000006_payment_links;
mod m20261201_000007_self_admin;
mod m20261201_000008_password_history;
mod m20261201_000010_token_last_used;
mod m20261202_000001_audit_log_created;
mod m20261202_000002_account_details;
mod m20261203_000001_payment_methods;
mod m20261203_000002_payment_settings;
mod m20261203_000003_fraud_rules;
mod m20261204_000001_redirect_methods;
mod m20261204_000002_expiry_processing;
mod m20261204_000003_template_sms_openid;
mod m20261205_000001_rate_windows;
mod m20261205_000002_data_centres;
mod m20261205_000003_merchant_homes;
mod m20261206_000001_awaited_answers_index;
mod m20261207_000001_merchant_settings_version;
mod m20261208_000001_directory_changes;

/// Every migration, oldest first.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261122_000001_create_accounts::Migration),
            Box::new(m20261122_000002_create_payments::Migration),
            Box::new(m20261122_000003_jobs_merchant::Migration),
            Box::new(m20261122_000004_user_refund_right::Migration),
            Box::new(m20261122_000005_operations_views::Migration),
            Box::new(m20261122_000006_terminals::Migration),
            Box::new(m20261122_000007_support_accounts::Migration),
            Box::new(m20261122_000008_support_tickets::Migration),
            Box::new(m20261122_000009_support_status::Migration),
            Box::new(m20261122_000010_support_knowledge::Migration),
            Box::new(m20261130_000004_idempotence_lease::Migration),
            Box::new(m20261130_000003_session_epoch::Migration),
            Box::new(m20261130_000001_terminal_pairing::Migration),
            Box::new(m20261130_000005_awaited_answers::Migration),
            Box::new(m20261130_000006_payment_links::Migration),
            Box::new(m20261201_000007_self_admin::Migration),
            Box::new(m20261201_000008_password_history::Migration),
            Box::new(m20261202_000001_audit_log_created::Migration),
            Box::new(m20261202_000002_account_details::Migration),
            Box::new(m20261201_000010_token_last_used::Migration),
            Box::new(m20261203_000002_payment_settings::Migration),
            Box::new(m20261203_000003_fraud_rules::Migration),
            Box::new(m20261203_000001_payment_methods::Migration),
            Box::new(m20261204_000001_redirect_methods::Migration),
            Box::new(m20261204_000002_expiry_processing::Migration),
            Box::new(m20261204_000003_template_sms_openid::Migration),
            Box::new(m20261205_000001_rate_windows::Migration),
            Box::new(m20261205_000002_data_centres::Migration),
            Box::new(m20261205_000003_merchant_homes::Migration),
            Box::new(m20261206_000001_awaited_answers_index::Migration),
            Box::new(m20261207_000001_merchant_settings_version::Migration),
            Box::new(m20261208_000001_directory_changes::Migration),
        ]
    }
}
