//! The support portal's knowledge base, announcements and virtual service agent
//! (SP-2, SP-8, SP-9).
//!
//! Search is the database's full-text index (see the migration `support_knowledge`):
//! FTS5 with the Porter stemmer and BM25 on SQLite, a weighted `tsvector` with
//! `ts_rank_cd` and `ts_headline` on PostgreSQL. Before a query reaches it, each word
//! missing from the articles' vocabulary is corrected to the closest word they use
//! ([`domain::search::correct`]). The virtual agent answers from the same search: the
//! best article's summary and passage, its sources, and the request type to raise.

use crate::account::service::internal;
use crate::entities::{
    support_announcement, support_area, support_article, support_dismissal, support_request_type,
    support_user,
};
use crate::platform::db::Autocommit;
use crate::support::tickets::format;
use app::error::{AppError, FieldError, Problem};
use app::support::accounts::SupportActor;
use app::support::knowledge::SupportKnowledgePort;
use app::support::knowledge::{
    AnnouncementView, ArticleForm, ArticleHit, ArticleLink, ArticleSearch, ArticleView, ChatReply,
    ChatSuggestion,
};
use chrono::{DateTime, Utc};
use domain::{markup, search};
use sea_orm::sea_query::{Expr, Func, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseBackend, DatabaseConnection, DbErr,
    EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set, Statement,
};
use std::collections::HashMap;
use std::sync::Mutex;

/// Hits a search shows at most.
const SEARCH_LIMIT: i64 = 10;
/// Sources the virtual agent cites at most.
const CHAT_SOURCES: usize = 3;

/// The articles that ship with OpenPSP: a header of `key: value` lines, `---`, Markdown.
const SHIPPED: [(&str, &str); 14] = [
    ("api-keys", include_str!("kb/api-keys.md")),
    (
        "capturing-payments",
        include_str!("kb/capturing-payments.md"),
    ),
    (
        "connecting-a-card-terminal",
        include_str!("kb/connecting-a-card-terminal.md"),
    ),
    (
        "exporting-payments",
        include_str!("kb/exporting-payments.md"),
    ),
    (
        "hosted-payment-page",
        include_str!("kb/hosted-payment-page.md"),
    ),
    (
        "idempotent-requests",
        include_str!("kb/idempotent-requests.md"),
    ),
    ("payment-refused", include_str!("kb/payment-refused.md")),
    (
        "point-of-sale-payments",
        include_str!("kb/point-of-sale-payments.md"),
    ),
    (
        "refunds-and-cancellations",
        include_str!("kb/refunds-and-cancellations.md"),
    ),
    ("softpos", include_str!("kb/softpos.md")),
    ("support-portal", include_str!("kb/support-portal.md")),
    ("test-cards", include_str!("kb/test-cards.md")),
    (
        "users-roles-and-rights",
        include_str!("kb/users-roles-and-rights.md"),
    ),
    ("webhooks", include_str!("kb/webhooks.md")),
];

/// A shipped article, parsed.
#[derive(Debug, PartialEq, Eq)]
struct Shipped {
    slug: String,
    title: String,
    area: String,
    request_type: String,
    summary: String,
    keywords: String,
    body: String,
}

fn parse_shipped(slug: &str, text: &str) -> Option<Shipped> {
    let (head, body) = text.split_once("\n---\n")?;
    let value = |key: &str| {
        head.lines()
            .find_map(|l| l.strip_prefix(key)?.strip_prefix(':'))
            .map(|v| v.trim().to_owned())
    };
    Some(Shipped {
        slug: slug.to_owned(),
        title: value("title")?,
        area: value("area").unwrap_or_default(),
        request_type: value("request_type").unwrap_or_default(),
        summary: value("summary").unwrap_or_default(),
        keywords: value("keywords").unwrap_or_default(),
        body: body.trim().to_owned(),
    })
}

