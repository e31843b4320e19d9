//! Two-factor sign-in (MB-2; PCI DSS 4.0 8.4): `app`'s `SecurityPort` on the account
//! service — setting up an authenticator app or e-mailed codes, recovery codes, the
//! confirmation of the recovery address, and the sign-in's second step, whose failures
//! count toward the same lockout as wrong passwords.

mod codes;
mod totp;

use super::service::{internal, load_actor, AccountService};
use crate::entities::{merchant, user};
use crate::platform::audit::{self, AuditEntry};
use crate::platform::db::{Autocommit, BeginWrite, WriteTxn};
use crate::platform::{crypto, mail, qr};
use app::account::security::{AuthenticatorSetup, PendingSignIn, SecurityOverview, SecurityPort};
use app::account::{Actor, LoginSuccess};
use app::error::{AppError, Problem};
use app::i18n::T;
use chrono::{Duration, Utc};
use codes::Purpose;
use domain::two_factor::{parse_code, Method, TOTP_DIGITS};
use domain::Lang;
use sea_orm::sea_query::{Condition, Expr};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter, Set,
};

pub use codes::forget_all;

/// Re-typed passwords one user may try on the security page per hour.
const REAUTH_PER_HOUR: u64 = 10;

fn pending_binding(user_id: i64) -> String {
    crypto::row_binding("users.totp_pending_enc", &user_id.to_string())
}

fn secret_binding(user_id: i64) -> String {
    crypto::row_binding("users.totp_secret_enc", &user_id.to_string())
}

/// The name a mail greets.
fn greeting(u: &user::Model) -> &str {
    if u.full_name.trim().is_empty() {
        &u.login
    } else {
        &u.full_name
    }
}

/// Whether `u`'s recovery address was confirmed (and is still the address on file).
fn email_confirmed(u: &user::Model) -> bool {
    matches!((&u.email, &u.email_confirmed), (Some(e), Some(c)) if e == c)
}

impl AccountService {
    /// The password typed again on the security page, throttled per user.
    async fn reauthenticate(
        &self,
        m: &merchant::Model,
        u: &user::Model,
        password: String,
        ip: &str,
    ) -> Result<(), AppError> {
        if password.is_empty() {
            return Err(AppError::field("password", Problem::Required));
        }
        let allowed = audit::take_attempt(
            &self.db,
            audit::AttemptsOf::User(u.id),
            REAUTH_PER_HOUR,
            Utc::now() - Duration::hours(1),
            AuditEntry {
                merchant_id: Some(m.id),
                user_id: Some(u.id),
                actor: &u.login,
                action: "two_factor.password_check",
                detail: String::new(),
                ip,
            },
        )
        .await
        .map_err(internal)?;
        if !allowed {
            return Err(AppError::RateLimited);
        }
        if crypto::verify_password(password, Some(u.password_hash.clone())).await {
            Ok(())
        } else {
            Err(AppError::field("password", Problem::WrongCurrentPassword))
        }
    }

    /// Sends a sign-in code to `u`'s confirmed address, unless one went less than a
    /// minute ago (`false` then).
    pub(crate) async fn send_sign_in_code<C: ConnectionTrait>(
        &self,
        conn: &C,
        m: &merchant::Model,
        u: &user::Model,
    ) -> Result<bool, AppError> {
        let Some(address) = u.email_confirmed.clone() else {
            return Ok(false);
        };
        let Some(code) = codes::issue(conn, &self.config.data_key, u.id, Purpose::SignIn, None)
            .await
            .map_err(internal)?
        else {
            return Ok(false);
        };
        let lang = Lang::parse(&u.language).unwrap_or_default();
        let body = T::SignInCodeMailBody
            .text(lang)
            .replace("{name}", greeting(u))
            .replace("{code}", &code);
        mail::enqueue(
            conn,
            Some(m.id),
            &address,
            T::SignInCodeMailSubject.text(lang),
            body,
        )
        .await
        .map_err(internal)?;
        Ok(true)
    }

