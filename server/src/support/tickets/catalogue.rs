//! The product areas (solutions) and their request types that a customer picks when
//! raising a request: the catalogue a new deployment starts with, and the agents'
//! additions.

use super::SupportTicketService;
use crate::account::service::internal;
use crate::entities::{support_area, support_request_type};
use crate::platform::db::{Autocommit, BeginWrite};
use app::error::{AppError, FieldError, Problem};
use app::support::accounts::SupportActor;
use app::support::tickets::{RequestTypeView, SupportAreaView};
use domain::ticket::TicketKind;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, Set,
};

/// The product areas and request types a new deployment starts with (agents manage them).
/// A request type: name, kind, what it is for.
type RequestTypeSeed = (&'static str, TicketKind, &'static str);

const CATALOGUE: [(&str, &str, &[RequestTypeSeed]); 5] = [
    (
        "Payments platform",
        "Online payments, the server API, hosted pages, webhooks and the back office.",
        &[
            (
                "Payments are failing",
                TicketKind::Incident,
                "Payments are refused or time out.",
            ),
            (
                "API or webhook problem",
                TicketKind::Incident,
                "Calls fail, signatures are refused, webhooks do not arrive.",
            ),
            (
                "Configuration change",
                TicketKind::Request,
                "Payment methods, capture settings, users and rights.",
            ),
            (
                "Question about a payment",
                TicketKind::Request,
                "A payment's status, refund or chargeback.",
            ),
        ],
    ),
    (
        "The Estate Manager",
        "Managing a fleet of Ingenico terminals: software, parameters, locations.",
        &[
            (
                "Terminal does not connect",
                TicketKind::Incident,
                "A terminal cannot reach the gateway or the estate.",
            ),
            (
                "Deploy software or parameters",
                TicketKind::Request,
                "Schedule a software or parameter update.",
            ),
        ],
    ),
    (
        "Tetra",
        "Lane, Desk and Move terminals running Tetra.",
        &[
            (
                "Terminal fault",
                TicketKind::Incident,
                "Screen, printer, card reader or PIN pad problem.",
            ),
            (
                "New terminal",
                TicketKind::Request,
                "Order, bind or replace a terminal.",
            ),
        ],
    ),
    (
        "Ingenico SoftPOS",
        "Accepting contactless cards on a phone.",
        &[
            (
                "App problem",
                TicketKind::Incident,
                "The SoftPOS app fails or refuses cards.",
            ),
            (
                "Enrol a device",
                TicketKind::Request,
                "Add a phone to your SoftPOS account.",
            ),
        ],
    ),
    (
        "Ingenico 360",
        "Reporting, reconciliation and settlement across channels.",
        &[
            (
                "Missing transactions",
                TicketKind::Incident,
                "Transactions or settlements do not show.",
            ),
            (
                "Report or export",
                TicketKind::Request,
                "A new report, export or access.",
            ),
        ],
    ),
];

