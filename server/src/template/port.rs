//! `TemplatePort`: the payment page template and the customer settings (SMS, OpenID
//! token). Admins only; each change and its audit row (before → after; the logo as its
//! size and SHA-256, the token masked) commit together, the merchant's row locked.

use super::{openid, theme};
use crate::account::service::internal;
use crate::entities::{merchant, page_theme, user};
use crate::platform::audit::{self, AuditEntry};
use crate::platform::config::Config;
use crate::platform::db::{BeginWrite, WriteTxn};
use app::account::Actor;
use app::error::{AppError, FieldError, Problem};
use app::template::{CustomerSaved, CustomerSettings, TemplatePort, TemplateView};
use chrono::Utc;
use domain::theme::{Theme, ThemeError, DEFAULT};
use sea_orm::{ActiveModelTrait, DatabaseConnection, EntityTrait, IntoActiveModel, Set};
use std::sync::Arc;

/// The service behind [`TemplatePort`].
pub struct TemplateService {
    db: DatabaseConnection,
    config: Arc<Config>,
}

impl TemplateService {
    /// Over `db`.
    pub fn new(db: DatabaseConnection, config: Arc<Config>) -> Self {
        TemplateService { db, config }
    }

    /// A transaction with the Admin's merchant row locked and read again.
    async fn locked(
        &self,
        actor: &Actor,
    ) -> Result<(WriteTxn, merchant::Model, user::Model), AppError> {
        let (m, u) = crate::account::service::load_admin(&self.db, actor).await?;
        let txn = self.db.begin_write().await.map_err(internal)?;
        audit::lock_merchant(&txn, m.id).await.map_err(internal)?;
        let m = merchant::Entity::find_by_id(m.id)
            .one(&txn)
            .await
            .map_err(internal)?
            .ok_or(AppError::Unauthenticated)?;
        Ok((txn, m, u))
    }

    async fn record(
        txn: &WriteTxn,
        m: &merchant::Model,
        u: &user::Model,
        action: &str,
        detail: String,
        ip: &str,
    ) -> Result<(), AppError> {
        audit::record(
            txn,
            AuditEntry {
                merchant_id: Some(m.id),
                user_id: Some(u.id),
                actor: &u.login,
                action,
                detail,
                ip,
            },
        )
        .await
        .map_err(internal)
    }
}

fn colours_of(t: Option<&page_theme::Model>) -> [String; 4] {
    match t {
        Some(t) => [
            t.primary_colour.clone(),
            t.button_text_colour.clone(),
            t.background_colour.clone(),
            t.text_colour.clone(),
        ],
        None => [
            DEFAULT.primary,
            DEFAULT.button_text,
            DEFAULT.background,
            DEFAULT.text,
        ]
        .map(|c| c.to_string()),
    }
}

fn view_of(t: Option<&page_theme::Model>) -> TemplateView {
    let [primary, button_text, background, text] = colours_of(t);
    TemplateView {
        primary_colour: primary,
        button_text_colour: button_text,
        background_colour: background,
        text_colour: text,
        logo_url: t.and_then(|t| theme::link_of(t).logo),
        customised: t.is_some(),
    }
}

/// A template row for the merchant: the stored one, else a new one with a fresh opaque
/// id and the default colours.
fn row_for(m: &merchant::Model, stored: Option<page_theme::Model>) -> page_theme::ActiveModel {
    match stored {
        Some(t) => {
            let version = t.version + 1;
            let mut row = t.into_active_model();
            row.version = Set(version);
            row.updated_at = Set(Utc::now());
            row
        }
        None => {
            let [p, b, bg, tx] = colours_of(None);
            page_theme::ActiveModel {
                merchant_id: Set(m.id),
                theme_id: Set(uuid::Uuid::new_v4().simple().to_string()),
                version: Set(1),
                primary_colour: Set(p),
                button_text_colour: Set(b),
                background_colour: Set(bg),
                text_colour: Set(tx),
                logo: Set(None),
                logo_type: Set(None),
                logo_sha256: Set(None),
                updated_at: Set(Utc::now()),
            }
        }
    }
}