    /// Applies `change` to `u` and writes the audit row in `txn`.
    async fn save_audited(
        &self,
        txn: &WriteTxn,
        u: user::Model,
        action: &str,
        detail: &str,
        ip: &str,
        change: impl FnOnce(&mut user::ActiveModel),
    ) -> Result<(), AppError> {
        let (merchant_id, user_id, login) = (u.merchant_id, u.id, u.login.clone());
        let mut active = u.into_active_model();
        change(&mut active);
        active.update(txn).await.map_err(internal)?;
        audit::record(
            txn,
            AuditEntry {
                merchant_id: Some(merchant_id),
                user_id: Some(user_id),
                actor: &login,
                action,
                detail: detail.to_owned(),
                ip,
            },
        )
        .await
        .map_err(internal)
    }

    /// The pending sign-in's user, still the same person at the same epoch.
    async fn pending_user(
        &self,
        pending: &PendingSignIn,
    ) -> Result<(merchant::Model, user::Model), AppError> {
        let u = user::Entity::live(pending.user_id, pending.epoch)
            .filter(user::Column::MerchantId.eq(pending.merchant_id))
            .one(&self.db)
            .await
            .map_err(internal)?
            .ok_or(AppError::Unauthenticated)?;
        if Method::parse(&u.two_factor) != Some(pending.method) {
            return Err(AppError::Unauthenticated);
        }
        let m = merchant::Entity::find_by_id(u.merchant_id)
            .one(&self.db)
            .await
            .map_err(internal)?
            .ok_or(AppError::Unauthenticated)?;
        Ok((m, u))
    }

    /// Whether `typed` is `u`'s authenticator code of a step not accepted before; the
    /// step is taken by a guarded UPDATE, so a code is accepted once.
    async fn take_totp_step<C: ConnectionTrait>(
        &self,
        conn: &C,
        u: &user::Model,
        typed: &str,
    ) -> Result<bool, AppError> {
        let Some(code) = parse_code(typed, TOTP_DIGITS) else {
            return Ok(false);
        };
        let Some(secret) = u
            .totp_secret_enc
            .as_deref()
            .and_then(|s| crypto::open(&self.config.data_key, &secret_binding(u.id), s))
        else {
            tracing::error!(user = u.id, "authenticator secret does not open");
            return Err(AppError::Internal);
        };
        let Some(generator) = totp::generator(&secret, &u.login) else {
            return Err(AppError::Internal);
        };
        let now = Utc::now().timestamp().max(0) as u64;
        let Some(step) = totp::matching_step(&generator, &code, now) else {
            return Ok(false);
        };
        let taken = user::Entity::update_many()
            .col_expr(user::Column::TotpLastStep, Expr::value(step))
            .filter(user::Column::Id.eq(u.id))
            .filter(
                Condition::any()
                    .add(user::Column::TotpLastStep.is_null())
                    .add(user::Column::TotpLastStep.lt(step)),
            )
            .exec(conn)
            .await
            .map_err(internal)?;
        Ok(taken.rows_affected == 1)
    }
}

#[async_trait::async_trait]
impl SecurityPort for AccountService {
    async fn overview(&self, actor: &Actor) -> Result<SecurityOverview, AppError> {
        let (m, u) = load_actor(&self.db, actor).await?;
        let method = Method::parse(&u.two_factor);
        let recovery_left = if method == Some(Method::Authenticator) {
            codes::recovery_codes_left(&self.db, u.id)
                .await
                .map_err(internal)? as usize
        } else {
            0
        };
        Ok(SecurityOverview {
            method,
            recovery_left,
            email: u.email.clone().unwrap_or_default(),
            email_confirmed: email_confirmed(&u),
            required: m.require_two_factor,
        })
    }

