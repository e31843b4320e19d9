//! A ticket's reference, `UCSUP-10183`: the project key and the next number of the
//! project's counter. Numbers are given in order and without gaps, even when two
//! tickets are raised at the same moment.

use crate::entities::support_counter;
use domain::ticket;
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set};

/// First number of a project's references, minus one.
const FIRST_NUMBER: i64 = 10_000;

/// The next reference under `key`, inside `txn`: numbers are given in order and a rolled
/// back ticket gives its number back, so there are no gaps and no duplicates.
pub(super) async fn next_reference<C: ConnectionTrait>(
    txn: &C,
    key: &str,
) -> Result<String, DbErr> {
    support_counter::Entity::insert(support_counter::ActiveModel {
        project_key: Set(key.to_owned()),
        last_number: Set(FIRST_NUMBER),
    })
    .on_conflict(
        OnConflict::column(support_counter::Column::ProjectKey)
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(txn)
    .await?;
    // The UPDATE locks the row: concurrent tickets take their numbers one after another.
    support_counter::Entity::update_many()
        .col_expr(
            support_counter::Column::LastNumber,
            Expr::col(support_counter::Column::LastNumber).add(1),
        )
        .filter(support_counter::Column::ProjectKey.eq(key))
        .exec(txn)
        .await?;
    let counter = support_counter::Entity::find_by_id(key.to_owned())
        .one(txn)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound(key.to_owned()))?;
    Ok(ticket::reference(key, counter.last_number))
}
