//! The signed-in actor read once per page render.

use crate::entities::{merchant, user};
use app::account::Actor;
use app::error::AppError;
use std::sync::Arc;

/// The actor's rows as one page render read them. A page's shell, its body and its
/// panels each load the actor; the first read answers all of them (the others wait for
/// it). Provided to page renders only (`platform::http`), which write nothing; a server
/// function called by the browser reads afresh. A database error is not kept.
#[derive(Clone)]
pub struct PageActor<T = (merchant::Model, user::Model)>(Arc<tokio::sync::OnceCell<Read<T>>>);

/// Whose rows were read (merchant, user, epoch), and what was found.
type Read<T> = ((i64, i64, i64), Option<T>);

impl<T> Default for PageActor<T> {
    fn default() -> Self {
        PageActor(Arc::default())
    }
}

impl<T: Clone> PageActor<T> {
    /// What `load` finds for `actor`, read once per render.
    pub(super) async fn read<F, Fut>(&self, actor: &Actor, load: F) -> Result<Option<T>, AppError>
    where
        F: Fn() -> Fut,
        Fut: std::future::Future<Output = Result<Option<T>, AppError>>,
    {
        let key = (actor.merchant_id, actor.user_id, actor.epoch);
        let (read_for, found) = self
            .0
            .get_or_try_init(|| async { Ok::<_, AppError>((key, load().await?)) })
            .await?;
        if *read_for != key {
            // Another actor in the same render (none today): a read of its own.
            return load().await;
        }
        Ok(found.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn actor(user_id: i64, epoch: i64) -> Actor {
        Actor {
            user_id,
            merchant_id: 1,
            role: domain::Role::Admin,
            login: "admin".to_owned(),
            epoch,
            until: i64::MAX,
            setup_required: false,
            password_expired: false,
        }
    }

    async fn read(page: &PageActor<String>, who: &Actor, loads: &AtomicUsize) -> Option<String> {
        page.read(who, || async {
            loads.fetch_add(1, Ordering::SeqCst);
            Ok(Some(format!("{}@{}", who.user_id, who.epoch)))
        })
        .await
        .unwrap()
    }

    #[tokio::test]
    async fn one_render_reads_its_actor_once() {
        let (page, loads) = (PageActor::default(), AtomicUsize::new(0));
        let who = actor(5, 0);
        let (a, b, c) = tokio::join!(
            read(&page, &who, &loads),
            read(&page, &who, &loads),
            read(&page, &who, &loads)
        );
        assert_eq!(
            (a.as_deref(), b.as_deref(), c.as_deref()),
            (Some("5@0"), Some("5@0"), Some("5@0"))
        );
        assert_eq!(loads.load(Ordering::SeqCst), 1);
        // Another render: read again.
        read(&PageActor::default(), &who, &loads).await;
        assert_eq!(loads.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn another_actor_or_epoch_is_never_answered_with_the_first_read() {
        let (page, loads) = (PageActor::default(), AtomicUsize::new(0));
        assert_eq!(
            read(&page, &actor(5, 0), &loads).await.as_deref(),
            Some("5@0")
        );
        assert_eq!(
            read(&page, &actor(6, 0), &loads).await.as_deref(),
            Some("6@0")
        );
        assert_eq!(
            read(&page, &actor(5, 1), &loads).await.as_deref(),
            Some("5@1")
        );
        assert_eq!(loads.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn a_failed_read_is_not_kept() {
        let page: PageActor<String> = PageActor::default();
        let who = actor(5, 0);
        let failed = page.read(&who, || async { Err(AppError::Internal) }).await;
        assert!(failed.is_err());
        let loads = AtomicUsize::new(0);
        assert_eq!(read(&page, &who, &loads).await.as_deref(), Some("5@0"));
        assert_eq!(loads.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn a_user_not_found_stays_not_found_for_the_render() {
        let page: PageActor<String> = PageActor::default();
        let who = actor(5, 0);
        assert_eq!(page.read(&who, || async { Ok(None) }).await.unwrap(), None);
        let loads = AtomicUsize::new(0);
        assert_eq!(read(&page, &who, &loads).await, None);
        assert_eq!(loads.load(Ordering::SeqCst), 0);
    }
}