    async fn start_authenticator(
        &self,
        actor: &Actor,
        password: String,
        ip: &str,
    ) -> Result<AuthenticatorSetup, AppError> {
        let (m, u) = load_actor(&self.db, actor).await?;
        self.reauthenticate(&m, &u, password, ip).await?;
        let secret = totp::new_secret();
        let account = format!("{}/{}", m.pspid, u.login);
        let generator = totp::generator(&secret, &account).ok_or(AppError::Internal)?;
        let uri = totp::uri(&generator);
        let sealed = crypto::seal(&self.config.data_key, &pending_binding(u.id), &secret);
        let mut active = u.into_active_model();
        active.totp_pending_enc = Set(Some(sealed));
        active
            .update(&Autocommit(&self.db))
            .await
            .map_err(internal)?;
        Ok(AuthenticatorSetup {
            secret: totp::grouped(&secret),
            qr_svg: qr::svg(&uri),
            uri,
        })
    }

    async fn confirm_authenticator(
        &self,
        actor: &Actor,
        code: String,
        ip: &str,
    ) -> Result<Vec<String>, AppError> {
        let (_, u) = load_actor(&self.db, actor).await?;
        let secret = u
            .totp_pending_enc
            .as_deref()
            .and_then(|s| crypto::open(&self.config.data_key, &pending_binding(u.id), s))
            .ok_or_else(|| AppError::field("code", Problem::InvalidLink))?;
        let generator = totp::generator(&secret, &u.login).ok_or(AppError::Internal)?;
        let now = Utc::now().timestamp().max(0) as u64;
        let step = parse_code(&code, TOTP_DIGITS)
            .and_then(|c| totp::matching_step(&generator, &c, now))
            .ok_or_else(|| AppError::field("code", Problem::WrongAuthenticatorCode))?;
        let sealed = crypto::seal(&self.config.data_key, &secret_binding(u.id), &secret);
        let txn = self.db.begin_write().await.map_err(internal)?;
        let user_id = u.id;
        codes::forget_all(&txn, user_id).await.map_err(internal)?;
        let shown = codes::replace_recovery_codes(&txn, user_id)
            .await
            .map_err(internal)?;
        self.save_audited(
            &txn,
            u,
            "two_factor.enabled",
            "authenticator app",
            ip,
            |a| {
                a.two_factor = Set(Method::Authenticator.code().to_owned());
                a.totp_secret_enc = Set(Some(sealed));
                a.totp_pending_enc = Set(None);
                a.totp_last_step = Set(Some(step));
            },
        )
        .await?;
        txn.commit().await.map_err(internal)?;
        Ok(shown)
    }

    async fn regenerate_recovery_codes(
        &self,
        actor: &Actor,
        password: String,
        ip: &str,
    ) -> Result<Vec<String>, AppError> {
        let (m, u) = load_actor(&self.db, actor).await?;
        if Method::parse(&u.two_factor) != Some(Method::Authenticator) {
            return Err(AppError::NotAllowedNow);
        }
        self.reauthenticate(&m, &u, password, ip).await?;
        let txn = self.db.begin_write().await.map_err(internal)?;
        let shown = codes::replace_recovery_codes(&txn, u.id)
            .await
            .map_err(internal)?;
        self.save_audited(&txn, u, "two_factor.recovery_codes", "replaced", ip, |_| {})
            .await?;
        txn.commit().await.map_err(internal)?;
        Ok(shown)
    }

