//! Organizations (SP-1): the customer companies support people belong to, created by
//! name when someone is invited into them, and the agents' view of every organization
//! with its members, support staff listed as a group of their own.

use super::{require_agent, SupportAccountService};
use crate::account::service::internal;
use crate::entities::{support_membership, support_organization, support_user};
use app::error::AppError;
use app::support::accounts::{SupportActor, SupportMemberView, SupportOrganizationView};
use chrono::Utc;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, Set};

/// The organization called `name`, created if it does not exist.
pub async fn organization_named<C: ConnectionTrait>(
    conn: &C,
    name: &str,
) -> Result<support_organization::Model, DbErr> {
    support_organization::Entity::insert(support_organization::ActiveModel {
        name: Set(name.to_owned()),
        created_at: Set(Utc::now()),
        ..Default::default()
    })
    .on_conflict_do_nothing_on([support_organization::Column::Name])
    .exec(conn)
    .await?;
    support_organization::Entity::find()
        .filter(support_organization::Column::Name.eq(name))
        .one(conn)
        .await?
        .ok_or(DbErr::RecordNotFound(name.to_owned()))
}

/// Makes `user_id` a member of `organization_id` (once).
pub async fn join<C: ConnectionTrait>(
    conn: &C,
    user_id: i64,
    organization_id: i64,
) -> Result<(), DbErr> {
    support_membership::Entity::insert(support_membership::ActiveModel {
        user_id: Set(user_id),
        organization_id: Set(organization_id),
        ..Default::default()
    })
    .on_conflict_do_nothing_on([
        support_membership::Column::UserId,
        support_membership::Column::OrganizationId,
    ])
    .exec(conn)
    .await?;
    Ok(())
}

/// The organizations `user_id` belongs to, by name.
pub async fn organizations_of<C: ConnectionTrait>(
    conn: &C,
    user_id: i64,
) -> Result<Vec<support_organization::Model>, DbErr> {
    let ids: Vec<i64> = support_membership::Entity::find()
        .filter(support_membership::Column::UserId.eq(user_id))
        .all(conn)
        .await?
        .into_iter()
        .map(|m| m.organization_id)
        .collect();
    support_organization::Entity::find()
        .filter(support_organization::Column::Id.is_in(ids))
        .order_by_asc(support_organization::Column::Name)
        .all(conn)
        .await
}

impl SupportAccountService {
    /// Every organization with its members by e-mail, after support staff (id 0); for
    /// agents only.
    pub(super) async fn directory(
        &self,
        actor: &SupportActor,
    ) -> Result<Vec<SupportOrganizationView>, AppError> {
        require_agent(&self.db, actor.user_id).await?;
        let orgs = support_organization::Entity::find()
            .order_by_asc(support_organization::Column::Name)
            .all(&self.db)
            .await
            .map_err(internal)?;
        let memberships = support_membership::Entity::find()
            .all(&self.db)
            .await
            .map_err(internal)?;
        let people: std::collections::HashMap<i64, support_user::Model> =
            support_user::Entity::find()
                .order_by_asc(support_user::Column::Email)
                .all(&self.db)
                .await
                .map_err(internal)?
                .into_iter()
                .map(|u| (u.id, u))
                .collect();
        let member = |u: &support_user::Model| SupportMemberView {
            name: u.display_name(),
            email: u.email.clone(),
            status: u.status.clone(),
        };
        let mut views: Vec<SupportOrganizationView> = orgs
            .into_iter()
            .map(|o| {
                let mut members: Vec<SupportMemberView> = memberships
                    .iter()
                    .filter(|m| m.organization_id == o.id)
                    .filter_map(|m| people.get(&m.user_id))
                    .map(member)
                    .collect();
                members.sort_by(|a, b| a.email.cmp(&b.email));
                SupportOrganizationView {
                    id: o.id,
                    name: o.name,
                    members,
                }
            })
            .collect();
        // Support staff, as a group of their own (id 0: not an organization).
        let mut agents: Vec<SupportMemberView> =
            people.values().filter(|u| u.is_agent).map(member).collect();
        agents.sort_by(|a, b| a.email.cmp(&b.email));
        views.insert(
            0,
            SupportOrganizationView {
                id: 0,
                name: String::new(),
                members: agents,
            },
        );
        Ok(views)
    }
}