/// Adds the shipped articles when the knowledge base is empty (a new deployment); run
/// after the product areas exist.
pub async fn ensure_articles(db: &DatabaseConnection) -> Result<usize, DbErr> {
    if support_article::Entity::find().count(db).await? > 0 {
        return Ok(0);
    }
    let areas: HashMap<String, i64> = support_area::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|a| (a.name, a.id))
        .collect();
    let types = support_request_type::Entity::find().all(db).await?;
    let now = Utc::now();
    let mut added = 0;
    for (slug, text) in SHIPPED {
        let Some(a) = parse_shipped(slug, text) else {
            tracing::warn!(slug, "shipped article without a header");
            continue;
        };
        let area_id = areas.get(&a.area).copied();
        let request_type_id = types
            .iter()
            .find(|t| Some(t.area_id) == area_id && t.name == a.request_type)
            .map(|t| t.id);
        support_article::ActiveModel {
            slug: Set(a.slug),
            title: Set(a.title),
            summary: Set(a.summary),
            keywords: Set(a.keywords),
            body_text: Set(markup::plain(&a.body)),
            body: Set(a.body),
            area_id: Set(area_id),
            request_type_id: Set(request_type_id),
            published: Set(true),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(db)
        .await?;
        added += 1;
    }
    Ok(added)
}