    async fn send_email_confirmation(&self, actor: &Actor, ip: &str) -> Result<(), AppError> {
        let (m, u) = load_actor(&self.db, actor).await?;
        let Some(address) = u.email.clone().filter(|e| !e.trim().is_empty()) else {
            return Err(AppError::field("email", Problem::Required));
        };
        let txn = self.db.begin_write().await.map_err(internal)?;
        let token = codes::issue(
            &txn,
            &self.config.data_key,
            u.id,
            Purpose::Confirm,
            Some(address.clone()),
        )
        .await
        .map_err(internal)?
        .ok_or_else(|| AppError::field("email", Problem::ResendTooSoon))?;
        let link = format!(
            "{}/profile/confirm-email?token={token}",
            self.config.public_url
        );
        let lang = Lang::parse(&u.language).unwrap_or_default();
        let body = T::ConfirmEmailMailBody
            .text(lang)
            .replace("{name}", greeting(&u))
            .replace("{link}", &link);
        mail::enqueue(
            &txn,
            Some(m.id),
            &address,
            T::ConfirmEmailMailSubject.text(lang),
            body,
        )
        .await
        .map_err(internal)?;
        self.save_audited(&txn, u, "profile.email_confirmation_sent", "", ip, |_| {})
            .await?;
        txn.commit().await.map_err(internal)
    }

    async fn confirm_email(&self, token: &str, ip: &str) -> Result<(), AppError> {
        let invalid = || AppError::field("token", Problem::InvalidLink);
        let txn = self.db.begin_write().await.map_err(internal)?;
        let (user_id, address) = codes::follow_link(&txn, token)
            .await
            .map_err(internal)?
            .ok_or_else(invalid)?;
        let u = user::Entity::find_by_id(user_id)
            .one(&txn)
            .await
            .map_err(internal)?
            .ok_or_else(invalid)?;
        // The address changed since the link was sent: that link confirms nothing.
        if u.email.as_deref() != Some(address.as_str()) {
            return Err(invalid());
        }
        self.save_audited(&txn, u, "profile.email_confirmed", "", ip, |a| {
            a.email_confirmed = Set(Some(address));
        })
        .await?;
        txn.commit().await.map_err(internal)
    }

    async fn start_email_factor(
        &self,
        actor: &Actor,
        password: String,
        ip: &str,
    ) -> Result<(), AppError> {
        let (m, u) = load_actor(&self.db, actor).await?;
        if !email_confirmed(&u) {
            return Err(AppError::field("password", Problem::EmailNotConfirmed));
        }
        self.reauthenticate(&m, &u, password, ip).await?;
        let address = u.email_confirmed.clone().unwrap_or_default();
        let txn = self.db.begin_write().await.map_err(internal)?;
        let code = codes::issue(&txn, &self.config.data_key, u.id, Purpose::Enable, None)
            .await
            .map_err(internal)?
            .ok_or_else(|| AppError::field("password", Problem::ResendTooSoon))?;
        let lang = Lang::parse(&u.language).unwrap_or_default();
        let body = T::SignInCodeMailBody
            .text(lang)
            .replace("{name}", greeting(&u))
            .replace("{code}", &code);
        mail::enqueue(
            &txn,
            Some(m.id),
            &address,
            T::SignInCodeMailSubject.text(lang),
            body,
        )
        .await
        .map_err(internal)?;
        txn.commit().await.map_err(internal)
    }

    async fn confirm_email_factor(
        &self,
        actor: &Actor,
        code: String,
        ip: &str,
    ) -> Result<(), AppError> {
        let (_, u) = load_actor(&self.db, actor).await?;
        if !email_confirmed(&u) {
            return Err(AppError::field("code", Problem::EmailNotConfirmed));
        }
        let txn = self.db.begin_write().await.map_err(internal)?;
        let checked = codes::check(&txn, &self.config.data_key, u.id, Purpose::Enable, &code)
            .await
            .map_err(internal)?;
        if let Err(problem) = checked {
            // The try is counted even though the code was wrong.
            txn.commit().await.map_err(internal)?;
            return Err(AppError::field("code", problem));
        }
        let user_id = u.id;
        codes::forget_all(&txn, user_id).await.map_err(internal)?;
        self.save_audited(&txn, u, "two_factor.enabled", "code by e-mail", ip, |a| {
            a.two_factor = Set(Method::Email.code().to_owned());
            a.totp_secret_enc = Set(None);
            a.totp_pending_enc = Set(None);
            a.totp_last_step = Set(None);
        })
        .await?;
        txn.commit().await.map_err(internal)
    }

