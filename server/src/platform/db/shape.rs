//! The SQL text of a statement built once per backend and reused with new values, for
//! the hot statements whose shape never changes, only their values (the API key read of
//! every API request). sea-query builds the text from the entities as usual, the first
//! time; each later use only binds its values, instead of building the same text again
//! (for a join of two wide tables, hundreds of aliased columns each time).

use sea_orm::{DbBackend, Statement, Value};
use std::sync::OnceLock;

/// One statement's text per backend, built by the first use.
pub struct Shape {
    texts: [OnceLock<Built>; 3],
}

/// A built text and how many values it binds.
struct Built {
    sql: String,
    values: usize,
}

impl Shape {
    /// A shape whose text is not built yet (for a `static`).
    pub const fn new() -> Self {
        Shape {
            texts: [OnceLock::new(), OnceLock::new(), OnceLock::new()],
        }
    }

    /// The statement for `backend` binding `values`: the text `build` makes for it, built
    /// once. `build` must give a statement binding exactly `values.len()` values, in the
    /// order they are given here (the values it binds itself are dropped, only its text
    /// is kept). A text binding another number of values is refused; values of the right
    /// number in another order are not detected here, so a shape suits statements whose
    /// values cannot be confused (the key read binds one).
    pub fn statement(
        &self,
        backend: DbBackend,
        build: impl FnOnce(DbBackend) -> Statement,
        values: Vec<Value>,
    ) -> Result<Statement, sea_orm::DbErr> {
        let slot = match backend {
            DbBackend::Postgres => 0,
            DbBackend::Sqlite => 1,
            _ => 2,
        };
        let built = self.texts[slot].get_or_init(|| {
            let built = build(backend);
            Built {
                values: built.values.map_or(0, |v| v.0.len()),
                sql: built.sql,
            }
        });
        if built.values != values.len() {
            return Err(sea_orm::DbErr::Custom(format!(
                "a statement binding {} values was given {}",
                built.values,
                values.len()
            )));
        }
        Ok(Statement::from_sql_and_values(
            backend,
            built.sql.clone(),
            values,
        ))
    }
}

impl Default for Shape {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
    use sea_orm::StatementBuilder;

    fn by_name(backend: DbBackend) -> Statement {
        let query = Query::select()
            .column(Alias::new("id"))
            .from(Alias::new("t"))
            .and_where(Expr::col(Alias::new("name")).eq("first"))
            .to_owned();
        StatementBuilder::build(&query, &backend)
    }

    #[test]
    fn the_text_is_built_once_per_backend_and_takes_the_values_given() {
        let shape = Shape::new();
        let mut builds = 0;
        for name in ["a", "b"] {
            let stmt = shape
                .statement(
                    DbBackend::Postgres,
                    |b| {
                        builds += 1;
                        by_name(b)
                    },
                    vec![name.into()],
                )
                .unwrap();
            assert_eq!(stmt.sql, r#"SELECT "id" FROM "t" WHERE "name" = $1"#);
            assert_eq!(stmt.values.unwrap().0, vec![Value::from(name)]);
        }
        assert_eq!(builds, 1);
        let sqlite = shape
            .statement(DbBackend::Sqlite, by_name, vec!["c".into()])
            .unwrap();
        assert_eq!(sqlite.sql, r#"SELECT "id" FROM "t" WHERE "name" = ?"#);
    }

    #[test]
    fn values_that_do_not_fit_the_text_are_refused() {
        let shape = Shape::new();
        assert!(shape.statement(DbBackend::Sqlite, by_name, vec![]).is_err());
        assert!(shape
            .statement(DbBackend::Sqlite, by_name, vec![1.into(), 2.into()])
            .is_err());
    }
}
