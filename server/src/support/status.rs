//! The service status page (SP-3): components, incidents and planned maintenance with
//! their timelines. Anyone reads it (page and JSON); only agents change it.

use crate::account::service::internal;
use crate::entities::{status_component, status_incident, status_update, support_user};
use crate::platform::db::{Autocommit, BeginWrite};
use app::error::{AppError, FieldError, Problem};
use app::ports::Ports;
use app::support::accounts::SupportActor;
use app::support::status::SupportStatusPort;
use app::support::status::{
    StatusComponentView, StatusIncidentView, StatusPageView, StatusUpdateView,
};
use axum::extract::State;
use axum::response::IntoResponse;
use chrono::{DateTime, Duration, Utc};
use domain::status::{self, ComponentStatus};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, DatabaseConnection, DbErr, EntityTrait,
    IntoActiveModel, PaginatorTrait, QueryFilter, QueryOrder, Set,
};
use std::collections::HashMap;

fn iso(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// The components a new deployment's page starts with.
const COMPONENTS: [(&str, &str); 6] = [
    (
        "Payments API",
        "The server API at /v2 used by shops and the Direct SDKs.",
    ),
    (
        "Hosted payment pages",
        "The pages where payers enter their card.",
    ),
    (
        "Back office",
        "Merchants' dashboard, payments and configuration.",
    ),
    (
        "Terminal gateway",
        "Card terminals' connection (TCP port 9000).",
    ),
    ("Webhooks", "Event deliveries to merchants' endpoints."),
    (
        "Support portal",
        "This portal, tickets and the knowledge base.",
    ),
];

/// Creates the default components when there are none.
pub async fn ensure_components(db: &DatabaseConnection) -> Result<(), DbErr> {
    if status_component::Entity::find().count(db).await? > 0 {
        return Ok(());
    }
    for (i, (name, description)) in COMPONENTS.iter().enumerate() {
        status_component::ActiveModel {
            name: Set((*name).to_owned()),
            description: Set((*description).to_owned()),
            status: Set(ComponentStatus::Operational.code().to_owned()),
            position: Set(i as i32),
            updated_at: Set(Utc::now()),
            ..Default::default()
        }
        .insert(db)
        .await?;
    }
    Ok(())
}

/// The demo page: degraded webhooks with an open incident and a planned maintenance.
pub async fn seed_demo_status(db: &DatabaseConnection) -> Result<(), DbErr> {
    ensure_components(db).await?;
    if status_incident::Entity::find().count(db).await? > 0 {
        return Ok(());
    }
    let by_name = |name: &'static str| async move {
        status_component::Entity::find()
            .filter(status_component::Column::Name.eq(name))
            .one(db)
            .await
    };
    let now = Utc::now();
    if let Some(webhooks) = by_name("Webhooks").await? {
        let mut c = webhooks.clone().into_active_model();
        c.status = Set(ComponentStatus::Degraded.code().to_owned());
        c.update(db).await?;
        let incident = status_incident::ActiveModel {
            title: Set("Delayed webhook deliveries".to_owned()),
            kind: Set("incident".to_owned()),
            stage: Set("identified".to_owned()),
            components: Set(webhooks.id.to_string()),
            starts_at: Set(None),
            ends_at: Set(None),
            created_at: Set(now - Duration::minutes(50)),
            resolved_at: Set(None),
            ..Default::default()
        }
        .insert(db)
        .await?;
        for (stage, body, ago) in [
            ("investigating", "Some webhook deliveries arrive up to **15 minutes** late. Payments are not affected.", 50),
            ("identified", "A slow endpoint held the delivery workers; we are spreading the load.", 20),
        ] {
            status_update::ActiveModel {
                incident_id: Set(incident.id),
                stage: Set(stage.to_owned()),
                body: Set(body.to_owned()),
                created_at: Set(now - Duration::minutes(ago)),
                ..Default::default()
            }
            .insert(db)
            .await?;
        }
    }
    if let Some(back_office) = by_name("Back office").await? {
        let start = now + Duration::days(3);
        let maintenance = status_incident::ActiveModel {
            title: Set("Database upgrade".to_owned()),
            kind: Set("maintenance".to_owned()),
            stage: Set("scheduled".to_owned()),
            components: Set(back_office.id.to_string()),
            starts_at: Set(Some(start)),
            ends_at: Set(Some(start + Duration::minutes(30))),
            created_at: Set(now - Duration::days(1)),
            resolved_at: Set(None),
            ..Default::default()
        }
        .insert(db)
        .await?;
        status_update::ActiveModel {
            incident_id: Set(maintenance.id),
            stage: Set("scheduled".to_owned()),
            body: Set("The back office will be read-only for up to 30 minutes.".to_owned()),
            created_at: Set(now - Duration::days(1)),
            ..Default::default()
        }
        .insert(db)
        .await?;
    }
    Ok(())
}

