//! tower-sessions store in the database, so sessions survive restarts and are shared by
//! every server process on one PostgreSQL.

use crate::entities::{session, user};
use crate::platform::db::Autocommit;
use app::account::{Actor, ACTOR_SESSION_KEY};
use app::support::accounts::{SupportActor, SUPPORT_ACTOR_SESSION_KEY};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect, Set};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, ExpiredDeletion, SessionStore};

/// Sessions in the `sessions` table. Reads go to the pool; each write is a statement of
/// its own through the database's writer ([`Autocommit`]).
///
/// Idle expiry means every request pushes the deadline back, which would be one write
/// per request. The store skips a save whose data is unchanged and whose deadline moved
/// less than `min_extension` since this process last wrote it: the stored deadline is
/// then at most that much early, never late.
#[derive(Clone, Debug)]
pub struct DbSessionStore {
    db: DatabaseConnection,
    min_extension: i64,
    written: Arc<Mutex<HashMap<String, (u64, i64)>>>,
}

/// Entries remembered before the write cache starts over.
const WRITE_CACHE_LIMIT: usize = 100_000;

impl DbSessionStore {
    /// A store over `db` for sessions that expire after `idle_seconds` of inactivity.
    pub fn new(db: DatabaseConnection, idle_seconds: i64) -> Self {
        DbSessionStore {
            db,
            min_extension: (idle_seconds / 10).clamp(0, 60),
            written: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    fn cache(&self) -> std::sync::MutexGuard<'_, HashMap<String, (u64, i64)>> {
        self.written.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn remember(&self, id: &str, data_hash: u64, expiry: i64) {
        let mut cache = self.cache();
        if cache.len() >= WRITE_CACHE_LIMIT {
            cache.clear();
        }
        cache.insert(id.to_owned(), (data_hash, expiry));
    }
}

fn hash_of(data: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    data.hash(&mut hasher);
    hasher.finish()
}

fn backend(e: impl std::fmt::Display) -> session_store::Error {
    session_store::Error::Backend(e.to_string())
}

fn expiry(record: &Record) -> DateTime<Utc> {
    DateTime::<Utc>::from_timestamp(record.expiry_date.unix_timestamp(), 0).unwrap_or_else(Utc::now)
}

fn encode(record: &Record) -> Result<String, session_store::Error> {
    // The id and the deadline have their own columns; the hash must see data only.
    serde_json::to_string(&record.data).map_err(|e| session_store::Error::Encode(e.to_string()))
}

fn active_model(record: &Record, data: String) -> session::ActiveModel {
    session::ActiveModel {
        id: Set(record.id.to_string()),
        data: Set(data),
        expires_at: Set(expiry(record)),
    }
}

#[async_trait::async_trait]
impl SessionStore for DbSessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        // Ids are 128 random bits; on the astronomically unlikely clash, draw again.
        loop {
            let data = encode(record)?;
            let data_hash = hash_of(&data);
            match session::Entity::insert(active_model(record, data))
                .exec(&Autocommit(&self.db))
                .await
            {
                Ok(_) => {
                    self.remember(
                        &record.id.to_string(),
                        data_hash,
                        expiry(record).timestamp(),
                    );
                    return Ok(());
                }
                Err(e) if is_unique_violation(&e) => record.id = Id::default(),
                Err(e) => return Err(backend(e)),
            }
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        let id = record.id.to_string();
        let data = encode(record)?;
        let data_hash = hash_of(&data);
        let deadline = expiry(record).timestamp();
        let fresh = self
            .cache()
            .get(&id)
            .is_some_and(|(h, at)| *h == data_hash && deadline - at < self.min_extension);
        if fresh {
            return Ok(());
        }
        session::Entity::insert(active_model(record, data))
            .on_conflict(
                OnConflict::column(session::Column::Id)
                    .update_columns([session::Column::Data, session::Column::ExpiresAt])
                    .to_owned(),
            )
            .exec(&Autocommit(&self.db))
            .await
            .map_err(backend)?;
        self.remember(&id, data_hash, deadline);
        Ok(())
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let row = session::Entity::find_by_id(id.to_string())
            .filter(session::Column::ExpiresAt.gt(Utc::now()))
            .one(&self.db)
            .await
            .map_err(backend)?;
        let Some(row) = row else { return Ok(None) };
        let decoded = serde_json::from_str(&row.data)
            .ok()
            .zip(time::OffsetDateTime::from_unix_timestamp(row.expires_at.timestamp()).ok());
        match decoded {
            Some((data, expiry_date)) => self
                .current(Record {
                    id: *id,
                    data,
                    expiry_date,
                })
                .await
                .map(Some),
            None => {
                // An unreadable session is no session: the user signs in again.
                tracing::warn!("unreadable session record ignored");
                Ok(None)
            }
        }
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        self.cache().remove(&id.to_string());
        session::Entity::delete_by_id(id.to_string())
            .exec(&Autocommit(&self.db))
            .await
            .map_err(backend)?;
        Ok(())
    }
}

impl DbSessionStore {
    /// The record without the sign-ins that are over: a back-office sign-in past its
    /// absolute lifetime, of a user deactivated or whose sessions were ended since (the
    /// user's session epoch moved on), and a support sign-in past its lifetime. What
    /// was dropped is written back at once, so the request runs signed out.
    async fn current(&self, mut record: Record) -> session_store::Result<Record> {
        let now = Utc::now().timestamp();
        let mut over = Vec::new();
        if let Some(value) = record.data.get(ACTOR_SESSION_KEY) {
            let live = match serde_json::from_value::<Actor>(value.clone()) {
                // Whether the row exists: its id only, not the whole user.
                Ok(actor) if !actor.expired_at(now) => {
                    user::Entity::live(actor.user_id, actor.epoch)
                        .select_only()
                        .column(user::Column::Id)
                        .into_tuple::<i64>()
                        .one(&self.db)
                        .await
                        .map_err(backend)?
                        .is_some()
                }
                _ => false,
            };
            if !live {
                over.push(ACTOR_SESSION_KEY);
            }
        }
        if let Some(value) = record.data.get(SUPPORT_ACTOR_SESSION_KEY) {
            let live = serde_json::from_value::<SupportActor>(value.clone())
                .is_ok_and(|actor| actor.until > now);
            if !live {
                over.push(SUPPORT_ACTOR_SESSION_KEY);
            }
        }
        if !over.is_empty() {
            for key in over {
                record.data.remove(key);
            }
            tracing::info!("a session's sign-in ended (lifetime over or sessions ended)");
            self.save(&record).await?;
        }
        Ok(record)
    }
}

#[async_trait::async_trait]
impl ExpiredDeletion for DbSessionStore {
    async fn delete_expired(&self) -> session_store::Result<()> {
        session::Entity::delete_many()
            .filter(session::Column::ExpiresAt.lte(Utc::now()))
            .exec(&Autocommit(&self.db))
            .await
            .map_err(backend)?;
        Ok(())
    }
}

/// Whether a database error is a unique-constraint violation (both back ends).
pub fn is_unique_violation(e: &sea_orm::DbErr) -> bool {
    matches!(
        e.sql_err(),
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
    )
}
