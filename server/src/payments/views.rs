//! The payments list's saved views (MB-20, MB-31): filter templates per user or shared,
//! and the filters and columns each user chooses.

use super::operations::OperationsService;
use crate::account::service::{internal, load_actor, zone_of};
use crate::entities::{filter_template, user};
use crate::payments::list::filtered;
use app::account::Actor;
use app::error::{AppError, Problem};
use app::payments::{
    ListSettings, ListViews, PaymentFilter, TemplateView, DEFAULT_COLUMNS, LIST_COLUMNS,
    LIST_FILTERS,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, Set,
};

/// A comma-separated choice, or `default` when empty.
fn choice(stored: &str, default: &[&str]) -> Vec<String> {
    let chosen: Vec<String> = stored
        .split(',')
        .filter(|c| !c.is_empty())
        .map(str::to_owned)
        .collect();
    if chosen.is_empty() {
        default.iter().map(|c| (*c).to_owned()).collect()
    } else {
        chosen
    }
}

/// Longest template name.
const TEMPLATE_NAME_MAX: usize = 80;
/// Longest template query.
const TEMPLATE_QUERY_MAX: usize = 2000;

impl OperationsService {
    pub(crate) async fn views_of(&self, u: &user::Model) -> Result<ListViews, AppError> {
        let db = self.engine.db();
        let templates = filter_template::Entity::find()
            .filter(filter_template::Column::MerchantId.eq(u.merchant_id))
            .filter(
                Condition::any()
                    .add(filter_template::Column::UserId.eq(u.id))
                    .add(filter_template::Column::Shared.eq(true)),
            )
            .order_by_asc(filter_template::Column::Name)
            .all(db)
            .await
            .map_err(internal)?;
        let owners: Vec<i64> = templates.iter().map(|t| t.user_id).collect();
        let logins = user::Entity::find()
            .filter(user::Column::Id.is_in(owners))
            .all(db)
            .await
            .map_err(internal)?;
        Ok(ListViews {
            settings: ListSettings {
                filters: choice(&u.payment_filters, &LIST_FILTERS),
                columns: choice(&u.payment_columns, &DEFAULT_COLUMNS),
            },
            templates: templates
                .into_iter()
                .map(|t| TemplateView {
                    id: t.id,
                    owner: logins
                        .iter()
                        .find(|l| l.id == t.user_id)
                        .map(|l| l.login.clone())
                        .unwrap_or_default(),
                    mine: t.user_id == u.id,
                    name: t.name,
                    query: t.query,
                    shared: t.shared,
                })
                .collect(),
        })
    }

    pub(crate) async fn list_views_of(&self, actor: &Actor) -> Result<ListViews, AppError> {
        let (_, u) = load_actor(self.engine.db(), actor).await?;
        self.views_of(&u).await
    }

    pub(crate) async fn save_template_of(
        &self,
        actor: &Actor,
        name: String,
        query: String,
        shared: bool,
    ) -> Result<ListViews, AppError> {
        let (m, u) = load_actor(self.engine.db(), actor).await?;
        let name = name.trim().to_owned();
        let query = query.trim().trim_start_matches('?').to_owned();
        if name.is_empty() {
            return Err(AppError::field("name", Problem::Required));
        }
        if name.chars().count() > TEMPLATE_NAME_MAX {
            return Err(AppError::field("name", Problem::TooLong));
        }
        if query.len() > TEMPLATE_QUERY_MAX {
            return Err(AppError::field("query", Problem::TooLong));
        }
        // A template is only ever a valid filter.
        filtered(m.id, &zone_of(&u), &PaymentFilter::from_query(&query))?;
        let db = self.engine.db();
        let existing = filter_template::Entity::find()
            .filter(filter_template::Column::UserId.eq(u.id))
            .filter(filter_template::Column::Name.eq(name.clone()))
            .one(db)
            .await
            .map_err(internal)?;
        let mut row: filter_template::ActiveModel = match existing {
            Some(t) => t.into(),
            None => filter_template::ActiveModel {
                merchant_id: Set(m.id),
                user_id: Set(u.id),
                name: Set(name.clone()),
                created_at: Set(chrono::Utc::now()),
                ..Default::default()
            },
        };
        row.query = Set(query);
        row.shared = Set(shared);
        row.save(db).await.map_err(internal)?;
        self.views_of(&u).await
    }

    pub(crate) async fn delete_template_of(
        &self,
        actor: &Actor,
        id: i64,
    ) -> Result<ListViews, AppError> {
        let (_, u) = load_actor(self.engine.db(), actor).await?;
        let result = filter_template::Entity::delete_many()
            .filter(filter_template::Column::Id.eq(id))
            .filter(filter_template::Column::UserId.eq(u.id))
            .exec(self.engine.db())
            .await
            .map_err(internal)?;
        if result.rows_affected == 0 {
            return Err(AppError::NotFound);
        }
        self.views_of(&u).await
    }

    pub(crate) async fn save_list_settings_of(
        &self,
        actor: &Actor,
        settings: ListSettings,
    ) -> Result<ListViews, AppError> {
        let (_, u) = load_actor(self.engine.db(), actor).await?;
        let keep = |chosen: &[String], allowed: &[&str]| -> Option<String> {
            let kept: Vec<&str> = allowed
                .iter()
                .copied()
                .filter(|a| chosen.iter().any(|c| c == a))
                .collect();
            (kept.len() == chosen.len() && !kept.is_empty()).then(|| kept.join(","))
        };
        let filters = keep(&settings.filters, &LIST_FILTERS)
            .ok_or_else(|| AppError::field("filters", Problem::OutOfRange))?;
        let columns = keep(&settings.columns, &LIST_COLUMNS)
            .ok_or_else(|| AppError::field("columns", Problem::OutOfRange))?;
        let mut row: user::ActiveModel = u.into();
        row.payment_filters = Set(filters);
        row.payment_columns = Set(columns);
        let u = row.update(self.engine.db()).await.map_err(internal)?;
        self.views_of(&u).await
    }
}