fn logo_shown(t: Option<&page_theme::Model>) -> String {
    match t.and_then(|t| Some((t.logo.as_ref()?, t.logo_sha256.as_deref()?))) {
        Some((bytes, hash)) => format!("{} bytes, sha256 {hash}", bytes.len()),
        None => String::new(),
    }
}

fn theme_problems(errors: Vec<(&'static str, ThemeError)>) -> AppError {
    AppError::Invalid(
        errors
            .into_iter()
            .map(|(field, e)| {
                let problem = match e {
                    ThemeError::NotAColour => Problem::NotAColour,
                    // Rounded down, so 4.46 does not read as the 4.5 it misses.
                    ThemeError::LowContrast(r) => Problem::LowContrast((r * 10.0).floor() as u16),
                };
                FieldError::new(field, problem)
            })
            .collect(),
    )
}

#[async_trait::async_trait]
impl TemplatePort for TemplateService {
    async fn template(&self, actor: &Actor) -> Result<TemplateView, AppError> {
        let (m, _) = crate::account::service::load_admin(&self.db, actor).await?;
        let t = page_theme::Entity::find_by_id(m.id)
            .one(&self.db)
            .await
            .map_err(internal)?;
        Ok(view_of(t.as_ref()))
    }

    async fn save_colours(
        &self,
        actor: &Actor,
        colours: [String; 4],
        ip: &str,
    ) -> Result<TemplateView, AppError> {
        crate::account::service::load_admin(&self.db, actor).await?;
        let theme: Theme =
            domain::theme::check([&colours[0], &colours[1], &colours[2], &colours[3]])
                .map_err(theme_problems)?;
        let (txn, m, u) = self.locked(actor).await?;
        let stored = page_theme::Entity::find_by_id(m.id)
            .one(&txn)
            .await
            .map_err(internal)?;
        let before = colours_of(stored.as_ref());
        let after = [
            theme.primary,
            theme.button_text,
            theme.background,
            theme.text,
        ]
        .map(|c| c.to_string());
        let detail = audit::changes(
            &domain::theme::FIELDS
                .iter()
                .zip(before.iter().zip(after.iter()))
                .map(|(f, (b, a))| (*f, b.clone(), a.clone()))
                .collect::<Vec<_>>(),
        );
        if detail.is_empty() && stored.is_some() {
            return Ok(view_of(stored.as_ref()));
        }
        let new = stored.is_none();
        let mut row = row_for(&m, stored);
        let [p, b, bg, tx] = after;
        row.primary_colour = Set(p);
        row.button_text_colour = Set(b);
        row.background_colour = Set(bg);
        row.text_colour = Set(tx);
        let saved = if new {
            row.insert(&txn).await
        } else {
            row.update(&txn).await
        }
        .map_err(internal)?;
        let detail = if detail.is_empty() {
            "template created with the default colours".to_owned()
        } else {
            detail
        };
        Self::record(&txn, &m, &u, "config.template", detail, ip).await?;
        txn.commit().await.map_err(internal)?;
        Ok(view_of(Some(&saved)))
    }

    async fn save_logo(&self, actor: &Actor, bytes: Vec<u8>, ip: &str) -> Result<(), AppError> {
        crate::account::service::load_admin(&self.db, actor).await?;
        let content_type = theme::check_logo(&bytes).map_err(|e| {
            let problem = match e {
                theme::LogoError::Empty => Problem::FileEmpty,
                theme::LogoError::TooLarge => Problem::FileTooLarge,
                theme::LogoError::Type => Problem::FileType,
                theme::LogoError::Dimensions => Problem::OutOfRange,
            };
            AppError::Invalid(vec![FieldError::new("logo", problem)])
        })?;
        let (txn, m, u) = self.locked(actor).await?;
        let stored = page_theme::Entity::find_by_id(m.id)
            .one(&txn)
            .await
            .map_err(internal)?;
        let before = logo_shown(stored.as_ref());
        let new = stored.is_none();
        let hash = crate::platform::crypto::sha256_hex(&bytes);
        let after = format!("{} bytes, sha256 {hash}", bytes.len());
        let mut row = row_for(&m, stored);
        row.logo = Set(Some(bytes));
        row.logo_type = Set(Some(content_type.to_owned()));
        row.logo_sha256 = Set(Some(hash));
        if new {
            row.insert(&txn).await
        } else {
            row.update(&txn).await
        }
        .map_err(internal)?;
        let detail = audit::changes(&[("logo", before, after)]);
        Self::record(&txn, &m, &u, "config.template", detail, ip).await?;
        txn.commit().await.map_err(internal)
    }

    async fn reset(&self, actor: &Actor, ip: &str) -> Result<TemplateView, AppError> {
        let (txn, m, u) = self.locked(actor).await?;
        let stored = page_theme::Entity::find_by_id(m.id)
            .one(&txn)
            .await
            .map_err(internal)?;
        let Some(stored) = stored else {
            return Ok(view_of(None));
        };
        let mut pairs: Vec<(&str, String, String)> = domain::theme::FIELDS
            .iter()
            .zip(colours_of(Some(&stored)).into_iter().zip(colours_of(None)))
            .map(|(f, (b, a))| (*f, b, a))
            .collect();
        pairs.push(("logo", logo_shown(Some(&stored)), String::new()));
        let detail = audit::changes(&pairs);
        page_theme::Entity::delete_by_id(m.id)
            .exec(&txn)
            .await
            .map_err(internal)?;
        let detail = if detail.is_empty() {
            "template reset to the default".to_owned()
        } else {
            detail
        };
        Self::record(&txn, &m, &u, "config.template", detail, ip).await?;
        txn.commit().await.map_err(internal)?;
        Ok(view_of(None))
    }

    async fn customer_settings(&self, actor: &Actor) -> Result<CustomerSettings, AppError> {
        let (m, _) = crate::account::service::load_admin(&self.db, actor).await?;
        Ok(CustomerSettings {
            sms_enabled: m.sms_enabled,
            openid_hint: m.openid_hint,
        })
    }

    async fn save_customer_settings(
        &self,
        actor: &Actor,
        sms_enabled: bool,
        openid_token: Option<String>,
        generate: bool,
        ip: &str,
    ) -> Result<CustomerSaved, AppError> {
        crate::account::service::load_admin(&self.db, actor).await?;
        let generated = generate.then(openid::generate);
        let new_token = match (&generated, openid_token) {
            (Some(g), _) => Some(g.clone()),
            (None, Some(t)) if t.is_empty() => Some(String::new()),
            (None, Some(t)) if openid::acceptable(&t) => Some(t),
            (None, Some(_)) => {
                return Err(AppError::Invalid(vec![FieldError::new(
                    "openid_token",
                    Problem::TokenTooShort,
                )]))
            }
            (None, None) => None,
        };
        let (txn, m, u) = self.locked(actor).await?;
        let new_hint = new_token
            .as_deref()
            .map(|t| {
                if t.is_empty() {
                    String::new()
                } else {
                    crate::configuration::keys::hint(t)
                }
            })
            .unwrap_or_else(|| m.openid_hint.clone());
        let token_changed = new_token.is_some()
            && (new_token.as_deref() != openid::token(&self.config, &m).as_deref());
        let mut pairs = vec![(
            "sms_enabled",
            m.sms_enabled.to_string(),
            sms_enabled.to_string(),
        )];
        if token_changed {
            // Masked; a new token with the same ends still shows as changed.
            let after = if new_hint.is_empty() {
                String::new()
            } else {
                format!("{new_hint} (new)")
            };
            pairs.push(("openid_token", m.openid_hint.clone(), after));
        }
        let detail = audit::changes(&pairs);
        if detail.is_empty() {
            return Ok(CustomerSaved { generated });
        }
        let mut row: merchant::ActiveModel = m.clone().into();
        row.sms_enabled = Set(sms_enabled);
        if token_changed {
            let token = new_token.unwrap_or_default();
            row.openid_token_enc =
                Set((!token.is_empty()).then(|| openid::seal(&self.config, m.id, &token)));
            row.openid_hint = Set(new_hint);
        }
        row.update(&txn).await.map_err(internal)?;
        Self::record(&txn, &m, &u, "config.customer_settings", detail, ip).await?;
        txn.commit().await.map_err(internal)?;
        Ok(CustomerSaved { generated })
    }
}
