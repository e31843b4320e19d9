//! The requests list (SP-5) and the agents' queue (SP-8): the viewer's scope, the
//! status, request type, assignee, area, priority and organization filters, the search
//! by reference or words, the sort and the pages.

use super::catalogue::request_type_view;
use super::detail::sla_of;
use super::visibility::{followed_by, visible};
use super::{format, SupportTicketService};
use crate::account::service::internal;
use crate::entities::{
    support_area, support_organization, support_request_type, support_ticket, support_user,
};
use app::error::{AppError, Problem};
use app::support::accounts::SupportActor;
use app::support::tickets::{TicketRow, TicketsPage, TicketsQuery};
use chrono::Utc;
use domain::ticket::{self, Priority, TicketStatus};
use sea_orm::sea_query::{Expr, ExprTrait, Func};
use sea_orm::{
    ColumnTrait, Condition, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use std::collections::HashMap;

/// Rows per page of the requests list.
const PAGE_SIZE: u64 = 25;

/// An optional id filter of the agents' queue.
fn id_filter(value: &str, name: &str) -> Result<Option<i64>, AppError> {
    match value.trim() {
        "" => Ok(None),
        id => id
            .parse()
            .map(Some)
            .map_err(|_| AppError::field(name, Problem::OutOfRange)),
    }
}

impl SupportTicketService {
    /// A page of the requests list: the viewer's scope, the filters, the search by
    /// reference or words, the sort.
    pub(super) async fn requests(
        &self,
        actor: &SupportActor,
        query: TicketsQuery,
    ) -> Result<TicketsPage, AppError> {
        let (viewer, orgs) = self.viewer(actor).await?;
        let mut select = support_ticket::Entity::find().filter(visible(&viewer, &orgs));
        if !viewer.is_agent {
            select = match query.scope.as_str() {
                "mine" => select.filter(support_ticket::Column::ReporterId.eq(viewer.id)),
                "participant" => select.filter(followed_by(&viewer)),
                "organization" => select
                    .filter(support_ticket::Column::Shared.eq(true))
                    .filter(support_ticket::Column::OrganizationId.is_in(orgs.clone())),
                _ => select,
            };
        }
        if viewer.is_agent {
            select = match query.assignee.as_str() {
                "unassigned" => select.filter(support_ticket::Column::AssigneeId.is_null()),
                "mine" => select.filter(support_ticket::Column::AssigneeId.eq(viewer.id)),
                _ => select,
            };
            if let Some(area) = id_filter(&query.area, "area")? {
                select = select.filter(support_ticket::Column::AreaId.eq(area));
            }
            if let Some(org) = id_filter(&query.organization, "organization")? {
                select = select.filter(support_ticket::Column::OrganizationId.eq(org));
            }
            if !query.priority.is_empty() {
                let priority = Priority::parse(&query.priority)
                    .ok_or_else(|| AppError::field("priority", Problem::OutOfRange))?;
                select = select.filter(support_ticket::Column::Priority.eq(priority.code()));
            }
        }
        let open: Vec<&str> = TicketStatus::ALL
            .into_iter()
            .filter(|s| s.is_open())
            .map(TicketStatus::code)
            .collect();
        select = match query.status.as_str() {
            "" | "open" => select.filter(support_ticket::Column::Status.is_in(open)),
            "closed" => select.filter(support_ticket::Column::Status.is_not_in(open)),
            "all" => select,
            code => match TicketStatus::parse(code.strip_prefix("only:").unwrap_or(code)) {
                Some(s) => select.filter(support_ticket::Column::Status.eq(s.code())),
                None => return Err(AppError::field("status", Problem::OutOfRange)),
            },
        };
        if !query.request_type.trim().is_empty() {
            let id: i64 = query
                .request_type
                .trim()
                .parse()
                .map_err(|_| AppError::field("request_type", Problem::OutOfRange))?;
            select = select.filter(support_ticket::Column::RequestTypeId.eq(id));
        }
        let search = query.search.trim();
        if !search.is_empty() {
            if let Some((key, number)) = ticket::parse_reference(search) {
                select = select
                    .filter(support_ticket::Column::Reference.eq(ticket::reference(&key, number)));
            } else {
                for word in search.split_whitespace().take(8) {
                    let pattern = format!("%{}%", word.to_lowercase().replace(['%', '_'], ""));
                    select = select.filter(
                        Condition::any()
                            .add(
                                Expr::expr(Func::lower(Expr::col(support_ticket::Column::Summary)))
                                    .like(pattern.clone()),
                            )
                            .add(
                                Expr::expr(Func::lower(Expr::col(
                                    support_ticket::Column::Description,
                                )))
                                .like(pattern),
                            ),
                    );
                }
            }
        }
        let asc = query.dir == "asc";
        let column = match query.sort.as_str() {
            "reference" => support_ticket::Column::Id,
            "summary" => support_ticket::Column::Summary,
            "status" => support_ticket::Column::Status,
            "created" => support_ticket::Column::CreatedAt,
            "priority" => support_ticket::Column::Priority,
            _ => support_ticket::Column::UpdatedAt,
        };
        select = if asc {
            select.order_by_asc(column)
        } else {
            select.order_by_desc(column)
        }
        .order_by_desc(support_ticket::Column::Id);
        let total = select.clone().count(&self.db).await.map_err(internal)?;
        let pages = std::cmp::Ord::max(total.div_ceil(PAGE_SIZE), 1) as u32;
        let page = query.page.clamp(1, pages);
        let rows = select
            .offset(u64::from(page - 1) * PAGE_SIZE)
            .limit(PAGE_SIZE)
            .all(&self.db)
            .await
            .map_err(internal)?;
        let mut ids: Vec<i64> = rows.iter().map(|t| t.reporter_id).collect();
        ids.extend(rows.iter().filter_map(|t| t.assignee_id));
        let people = self.names(ids).await?;
        let organizations: HashMap<i64, String> = if viewer.is_agent {
            support_organization::Entity::find()
                .order_by_asc(support_organization::Column::Name)
                .all(&self.db)
                .await
                .map_err(internal)?
        } else {
            support_organization::Entity::find()
                .filter(
                    support_organization::Column::Id
                        .is_in(rows.iter().filter_map(|t| t.organization_id)),
                )
                .all(&self.db)
                .await
                .map_err(internal)?
        }
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect();
        let now = Utc::now();
        let name = |id: i64| {
            people
                .get(&id)
                .map(support_user::Model::display_name)
                .unwrap_or_default()
        };
        let areas: HashMap<i64, String> = support_area::Entity::find()
            .all(&self.db)
            .await
            .map_err(internal)?
            .into_iter()
            .map(|a| (a.id, a.name))
            .collect();
        let request_types = support_request_type::Entity::find()
            .order_by_asc(support_request_type::Column::AreaId)
            .order_by_asc(support_request_type::Column::Position)
            .all(&self.db)
            .await
            .map_err(internal)?
            .into_iter()
            .map(request_type_view)
            .collect();
        Ok(TicketsPage {
            rows: rows
                .iter()
                .map(|t| TicketRow {
                    kind: t.kind.clone(),
                    reference: t.reference.clone(),
                    summary: t.summary.clone(),
                    status: t.status.clone(),
                    area: areas.get(&t.area_id).cloned().unwrap_or_default(),
                    requester: name(t.reporter_id),
                    created: format(t.created_at),
                    updated: format(t.updated_at),
                    assignee: t.assignee_id.map(name).unwrap_or_default(),
                    priority: t.priority.clone(),
                    organization: t
                        .organization_id
                        .and_then(|id| organizations.get(&id).cloned())
                        .unwrap_or_default(),
                    sla: if viewer.is_agent {
                        sla_of(t, now)
                            .map(|s| {
                                if t.first_response_at.is_none() {
                                    s.response_state
                                } else {
                                    s.resolution_state
                                }
                            })
                            .unwrap_or_default()
                    } else {
                        String::new()
                    },
                })
                .collect(),
            total,
            page,
            pages,
            request_types,
            areas: if viewer.is_agent {
                let mut areas: Vec<(i64, String)> = areas.into_iter().collect();
                areas.sort_by(|a, b| a.1.cmp(&b.1));
                areas
            } else {
                Vec::new()
            },
            organizations: if viewer.is_agent {
                let mut orgs: Vec<(i64, String)> = organizations.into_iter().collect();
                orgs.sort_by(|a, b| a.1.cmp(&b.1));
                orgs
            } else {
                Vec::new()
            },
            for_agent: viewer.is_agent,
        })
    }
}