/// Creates the default product areas and request types when there are none.
pub async fn ensure_catalogue(db: &DatabaseConnection) -> Result<(), DbErr> {
    if support_area::Entity::find().count(db).await? > 0 {
        return Ok(());
    }
    let txn = db.begin_write().await?;
    for (position, (name, description, types)) in CATALOGUE.iter().enumerate() {
        let area = support_area::ActiveModel {
            name: Set((*name).to_owned()),
            description: Set((*description).to_owned()),
            position: Set(position as i32),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        for (i, (type_name, kind, text)) in types.iter().enumerate() {
            support_request_type::ActiveModel {
                area_id: Set(area.id),
                name: Set((*type_name).to_owned()),
                kind: Set(kind.code().to_owned()),
                description: Set((*text).to_owned()),
                position: Set(i as i32),
                ..Default::default()
            }
            .insert(&txn)
            .await?;
        }
    }
    txn.commit().await
}

/// The name (1–80 characters) and description (at most 500) of an area or request type.
fn check_catalogue_entry(name: &str, description: &str, problems: &mut Vec<FieldError>) {
    if name.is_empty() {
        problems.push(FieldError::new("name", Problem::Required));
    } else if name.chars().count() > 80 {
        problems.push(FieldError::new("name", Problem::TooLong));
    }
    if description.chars().count() > 500 {
        problems.push(FieldError::new("description", Problem::TooLong));
    }
}

/// A request type as the pages show it.
pub(super) fn request_type_view(t: support_request_type::Model) -> RequestTypeView {
    RequestTypeView {
        id: t.id,
        name: t.name,
        kind: t.kind,
        description: t.description,
    }
}

impl SupportTicketService {
    /// Product areas with their request types, in the agents' order.
    pub(super) async fn catalogue(
        &self,
        actor: &SupportActor,
    ) -> Result<Vec<SupportAreaView>, AppError> {
        self.viewer(actor).await?;
        let areas = support_area::Entity::find()
            .order_by_asc(support_area::Column::Position)
            .all(&self.db)
            .await
            .map_err(internal)?;
        let types = support_request_type::Entity::find()
            .order_by_asc(support_request_type::Column::Position)
            .all(&self.db)
            .await
            .map_err(internal)?;
        Ok(areas
            .into_iter()
            .map(|a| SupportAreaView {
                request_types: types
                    .iter()
                    .filter(|t| t.area_id == a.id)
                    .cloned()
                    .map(request_type_view)
                    .collect(),
                id: a.id,
                name: a.name,
                description: a.description,
            })
            .collect())
    }

    /// Agents: adds a product area, last.
    pub(super) async fn new_area(
        &self,
        actor: &SupportActor,
        name: String,
        description: String,
    ) -> Result<Vec<SupportAreaView>, AppError> {
        self.agent(actor).await?;
        let name = name.trim().to_owned();
        let mut problems = Vec::new();
        check_catalogue_entry(&name, &description, &mut problems);
        if !problems.is_empty() {
            return Err(AppError::Invalid(problems));
        }
        let position = support_area::Entity::find()
            .count(&self.db)
            .await
            .map_err(internal)?;
        support_area::ActiveModel {
            name: Set(name),
            description: Set(description.trim().to_owned()),
            position: Set(position as i32),
            ..Default::default()
        }
        .insert(&Autocommit(&self.db))
        .await
        .map_err(internal)?;
        self.catalogue(actor).await
    }

    /// Agents: adds a request type of `kind` (`None`: none was chosen) to an area, last.
    pub(super) async fn new_request_type(
        &self,
        actor: &SupportActor,
        area: i64,
        name: String,
        kind: Option<TicketKind>,
        description: String,
    ) -> Result<Vec<SupportAreaView>, AppError> {
        self.agent(actor).await?;
        let name = name.trim().to_owned();
        let mut problems = Vec::new();
        let area = support_area::Entity::find_by_id(area)
            .one(&self.db)
            .await
            .map_err(internal)?;
        if area.is_none() {
            problems.push(FieldError::new("area", Problem::Required));
        }
        check_catalogue_entry(&name, &description, &mut problems);
        if kind.is_none() {
            problems.push(FieldError::new("kind", Problem::Required));
        }
        let (Some(area), Some(kind)) = (area, kind) else {
            return Err(AppError::Invalid(problems));
        };
        if !problems.is_empty() {
            return Err(AppError::Invalid(problems));
        }
        let position = support_request_type::Entity::find()
            .filter(support_request_type::Column::AreaId.eq(area.id))
            .count(&self.db)
            .await
            .map_err(internal)?;
        support_request_type::ActiveModel {
            area_id: Set(area.id),
            name: Set(name),
            kind: Set(kind.code().to_owned()),
            description: Set(description.trim().to_owned()),
            position: Set(position as i32),
            ..Default::default()
        }
        .insert(&Autocommit(&self.db))
        .await
        .map_err(internal)?;
        self.catalogue(actor).await
    }
}