/// An announcement on a new demo portal.
pub async fn seed_demo_announcement(db: &DatabaseConnection) -> Result<(), DbErr> {
    if support_announcement::Entity::find().count(db).await? > 0 {
        return Ok(());
    }
    support_announcement::ActiveModel {
        title: Set("Welcome to the OpenPSP support portal".to_owned()),
        body: Set(
            "Search the knowledge base, ask the **virtual service agent**, or raise a \
                   request: we answer within the service levels of your priority."
                .to_owned(),
        ),
        active: Set(true),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Whether `slug` may name an article: 1–120 of `a-z`, `0-9` and inner hyphens.
fn valid_slug(slug: &str) -> bool {
    !slug.is_empty()
        && slug.len() <= 120
        && slug
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !slug.starts_with('-')
        && !slug.ends_with('-')
}

/// The words the articles use, remembered until an article changes.
#[derive(Default)]
struct Vocabulary {
    /// (number of articles, last change) the words were read at.
    stamp: Option<(i64, Option<DateTime<Utc>>)>,
    words: HashMap<String, u32>,
}

/// The port's implementation.
pub struct SupportKnowledgeService {
    db: DatabaseConnection,
    vocabulary: Mutex<Vocabulary>,
}

impl SupportKnowledgeService {
    /// Over `db`.
    pub fn new(db: DatabaseConnection) -> Self {
        SupportKnowledgeService {
            db,
            vocabulary: Mutex::new(Vocabulary::default()),
        }
    }

    async fn person(&self, actor: &SupportActor) -> Result<support_user::Model, AppError> {
        crate::support::accounts::active_person(&self.db, actor.user_id).await
    }

    async fn agent(&self, actor: &SupportActor) -> Result<support_user::Model, AppError> {
        crate::support::accounts::require_agent(&self.db, actor.user_id).await
    }

    /// The query's words, each mistyped one replaced by the closest word of the
    /// articles; and whether any was.
    async fn corrected_terms(&self, query: &str) -> Result<(Vec<String>, bool), DbErr> {
        let terms = search::query_terms(query);
        if terms.is_empty() {
            return Ok((terms, false));
        }
        let stamp: Option<(i64, Option<DateTime<Utc>>)> = support_article::Entity::find()
            .select_only()
            .column_as(
                Expr::expr(Func::count(Expr::col(support_article::Column::Id))),
                "n",
            )
            .column_as(
                Expr::expr(Func::max(Expr::col(support_article::Column::UpdatedAt))),
                "last",
            )
            .into_tuple()
            .one(&self.db)
            .await?;
        let fresh = self
            .vocabulary
            .lock()
            .map(|v| v.stamp.is_some() && v.stamp == stamp)
            .unwrap_or(false);
        if !fresh {
            let texts: Vec<(String, String, String, String)> = support_article::Entity::find()
                .select_only()
                .column(support_article::Column::Title)
                .column(support_article::Column::Keywords)
                .column(support_article::Column::Summary)
                .column(support_article::Column::BodyText)
                .into_tuple()
                .all(&self.db)
                .await?;
            let words = search::vocabulary(
                texts
                    .iter()
                    .flat_map(|(a, b, c, d)| [a.as_str(), b.as_str(), c.as_str(), d.as_str()]),
            );
            if let Ok(mut v) = self.vocabulary.lock() {
                *v = Vocabulary { stamp, words };
            }
        }
        let v = self
            .vocabulary
            .lock()
            .map_err(|_| DbErr::Custom("vocabulary lock poisoned".into()))?;
        let mut changed = false;
        let corrected = terms
            .into_iter()
            .map(|t| match search::correct(&t, &v.words) {
                Some(word) => {
                    changed = true;
                    word
                }
                None => t,
            })
            .collect();
        Ok((corrected, changed))
    }

    /// Ranked hits for `terms`, best first: the articles with every word, then those
    /// with any of them (a long question rarely has all its words in one article).
    async fn ranked(
        &self,
        terms: &[String],
        drafts: bool,
        limit: i64,
    ) -> Result<Vec<(support_article::Model, String, String)>, DbErr> {
        let mut hits = self.matching(terms, true, drafts, limit).await?;
        if terms.len() > 1 && (hits.len() as i64) < limit {
            for hit in self.matching(terms, false, drafts, limit).await? {
                if (hits.len() as i64) < limit && !hits.iter().any(|h| h.0.id == hit.0.id) {
                    hits.push(hit);
                }
            }
        }
        Ok(hits)
    }

    /// Ranked hits for all `terms` (`every`) or any of them.
    async fn matching(
        &self,
        terms: &[String],
        every: bool,
        drafts: bool,
        limit: i64,
    ) -> Result<Vec<(support_article::Model, String, String)>, DbErr> {
        if terms.is_empty() {
            return Ok(Vec::new());
        }
        let backend = self.db.get_database_backend();
        let (start, end) = (search::MARK_START, search::MARK_END);
        let statement = match backend {
            DatabaseBackend::Postgres => {
                // Terms are letters and digits only: safe inside a tsquery.
                let query = terms.join(if every { " & " } else { " | " });
                let title_options = format!("HighlightAll=true, StartSel={start}, StopSel={end}");
                let body_options = format!(
                    "MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter=\" … \", \
                     StartSel={start}, StopSel={end}"
                );
                Statement::from_sql_and_values(
                    backend,
                    "SELECT a.id, ts_headline('english', a.title, q, $2) AS title_marked, \
                       ts_headline('english', a.body_text, q, $3) AS snippet \
                     FROM support_articles a, to_tsquery('english', $1) q \
                     WHERE a.search @@ q AND (a.published OR $4) \
                     ORDER BY ts_rank_cd('{0.05, 0.1, 0.3, 1.0}', a.search, q) DESC, a.id LIMIT $5",
                    [
                        query.into(),
                        title_options.into(),
                        body_options.into(),
                        drafts.into(),
                        limit.into(),
                    ],
                )
            }
            _ => {
                // FTS5 strings are double-quoted; terms carry no quote.
                let query = terms
                    .iter()
                    .map(|t| format!("\"{t}\""))
                    .collect::<Vec<_>>()
                    .join(if every { " AND " } else { " OR " });
                Statement::from_sql_and_values(
                    backend,
                    "SELECT a.id, \
                       highlight(support_articles_fts, 0, $2, $3) AS title_marked, \
                       snippet(support_articles_fts, 3, $2, $3, ' … ', 24) AS snippet \
                     FROM support_articles_fts JOIN support_articles a \
                       ON a.id = support_articles_fts.rowid \
                     WHERE support_articles_fts MATCH $1 AND (a.published OR $4) \
                     ORDER BY bm25(support_articles_fts, 20.0, 6.0, 3.0, 1.0), a.id LIMIT $5",
                    [
                        query.into(),
                        start.to_string().into(),
                        end.to_string().into(),
                        drafts.into(),
                        limit.into(),
                    ],
                )
            }
        };
        let rows = self.db.query_all_raw(statement).await?;
        let mut marked = Vec::with_capacity(rows.len());
        for row in rows {
            let id: i64 = row.try_get("", "id")?;
            let title: String = row.try_get("", "title_marked")?;
            let snippet: String = row.try_get("", "snippet")?;
            marked.push((id, title, snippet));
        }
        let mut articles: HashMap<i64, support_article::Model> = support_article::Entity::find()
            .filter(support_article::Column::Id.is_in(marked.iter().map(|m| m.0)))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|a| (a.id, a))
            .collect();
        Ok(marked
            .into_iter()
            .filter_map(|(id, title, snippet)| Some((articles.remove(&id)?, title, snippet)))
            .collect())
    }

    async fn area_names(&self) -> Result<HashMap<i64, String>, AppError> {
        Ok(support_area::Entity::find()
            .all(&self.db)
            .await
            .map_err(internal)?
            .into_iter()
            .map(|a| (a.id, a.name))
            .collect())
    }

    fn announcement_view(a: support_announcement::Model) -> AnnouncementView {
        AnnouncementView {
            id: a.id,
            title: a.title,
            html: markup::render(&a.body),
            body: a.body,
            active: a.active,
            created: format(a.created_at),
        }
    }
}

#[async_trait::async_trait]
impl SupportKnowledgePort for SupportKnowledgeService {
    async fn search(&self, actor: &SupportActor, query: String) -> Result<ArticleSearch, AppError> {
        let person = self.person(actor).await?;
        let (terms, changed) = self.corrected_terms(&query).await.map_err(internal)?;
        let found = self
            .ranked(&terms, person.is_agent, SEARCH_LIMIT)
            .await
            .map_err(internal)?;
        let areas = self.area_names().await?;
        Ok(ArticleSearch {
            corrected: changed.then(|| terms.join(" ")),
            hits: found
                .into_iter()
                .map(|(a, title, snippet)| ArticleHit {
                    slug: a.slug,
                    title: search::highlights(&title),
                    snippet: search::highlights(&snippet),
                    area: a
                        .area_id
                        .and_then(|id| areas.get(&id).cloned())
                        .unwrap_or_default(),
                    draft: !a.published,
                })
                .collect(),
        })
    }

    async fn article(&self, actor: &SupportActor, slug: &str) -> Result<ArticleView, AppError> {
        let person = self.person(actor).await?;
        let a = support_article::Entity::find()
            .filter(support_article::Column::Slug.eq(slug))
            .one(&self.db)
            .await
            .map_err(internal)?
            .filter(|a| a.published || person.is_agent)
            .ok_or(AppError::NotFound)?;
        let areas = self.area_names().await?;
        let request_type = match a.request_type_id {
            Some(id) => support_request_type::Entity::find_by_id(id)
                .one(&self.db)
                .await
                .map_err(internal)?,
            None => None,
        };
        Ok(ArticleView {
            slug: a.slug,
            title: a.title,
            summary: a.summary,
            html: markup::render(&a.body),
            body: a.body,
            keywords: a.keywords,
            area_id: a.area_id,
            area: a
                .area_id
                .and_then(|id| areas.get(&id).cloned())
                .unwrap_or_default(),
            request_type_id: request_type.as_ref().map(|t| t.id),
            request_type: request_type
                .as_ref()
                .map(|t| t.name.clone())
                .unwrap_or_default(),
            kind: request_type.map(|t| t.kind).unwrap_or_default(),
            published: a.published,
            updated: format(a.updated_at),
            can_edit: person.is_agent,
        })
    }

    async fn articles(&self, actor: &SupportActor) -> Result<Vec<ArticleLink>, AppError> {
        self.agent(actor).await?;
        Ok(support_article::Entity::find()
            .order_by_asc(support_article::Column::Title)
            .all(&self.db)
            .await
            .map_err(internal)?
            .into_iter()
            .map(|a| ArticleLink {
                slug: a.slug,
                title: a.title,
                published: a.published,
            })
            .collect())
    }

    async fn save_article(
        &self,
        actor: &SupportActor,
        form: ArticleForm,
    ) -> Result<String, AppError> {
        self.agent(actor).await?;
        let slug = form.slug.trim().to_owned();
        let title = form.title.trim().to_owned();
        let body = form.body.trim().to_owned();
        let mut problems = Vec::new();
        if slug.is_empty() {
            problems.push(FieldError::new("slug", Problem::Required));
        } else if !valid_slug(&slug) {
            problems.push(FieldError::new("slug", Problem::InvalidSlug));
        }
        if title.is_empty() {
            problems.push(FieldError::new("title", Problem::Required));
        } else if title.chars().count() > 200 {
            problems.push(FieldError::new("title", Problem::TooLong));
        }
        if form.summary.chars().count() > 500 {
            problems.push(FieldError::new("summary", Problem::TooLong));
        }
        if body.is_empty() {
            problems.push(FieldError::new("body", Problem::Required));
        } else if body.chars().count() > 50_000 {
            problems.push(FieldError::new("body", Problem::TooLong));
        }
        let request_type = match form.request_type.trim() {
            "" => None,
            id => {
                let found = match id.parse::<i64>() {
                    Ok(id) => support_request_type::Entity::find_by_id(id)
                        .one(&self.db)
                        .await
                        .map_err(internal)?,
                    Err(_) => None,
                };
                if found.is_none() {
                    problems.push(FieldError::new("request_type", Problem::Required));
                }
                found
            }
        };
        let existing = support_article::Entity::find()
            .filter(support_article::Column::Slug.is_in([slug.clone(), form.original_slug.clone()]))
            .all(&self.db)
            .await
            .map_err(internal)?;
        let original = existing
            .iter()
            .find(|a| !form.original_slug.is_empty() && a.slug == form.original_slug)
            .cloned();
        if !form.original_slug.is_empty() && original.is_none() {
            return Err(AppError::NotFound);
        }
        if existing
            .iter()
            .any(|a| a.slug == slug && Some(a.id) != original.as_ref().map(|o| o.id))
        {
            problems.push(FieldError::new("slug", Problem::SlugTaken));
        }
        if !problems.is_empty() {
            return Err(AppError::Invalid(problems));
        }
        let now = Utc::now();
        let mut model = match original {
            Some(a) => sea_orm::IntoActiveModel::into_active_model(a),
            None => support_article::ActiveModel {
                created_at: Set(now),
                ..Default::default()
            },
        };
        model.slug = Set(slug.clone());
        model.title = Set(title);
        model.summary = Set(form.summary.trim().to_owned());
        model.keywords = Set(form.keywords.trim().to_owned());
        model.body_text = Set(markup::plain(&body));
        model.body = Set(body);
        model.area_id = Set(request_type.as_ref().map(|t| t.area_id));
        model.request_type_id = Set(request_type.map(|t| t.id));
        model.published = Set(form.published == "true");
        model.updated_at = Set(now);
        model.save(&Autocommit(&self.db)).await.map_err(internal)?;
        Ok(slug)
    }

    async fn announcements(
        &self,
        actor: &SupportActor,
        all: bool,
    ) -> Result<Vec<AnnouncementView>, AppError> {
        let person = self.person(actor).await?;
        if all && !person.is_agent {
            return Err(AppError::Forbidden);
        }
        let mut query =
            support_announcement::Entity::find().order_by_desc(support_announcement::Column::Id);
        if !all {
            query = query
                .filter(support_announcement::Column::Active.eq(true))
                .filter(
                    support_announcement::Column::Id.not_in_subquery(
                        sea_orm::sea_query::Query::select()
                            .column(support_dismissal::Column::AnnouncementId)
                            .from(support_dismissal::Entity)
                            .and_where(support_dismissal::Column::UserId.eq(person.id))
                            .to_owned(),
                    ),
                );
        }
        Ok(query
            .all(&self.db)
            .await
            .map_err(internal)?
            .into_iter()
            .map(Self::announcement_view)
            .collect())
    }

    async fn dismiss(&self, actor: &SupportActor, id: i64) -> Result<(), AppError> {
        let person = self.person(actor).await?;
        support_announcement::Entity::find_by_id(id)
            .one(&self.db)
            .await
            .map_err(internal)?
            .ok_or(AppError::NotFound)?;
        support_dismissal::Entity::insert(support_dismissal::ActiveModel {
            announcement_id: Set(id),
            user_id: Set(person.id),
        })
        .on_conflict(
            OnConflict::columns([
                support_dismissal::Column::AnnouncementId,
                support_dismissal::Column::UserId,
            ])
            .do_nothing()
            .to_owned(),
        )
        .exec_without_returning(&self.db)
        .await
        .map_err(internal)?;
        Ok(())
    }

    async fn save_announcement(
        &self,
        actor: &SupportActor,
        id: i64,
        title: String,
        body: String,
        active: bool,
    ) -> Result<Vec<AnnouncementView>, AppError> {
        self.agent(actor).await?;
        let title = title.trim().to_owned();
        let body = body.trim().to_owned();
        let mut problems = Vec::new();
        if title.is_empty() {
            problems.push(FieldError::new("title", Problem::Required));
        } else if title.chars().count() > 200 {
            problems.push(FieldError::new("title", Problem::TooLong));
        }
        if body.chars().count() > 5_000 {
            problems.push(FieldError::new("body", Problem::TooLong));
        }
        if !problems.is_empty() {
            return Err(AppError::Invalid(problems));
        }
        if id == 0 {
            support_announcement::ActiveModel {
                title: Set(title),
                body: Set(body),
                active: Set(active),
                created_at: Set(Utc::now()),
                ..Default::default()
            }
            .insert(&Autocommit(&self.db))
            .await
            .map_err(internal)?;
        } else {
            let found = support_announcement::Entity::update_many()
                .col_expr(support_announcement::Column::Title, Expr::value(title))
                .col_expr(support_announcement::Column::Body, Expr::value(body))
                .col_expr(support_announcement::Column::Active, Expr::value(active))
                .filter(support_announcement::Column::Id.eq(id))
                .exec(&Autocommit(&self.db))
                .await
                .map_err(internal)?;
            if found.rows_affected == 0 {
                return Err(AppError::NotFound);
            }
        }
        self.announcements(actor, true).await
    }

    async fn chat(&self, actor: &SupportActor, message: String) -> Result<ChatReply, AppError> {
        self.person(actor).await?;
        let message = message.trim();
        if message.is_empty() {
            return Err(AppError::field("message", Problem::Required));
        }
        if message.chars().count() > 2_000 {
            return Err(AppError::field("message", Problem::TooLong));
        }
        let (terms, _) = self.corrected_terms(message).await.map_err(internal)?;
        let found = self
            .ranked(&terms, false, CHAT_SOURCES as i64)
            .await
            .map_err(internal)?;
        let Some((best, _, passage)) = found.first() else {
            return Ok(ChatReply {
                found: false,
                summary: String::new(),
                passage: Vec::new(),
                sources: Vec::new(),
                suggestion: None,
            });
        };
        let suggestion = match best.request_type_id {
            Some(id) => support_request_type::Entity::find_by_id(id)
                .one(&self.db)
                .await
                .map_err(internal)?,
            None => None,
        };
        let areas = self.area_names().await?;
        Ok(ChatReply {
            found: true,
            summary: best.summary.clone(),
            passage: search::highlights(passage),
            sources: found
                .iter()
                .map(|(a, _, _)| ArticleLink {
                    slug: a.slug.clone(),
                    title: a.title.clone(),
                    published: a.published,
                })
                .collect(),
            suggestion: suggestion.map(|t| ChatSuggestion {
                area: areas.get(&t.area_id).cloned().unwrap_or_default(),
                request_type_id: t.id,
                request_type: t.name,
                kind: t.kind,
            }),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_articles_parse_and_name_known_areas() {
        for (slug, text) in SHIPPED {
            let a = parse_shipped(slug, text).unwrap_or_else(|| panic!("{slug} has no header"));
            assert!(valid_slug(&a.slug), "{slug}");
            assert!(
                !a.title.is_empty() && !a.summary.is_empty() && !a.body.is_empty(),
                "{slug}"
            );
            assert!(a.title.chars().count() <= 200, "{slug}");
        }
    }

    #[test]
    fn slugs() {
        assert!(valid_slug("api-keys"));
        assert!(!valid_slug("API keys"));
        assert!(!valid_slug("-x"));
        assert!(!valid_slug(""));
    }
}