/// The port's implementation.
pub struct SupportStatusService {
    db: DatabaseConnection,
}

impl SupportStatusService {
    /// Over `db`.
    pub fn new(db: DatabaseConnection) -> Self {
        SupportStatusService { db }
    }

    async fn is_agent(&self, actor: Option<&SupportActor>) -> Result<bool, AppError> {
        let Some(actor) = actor else {
            return Ok(false);
        };
        Ok(support_user::Entity::find_by_id(actor.user_id)
            .one(&self.db)
            .await
            .map_err(internal)?
            .is_some_and(|u| u.is_agent && u.status == crate::support::accounts::status::ACTIVE))
    }

    async fn agent(&self, actor: &SupportActor) -> Result<(), AppError> {
        crate::support::accounts::require_agent(&self.db, actor.user_id).await?;
        Ok(())
    }
}

#[async_trait::async_trait]
impl SupportStatusPort for SupportStatusService {
    async fn page(&self, viewer: Option<&SupportActor>) -> Result<StatusPageView, AppError> {
        let components = status_component::Entity::find()
            .order_by_asc(status_component::Column::Position)
            .all(&self.db)
            .await
            .map_err(internal)?;
        let names: HashMap<String, String> = components
            .iter()
            .map(|c| (c.id.to_string(), c.name.clone()))
            .collect();
        let since = Utc::now() - Duration::days(7);
        // Only what the page shows: open ones and those resolved in the last week.
        let incidents = status_incident::Entity::find()
            .filter(
                Condition::any()
                    .add(status_incident::Column::ResolvedAt.is_null())
                    .add(status_incident::Column::ResolvedAt.gt(since)),
            )
            .order_by_desc(status_incident::Column::CreatedAt)
            .all(&self.db)
            .await
            .map_err(internal)?;
        let updates = status_update::Entity::find()
            .filter(status_update::Column::IncidentId.is_in(incidents.iter().map(|i| i.id)))
            .order_by_desc(status_update::Column::CreatedAt)
            .order_by_desc(status_update::Column::Id)
            .all(&self.db)
            .await
            .map_err(internal)?;
        let view = |i: &status_incident::Model| StatusIncidentView {
            id: i.id,
            title: i.title.clone(),
            kind: i.kind.clone(),
            stage: i.stage.clone(),
            components: i
                .components
                .split(',')
                .filter_map(|id| names.get(id.trim()).cloned())
                .collect(),
            starts_at: i.starts_at.map(iso),
            ends_at: i.ends_at.map(iso),
            created_at: iso(i.created_at),
            updates: updates
                .iter()
                .filter(|u| u.incident_id == i.id)
                .map(|u| StatusUpdateView {
                    stage: u.stage.clone(),
                    html: domain::markup::render(&u.body),
                    at: iso(u.created_at),
                })
                .collect(),
        };
        Ok(StatusPageView {
            overall: status::overall(
                components
                    .iter()
                    .filter_map(|c| ComponentStatus::parse(&c.status)),
            )
            .code()
            .to_owned(),
            components: components
                .iter()
                .map(|c| StatusComponentView {
                    id: c.id,
                    name: c.name.clone(),
                    description: c.description.clone(),
                    status: c.status.clone(),
                })
                .collect(),
            active: incidents
                .iter()
                .filter(|i| i.resolved_at.is_none())
                .map(view)
                .collect(),
            recent: incidents
                .iter()
                .filter(|i| i.resolved_at.is_some_and(|at| at > since))
                .map(view)
                .collect(),
            can_edit: self.is_agent(viewer).await?,
        })
    }