    async fn disable(&self, actor: &Actor, password: String, ip: &str) -> Result<(), AppError> {
        let (m, u) = load_actor(&self.db, actor).await?;
        if m.require_two_factor {
            return Err(AppError::field("password", Problem::TwoFactorRequired));
        }
        self.reauthenticate(&m, &u, password, ip).await?;
        let txn = self.db.begin_write().await.map_err(internal)?;
        codes::forget_all(&txn, u.id).await.map_err(internal)?;
        let was = u.two_factor.clone();
        self.save_audited(&txn, u, "two_factor.disabled", &was, ip, |a| {
            a.two_factor = Set(String::new());
            a.totp_secret_enc = Set(None);
            a.totp_pending_enc = Set(None);
            a.totp_last_step = Set(None);
        })
        .await?;
        txn.commit().await.map_err(internal)
    }

    async fn verify_sign_in(
        &self,
        pending: &PendingSignIn,
        code: String,
        recovery: bool,
        ip: &str,
    ) -> Result<LoginSuccess, AppError> {
        let (m, u) = self.pending_user(pending).await?;
        let who = format!("{}/{}", m.pspid, u.login);
        let now = Utc::now();
        if let Some(until) = u.locked_until.filter(|until| *until > now) {
            return Err(AppError::Locked {
                until: super::service::zone_of(&u).format(until),
            });
        }
        let txn = self.db.begin_write().await.map_err(internal)?;
        let (passed, how, wrong) = if recovery {
            let ok = codes::use_recovery_code(&txn, u.id, &code)
                .await
                .map_err(internal)?;
            (ok, "recovery code", Problem::InvalidCode)
        } else {
            match pending.method {
                Method::Authenticator => (
                    self.take_totp_step(&txn, &u, &code).await?,
                    "authenticator app",
                    Problem::WrongAuthenticatorCode,
                ),
                Method::Email => {
                    match codes::check(&txn, &self.config.data_key, u.id, Purpose::SignIn, &code)
                        .await
                        .map_err(internal)?
                    {
                        Ok(()) => (true, "code by e-mail", Problem::InvalidCode),
                        Err(problem) => (false, "code by e-mail", problem),
                    }
                }
            }
        };
        let outcome = if passed {
            if recovery {
                let left = codes::recovery_codes_left(&txn, u.id)
                    .await
                    .map_err(internal)?;
                audit::record(
                    &txn,
                    AuditEntry {
                        merchant_id: Some(m.id),
                        user_id: Some(u.id),
                        actor: &who,
                        action: "two_factor.recovery_code_used",
                        detail: format!("{left} left"),
                        ip,
                    },
                )
                .await
                .map_err(internal)?;
            }
            self.finish_sign_in(&txn, &m, &u, &who, how, ip).await
        } else {
            match self
                .count_failure(&txn, &u, &who, &format!("wrong {how}"), ip)
                .await?
            {
                locked @ AppError::Locked { .. } => Err(locked),
                _ => Err(AppError::field("code", wrong)),
            }
        };
        txn.commit().await.map_err(internal)?;
        outcome
    }

    async fn resend_sign_in_code(
        &self,
        pending: &PendingSignIn,
        _ip: &str,
    ) -> Result<(), AppError> {
        let (m, u) = self.pending_user(pending).await?;
        if pending.method != Method::Email {
            return Err(AppError::NotAllowedNow);
        }
        let txn = self.db.begin_write().await.map_err(internal)?;
        let sent = self.send_sign_in_code(&txn, &m, &u).await?;
        txn.commit().await.map_err(internal)?;
        if sent {
            Ok(())
        } else {
            Err(AppError::field("code", Problem::ResendTooSoon))
        }
    }
}
