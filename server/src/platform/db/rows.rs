//! Entity rows read by position, for the hot reads of whole rows (the API key and its
//! merchant of every API request, the user and merchant of every signed-in page).
//!
//! sea-orm reads a model by column name: for each column it builds the name's string
//! (with the join's prefix), looks it up among the row's columns, and for a NULL read
//! into an `Option` formats an error it then drops. Here the columns are read in the
//! order the entity declares them, which is the order sea-orm selects them in (`find`,
//! and `find_also_related` after the first entity's), each as the type its column
//! declares; the model is then filled through the entity's own active model, so a NULL
//! in a column that cannot hold one, or a value of another type, is still an error.
//! Debug builds (every test) read each row the sea-orm way too and check both agree.

use sea_orm::sea_query::Value;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ColumnType, ConnectionTrait, DbErr, EntityTrait, Iterable,
    QueryResult, Statement, TryIntoModel,
};

/// The column types read by position, and how each is read.
#[derive(Clone, Copy)]
enum Kind {
    Text,
    Int,
    BigInt,
    Bool,
    Time,
}

/// How a column of `column_type` is read; `None` for a type not read here.
fn kind_of(column_type: &ColumnType) -> Option<Kind> {
    match column_type {
        ColumnType::String(_) | ColumnType::Text | ColumnType::Char(_) => Some(Kind::Text),
        ColumnType::Integer => Some(Kind::Int),
        ColumnType::BigInteger => Some(Kind::BigInt),
        ColumnType::Boolean => Some(Kind::Bool),
        ColumnType::TimestampWithTimeZone => Some(Kind::Time),
        _ => None,
    }
}

/// Reads `row`'s column `i` as a value of `kind`. One body for each backend's row type.
macro_rules! read_at {
    ($row:expr, $i:expr, $kind:expr) => {{
        use sea_orm::sqlx::Row;
        let row = $row;
        let i = $i;
        match $kind {
            Kind::Text => row.try_get::<Option<String>, _>(i).map(Value::String),
            Kind::Int => row.try_get::<Option<i32>, _>(i).map(Value::Int),
            Kind::BigInt => row.try_get::<Option<i64>, _>(i).map(Value::BigInt),
            Kind::Bool => row.try_get::<Option<bool>, _>(i).map(Value::Bool),
            Kind::Time => row
                .try_get::<Option<chrono::DateTime<chrono::Utc>>, _>(i)
                .map(Value::ChronoDateTimeUtc),
        }
    }};
}

/// `row`'s column `i`, read as `column_type`.
fn value_at(row: &QueryResult, i: usize, column_type: &ColumnType) -> Result<Value, DbErr> {
    let Some(kind) = kind_of(column_type) else {
        return Err(DbErr::Type(format!(
            "column {i}: type {column_type:?} is not read by position"
        )));
    };
    let read = if let Some(pg) = row.try_as_pg_row() {
        read_at!(pg, i, kind)
    } else if let Some(sqlite) = row.try_as_sqlite_row() {
        read_at!(sqlite, i, kind)
    } else {
        return Err(DbErr::Custom("rows by position: backend not served".into()));
    };
    read.map_err(|e| DbErr::Type(format!("column {i}: {e}")))
}

/// The values of entity `E`'s columns, read from position `first` on.
fn values_at<E: EntityTrait>(row: &QueryResult, first: usize) -> Result<Vec<Value>, DbErr> {
    E::Column::iter()
        .enumerate()
        .map(|(n, column)| value_at(row, first + n, column.def().get_column_type()))
        .collect()
}

/// Entity `E`'s model from `values`, one per column in the entity's order.
fn model_of<E>(values: Vec<Value>) -> Result<E::Model, DbErr>
where
    E: EntityTrait,
    E::ActiveModel: ActiveModelTrait<Entity = E> + TryIntoModel<E::Model>,
{
    let mut model = <E::ActiveModel as ActiveModelTrait>::default_values();
    for (column, value) in E::Column::iter().zip(values) {
        model.try_set(column, value)?;
    }
    model.try_into_model()
}

/// The rows of `find_also_related`: entity `A`'s columns, then `B`'s, which are all
/// NULL when no `B` row joined.
fn pair_of<A, B>(row: &QueryResult) -> Result<(A::Model, Option<B::Model>), DbErr>
where
    A: EntityTrait,
    B: EntityTrait,
    A::ActiveModel: ActiveModelTrait<Entity = A> + TryIntoModel<A::Model>,
    B::ActiveModel: ActiveModelTrait<Entity = B> + TryIntoModel<B::Model>,
{
    let width = A::Column::iter().count();
    let a = model_of::<A>(values_at::<A>(row, 0)?)?;
    let b_values = values_at::<B>(row, width)?;
    let b = if b_values.iter().all(|v| *v == v.as_null()) {
        None
    } else {
        Some(model_of::<B>(b_values)?)
    };
    Ok((a, b))
}

/// The one row of `stmt`, a `find_also_related` of `A` then `B`, read by position;
/// `None` when there is no row. Debug builds (every test) also read it the sea-orm way
/// and check both readings agree.
pub(crate) async fn one_pair<A, B>(
    db: &impl ConnectionTrait,
    stmt: Statement,
) -> Result<Option<(A::Model, Option<B::Model>)>, DbErr>
where
    A: EntityTrait,
    B: EntityTrait,
    A::ActiveModel: ActiveModelTrait<Entity = A> + TryIntoModel<A::Model>,
    B::ActiveModel: ActiveModelTrait<Entity = B> + TryIntoModel<B::Model>,
    A::Model: PartialEq,
    B::Model: PartialEq,
{
    let Some(row) = db.query_one_raw(stmt).await? else {
        return Ok(None);
    };
    let pair = pair_of::<A, B>(&row)?;
    #[cfg(debug_assertions)]
    {
        use sea_orm::{SelectTwoModel, SelectorTrait};
        let named = SelectTwoModel::<A::Model, B::Model>::from_raw_query_result(row)?;
        assert!(
            named == pair,
            "the rows of {} and {} read by position",
            A::default().table_name(),
            B::default().table_name()
        );
    }
    Ok(Some(pair))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entities::{api_key, merchant, user};

    /// Every column of the entities read by position has a type read here.
    #[test]
    fn the_entities_read_by_position_have_only_types_read_here() {
        let served = |t: &ColumnType| kind_of(t).is_some();
        let unserved =
            |columns: Vec<ColumnType>| columns.into_iter().filter(|t| !served(t)).count();
        let types =
            |c: Vec<sea_orm::ColumnDef>| c.iter().map(|d| d.get_column_type().clone()).collect();
        assert_eq!(
            unserved(types(api_key::Column::iter().map(|c| c.def()).collect())),
            0
        );
        assert_eq!(
            unserved(types(merchant::Column::iter().map(|c| c.def()).collect())),
            0
        );
        assert_eq!(
            unserved(types(user::Column::iter().map(|c| c.def()).collect())),
            0
        );
    }
}