    async fn set_component(
        &self,
        actor: &SupportActor,
        id: i64,
        status: String,
    ) -> Result<StatusPageView, AppError> {
        self.agent(actor).await?;
        let status = ComponentStatus::parse(&status)
            .ok_or_else(|| AppError::field("status", Problem::OutOfRange))?;
        let component = status_component::Entity::find_by_id(id)
            .one(&self.db)
            .await
            .map_err(internal)?
            .ok_or(AppError::NotFound)?;
        let mut c = component.into_active_model();
        c.status = Set(status.code().to_owned());
        c.updated_at = Set(Utc::now());
        c.update(&Autocommit(&self.db)).await.map_err(internal)?;
        self.page(Some(actor)).await
    }

    async fn open(
        &self,
        actor: &SupportActor,
        kind: String,
        title: String,
        body: String,
        components: Vec<i64>,
    ) -> Result<StatusPageView, AppError> {
        self.agent(actor).await?;
        let mut problems = Vec::new();
        let stage = match kind.as_str() {
            "incident" => "investigating",
            "maintenance" => "scheduled",
            _ => {
                problems.push(FieldError::new("kind", Problem::OutOfRange));
                ""
            }
        };
        let title = title.trim().to_owned();
        if title.is_empty() {
            problems.push(FieldError::new("title", Problem::Required));
        } else if title.chars().count() > 200 {
            problems.push(FieldError::new("title", Problem::TooLong));
        }
        if body.trim().is_empty() {
            problems.push(FieldError::new("body", Problem::Required));
        }
        if !problems.is_empty() {
            return Err(AppError::Invalid(problems));
        }
        let now = Utc::now();
        let txn = self.db.begin_write().await.map_err(internal)?;
        let incident = status_incident::ActiveModel {
            title: Set(title),
            kind: Set(kind),
            stage: Set(stage.to_owned()),
            components: Set(components
                .iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(",")),
            starts_at: Set(None),
            ends_at: Set(None),
            created_at: Set(now),
            resolved_at: Set(None),
            ..Default::default()
        }
        .insert(&txn)
        .await
        .map_err(internal)?;
        status_update::ActiveModel {
            incident_id: Set(incident.id),
            stage: Set(stage.to_owned()),
            body: Set(body.trim().to_owned()),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(&txn)
        .await
        .map_err(internal)?;
        txn.commit().await.map_err(internal)?;
        self.page(Some(actor)).await
    }

    async fn update(
        &self,
        actor: &SupportActor,
        id: i64,
        stage: String,
        body: String,
    ) -> Result<StatusPageView, AppError> {
        self.agent(actor).await?;
        let incident = status_incident::Entity::find_by_id(id)
            .one(&self.db)
            .await
            .map_err(internal)?
            .ok_or(AppError::NotFound)?;
        if incident.resolved_at.is_some() {
            return Err(AppError::NotAllowedNow);
        }
        if !status::valid_stage(&incident.kind, &stage) {
            return Err(AppError::field("stage", Problem::OutOfRange));
        }
        if body.trim().is_empty() {
            return Err(AppError::field("body", Problem::Required));
        }
        let now = Utc::now();
        let txn = self.db.begin_write().await.map_err(internal)?;
        let mut i = incident.clone().into_active_model();
        i.stage = Set(stage.clone());
        if status::is_final_stage(&stage) {
            i.resolved_at = Set(Some(now));
        }
        i.update(&txn).await.map_err(internal)?;
        status_update::ActiveModel {
            incident_id: Set(incident.id),
            stage: Set(stage),
            body: Set(body.trim().to_owned()),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(&txn)
        .await
        .map_err(internal)?;
        txn.commit().await.map_err(internal)?;
        self.page(Some(actor)).await
    }
}

/// The service status page as JSON (SP-3), for anyone and any monitoring tool.
pub async fn status_json(State(ports): State<Ports>) -> axum::response::Response {
    match ports.support_status.page(None).await {
        Ok(page) => (
            [(
                axum::http::header::CACHE_CONTROL,
                axum::http::HeaderValue::from_static("no-cache"),
            )],
            axum::Json(page),
        )
            .into_response(),
        Err(_) => axum::http::StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}
