//! Configuration → Aliases (MB-13): `app::aliases::AliasesPort` over the `tokens` table.
//! Every query is the actor's merchant's, re-read with the user: every user reads the
//! list, Admins and Operators change it. A new alias is stored by the payments engine's
//! one token writer (the card checked by the domain, sealed with the data key, masked
//! 6+4), in the transaction that writes its audit row; audit rows name the alias and the
//! masked card, never more of the card.

use crate::account::service::{internal, load_actor, zone_of};
use crate::entities::{merchant, token, user};
use crate::payments::engine::{check_card, CardInput, PaymentEngine};
use crate::payments::error::EngineError;
use crate::platform::audit::{self, changes, AuditEntry};
use crate::platform::db::BeginWrite;
use app::account::Actor;
use app::aliases::{
    expiry_text, AliasFilter, AliasPage, AliasRow, AliasesPort, NewAliasForm, MAX_CUSTOMER_ID,
    MAX_HOLDER, PAGE_SIZE,
};
use app::error::{AppError, FieldError, Problem};
use chrono::{Datelike, Utc};
use domain::card::{CardNumber, Expiry};
use domain::{Role, ZonePreference};
use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, PaginatorTrait,
    QueryFilter, QueryOrder, Set,
};

/// The port's implementation, over the payments engine (which alone writes tokens).
pub struct AliasesService {
    engine: PaymentEngine,
}

/// The user acting, with their merchant.
struct Acting {
    merchant: merchant::Model,
    user: user::Model,
}

impl Acting {
    /// The audit row of a change by this user.
    fn entry<'a>(&'a self, action: &'a str, detail: String, ip: &'a str) -> AuditEntry<'a> {
        AuditEntry {
            merchant_id: Some(self.merchant.id),
            user_id: Some(self.user.id),
            actor: &self.user.login,
            action,
            detail,
            ip,
        }
    }

    fn zone(&self) -> ZonePreference {
        zone_of(&self.user)
    }
}

/// Whether `role` may create, change and delete aliases.
fn may_edit(role: Option<Role>) -> bool {
    matches!(role, Some(Role::Admin | Role::Operator))
}

/// This month, for expiry checks.
fn this_month() -> (i32, u32) {
    let now = Utc::now();
    (now.year(), now.month())
}

