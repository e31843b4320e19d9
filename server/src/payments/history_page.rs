//! The financial history page (MB-37) as the payments port answers it: one page of money
//! moves in the user's zone and language, and the users to filter by.

use super::history::{entries, history_filtered};
use super::operations::{OperationsService, PAGE_SIZE};
use crate::account::service::{internal, load_actor, zone_of};
use crate::entities::user;
use crate::payments::records::stored_money;
use app::account::Actor;
use app::error::AppError;
use app::payments::{HistoryFilter, HistoryPage, HistoryRow};
use domain::Lang;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};

impl OperationsService {
    pub(crate) async fn history_page(
        &self,
        actor: &Actor,
        f: HistoryFilter,
    ) -> Result<HistoryPage, AppError> {
        let (m, u) = load_actor(self.engine.db(), actor).await?;
        let zone = zone_of(&u);
        let lang = Lang::parse(&u.language).unwrap_or_default();
        let db = self.engine.db();
        let query = history_filtered(db, m.id, &zone, &f).await?;
        let paginator = query.paginate(db, PAGE_SIZE);
        let total = paginator.num_items().await.map_err(internal)?;
        let pages = total.div_ceil(PAGE_SIZE).max(1) as u32;
        let page = f.page.clamp(1, pages);
        let ops = paginator
            .fetch_page(u64::from(page - 1))
            .await
            .map_err(internal)?;
        let rows = entries(db, &ops)
            .await
            .map_err(internal)?
            .into_iter()
            .map(|e| HistoryRow {
                date: zone.format(e.at),
                amount: stored_money(e.amount, &e.currency)
                    .map(|m| m.format_in(lang))
                    .unwrap_or_default(),
                kind: e.kind,
                payment_id: e.payment_id,
                reference: e.reference,
                by: e.by,
            })
            .collect();
        let users = user::Entity::find()
            .filter(user::Column::MerchantId.eq(m.id))
            .order_by_asc(user::Column::Login)
            .all(db)
            .await
            .map_err(internal)?
            .into_iter()
            .map(|u| u.login)
            .collect();
        Ok(HistoryPage {
            rows,
            total,
            page,
            pages,
            zone: zone.zone.clone(),
            users,
        })
    }
}