/// `value` as a LIKE pattern matching itself, `\` escaping `%`, `_` and `\`.
fn literal(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// `merchant_id`'s token `id`, through `conn`: `NotFound` for anyone else's.
async fn token_of<C: ConnectionTrait>(
    conn: &C,
    merchant_id: i64,
    id: &str,
) -> Result<token::Model, AppError> {
    token::Entity::find_by_id(id.to_owned())
        .filter(token::Column::MerchantId.eq(merchant_id))
        .one(conn)
        .await
        .map_err(internal)?
        .ok_or(AppError::NotFound)
}

/// A token as the list shows it to a user in `zone`.
fn row(t: &token::Model, zone: &ZonePreference) -> AliasRow {
    AliasRow {
        id: t.id.clone(),
        masked_card: t.masked_card.clone(),
        brand: t.brand.clone(),
        expiry: expiry_text(&t.expiry),
        customer_id: t.merchant_customer_id.clone().unwrap_or_default(),
        card_holder: t.card_holder.clone(),
        created: zone.format(t.created_at),
        last_used: t.last_used_at.map(|at| zone.format(at)),
    }
}

/// The problems of a new alias, each next to its field: the card by the domain's rules,
/// the holder and the customer id by their lengths.
fn form_problems(form: &NewAliasForm) -> Vec<FieldError> {
    let mut problems = Vec::new();
    if form.number.trim().is_empty() {
        problems.push(FieldError::new("number", Problem::Required));
    } else if let Err(e) = CardNumber::parse(&form.number) {
        problems.push(FieldError::new("number", Problem::Card(e)));
    }
    if form.expiry.trim().is_empty() {
        problems.push(FieldError::new("expiry", Problem::Required));
    } else if let Err(e) = Expiry::parse(&form.expiry, this_month()) {
        problems.push(FieldError::new("expiry", Problem::Card(e)));
    }
    let holder = form.holder.trim();
    if holder.is_empty() {
        problems.push(FieldError::new("holder", Problem::Required));
    } else if holder.chars().count() > MAX_HOLDER {
        problems.push(FieldError::new("holder", Problem::TooLong));
    }
    if form.customer_id.trim().chars().count() > MAX_CUSTOMER_ID {
        problems.push(FieldError::new("customer_id", Problem::TooLong));
    }
    problems
}

/// An engine failure as the page shows it: a card field's problem next to its field.
fn engine_error(e: EngineError) -> AppError {
    match e {
        EngineError::Card { property, error } => {
            let field = if property.ends_with("expiryDate") {
                "expiry"
            } else {
                "number"
            };
            AppError::field(field, Problem::Card(error))
        }
        EngineError::NotFound => AppError::NotFound,
        EngineError::Db(e) => internal(e),
        other => {
            tracing::error!(error = %other, "alias not stored");
            AppError::Internal
        }
    }
}

impl AliasesService {
    /// Over `engine`.
    pub fn new(engine: PaymentEngine) -> Self {
        AliasesService { engine }
    }

    /// The actor, re-read.
    async fn acting(&self, actor: &Actor) -> Result<Acting, AppError> {
        let (merchant, user) = load_actor(self.engine.db(), actor).await?;
        Ok(Acting { merchant, user })
    }

    /// The actor when they may change aliases (Admins and Operators), re-read.
    async fn editor(&self, actor: &Actor) -> Result<Acting, AppError> {
        let acting = self.acting(actor).await?;
        if !may_edit(Role::parse(&acting.user.role)) {
            return Err(AppError::Forbidden);
        }
        Ok(acting)
    }
}

#[async_trait::async_trait]
impl AliasesPort for AliasesService {
    async fn list(&self, actor: &Actor, f: AliasFilter) -> Result<AliasPage, AppError> {
        let acting = self.acting(actor).await?;
        let db = self.engine.db();
        let mut problems = Vec::new();
        let mut query =
            token::Entity::find().filter(token::Column::MerchantId.eq(acting.merchant.id));
        let customer = f.customer.trim();
        if customer.chars().count() > MAX_CUSTOMER_ID {
            problems.push(FieldError::new("customer", Problem::TooLong));
        } else if !customer.is_empty() {
            let pattern =
                LikeExpr::new(format!("%{}%", literal(&customer.to_lowercase()))).escape('\\');
            query = query.filter(
                Expr::expr(Func::lower(Expr::col(token::Column::MerchantCustomerId))).like(pattern),
            );
        }
        let last4 = f.last4.trim();
        if !last4.is_empty() {
            if last4.len() == 4 && last4.chars().all(|c| c.is_ascii_digit()) {
                query = query.filter(token::Column::MaskedCard.like(format!("%{last4}")));
            } else {
                problems.push(FieldError::new("last4", Problem::OutOfRange));
            }
        }
        if !problems.is_empty() {
            return Err(AppError::Invalid(problems));
        }
        let size = u64::from(PAGE_SIZE);
        let paginator = query
            .order_by_desc(token::Column::CreatedAt)
            .order_by_desc(token::Column::Id)
            .paginate(db, size);
        let total = paginator.num_items().await.map_err(internal)?;
        let pages = u32::try_from(Ord::max(total.div_ceil(size), 1)).unwrap_or(u32::MAX);
        let page = f.page.clamp(1, pages);
        let zone = acting.zone();
        let rows = paginator
            .fetch_page(u64::from(page - 1))
            .await
            .map_err(internal)?
            .iter()
            .map(|t| row(t, &zone))
            .collect();
        Ok(AliasPage {
            rows,
            total,
            page,
            pages,
            zone: zone.label(Utc::now()),
            may_edit: may_edit(Role::parse(&acting.user.role)),
        })
    }

    async fn create(
        &self,
        actor: &Actor,
        form: NewAliasForm,
        ip: &str,
    ) -> Result<AliasRow, AppError> {
        let acting = self.editor(actor).await?;
        let problems = form_problems(&form);
        if !problems.is_empty() {
            return Err(AppError::Invalid(problems));
        }
        let card = check_card(
            &CardInput {
                number: form.number,
                cvv: None,
                expiry: form.expiry,
                holder: form.holder.trim().to_owned(),
                wallet: None,
            },
            "card",
        )
        .map_err(engine_error)?;
        crate::methods::accepted_for_storage(
            self.engine.db(),
            acting.merchant.id,
            &card.number,
            "card.cardNumber",
        )
        .await
        .map_err(engine_error)?;
        let customer = Some(form.customer_id.trim().to_owned()).filter(|c| !c.is_empty());
        let txn = self.engine.db().begin_write().await.map_err(internal)?;
        let t = self
            .engine
            .insert_token(
                &txn,
                &acting.merchant,
                &card,
                customer,
                uuid::Uuid::new_v4().simple().to_string(),
            )
            .await
            .map_err(engine_error)?;
        let detail = changes(&[
            ("alias", String::new(), t.id.clone()),
            ("card", String::new(), t.masked_card.clone()),
            ("brand", String::new(), t.brand.clone()),
            (
                "customer_id",
                String::new(),
                t.merchant_customer_id.clone().unwrap_or_default(),
            ),
        ]);
        audit::record(&txn, acting.entry("alias.create", detail, ip))
            .await
            .map_err(internal)?;
        txn.commit().await.map_err(internal)?;
        Ok(row(&t, &acting.zone()))
    }

    async fn update_expiry(
        &self,
        actor: &Actor,
        id: &str,
        expiry: &str,
        ip: &str,
    ) -> Result<AliasRow, AppError> {
        let acting = self.editor(actor).await?;
        let expiry = if expiry.trim().is_empty() {
            return Err(AppError::field("expiry", Problem::Required));
        } else {
            Expiry::parse(expiry, this_month())
                .map_err(|e| AppError::field("expiry", Problem::Card(e)))?
        };
        let txn = self.engine.db().begin_write().await.map_err(internal)?;
        let t = token_of(&txn, acting.merchant.id, id).await?;
        let (alias, masked) = (t.id.clone(), t.masked_card.clone());
        let mut active = t.into_active_model();
        active.expiry = Set(expiry.mmyy());
        let t = active.update(&txn).await.map_err(internal)?;
        // The expiry is card data: the row says that it changed, not to what.
        let detail = format!("alias: {alias}; card: {masked}; expiry changed");
        audit::record(&txn, acting.entry("alias.update", detail, ip))
            .await
            .map_err(internal)?;
        txn.commit().await.map_err(internal)?;
        Ok(row(&t, &acting.zone()))
    }

    async fn delete(&self, actor: &Actor, id: &str, ip: &str) -> Result<(), AppError> {
        let acting = self.editor(actor).await?;
        let txn = self.engine.db().begin_write().await.map_err(internal)?;
        let t = token_of(&txn, acting.merchant.id, id).await?;
        self.engine
            .remove_token(&txn, acting.merchant.id, &t.id)
            .await
            .map_err(engine_error)?;
        let detail = changes(&[
            ("alias", t.id.clone(), String::new()),
            ("card", t.masked_card.clone(), String::new()),
        ]);
        audit::record(&txn, acting.entry("alias.delete", detail, ip))
            .await
            .map_err(internal)?;
        txn.commit().await.map_err(internal)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_admins_and_operators_change_aliases() {
        assert!(may_edit(Some(Role::Admin)));
        assert!(may_edit(Some(Role::Operator)));
        assert!(!may_edit(Some(Role::ReadOnly)));
        assert!(!may_edit(None));
    }

    #[test]
    fn like_patterns_match_the_text_itself() {
        assert_eq!(literal("cust_1%"), "cust\\_1\\%");
    }

    #[test]
    fn a_new_alias_names_each_bad_field() {
        let form = NewAliasForm {
            number: "4111111111111112".into(),
            expiry: "13/30".into(),
            holder: String::new(),
            customer_id: "c".repeat(51),
        };
        let fields: Vec<String> = form_problems(&form).into_iter().map(|p| p.field).collect();
        assert_eq!(fields, ["number", "expiry", "holder", "customer_id"]);
    }
}
