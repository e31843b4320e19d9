//! Test acquirers: the simulated acquirer, with what a test needs done first (count the
//! calls, fail some, hold them at a gate, change the database meanwhile, answer the
//! inquiries itself). A test's acquirer implements only the hooks it needs ([`Before`]);
//! [`Simulated`] asks them, then the simulated acquirer.

use domain::money::Money;
use server::payments::acquirer::{
    Acquirer, AuthRequest, AuthResult, ChangeInquiry, SimulatedAcquirer,
};

/// What a test's acquirer does before the simulated acquirer is asked. A hook may answer
/// in its place (`Some`); by default each does nothing.
#[async_trait::async_trait]
pub trait Before: Send + Sync {
    async fn authorise(&self, _request: &AuthRequest<'_>) -> Option<AuthResult> {
        None
    }
    async fn capture(&self, _reference: &str) -> Option<Result<String, String>> {
        None
    }
    async fn refund(&self, _reference: &str) -> Option<Result<String, String>> {
        None
    }
    async fn cancel(&self, _reference: &str) -> Option<Result<(), String>> {
        None
    }
    async fn inquire_change(&self, _reference: &str) -> Option<ChangeInquiry> {
        None
    }
}

/// The simulated acquirer behind a test's hooks `B` (read through it: `acquirer.field`).
#[derive(Default)]
pub struct Simulated<B>(pub B);

impl<B> std::ops::Deref for Simulated<B> {
    type Target = B;
    fn deref(&self) -> &B {
        &self.0
    }
}

#[async_trait::async_trait]
impl<B: Before> Acquirer for Simulated<B> {
    async fn authorise(&self, request: AuthRequest<'_>) -> AuthResult {
        match self.0.authorise(&request).await {
            Some(answer) => answer,
            None => SimulatedAcquirer.authorise(request).await,
        }
    }
    async fn capture(&self, rrn: &str, amount: Money, reference: &str) -> Result<String, String> {
        match self.0.capture(reference).await {
            Some(answer) => answer,
            None => SimulatedAcquirer.capture(rrn, amount, reference).await,
        }
    }
    async fn refund(&self, rrn: &str, amount: Money, reference: &str) -> Result<String, String> {
        match self.0.refund(reference).await {
            Some(answer) => answer,
            None => SimulatedAcquirer.refund(rrn, amount, reference).await,
        }
    }
    async fn cancel(&self, rrn: &str, reference: &str) -> Result<(), String> {
        match self.0.cancel(reference).await {
            Some(answer) => answer,
            None => SimulatedAcquirer.cancel(rrn, reference).await,
        }
    }
    async fn inquire(&self, reference: &str) -> Option<AuthResult> {
        SimulatedAcquirer.inquire(reference).await
    }
    async fn inquire_change(&self, reference: &str) -> ChangeInquiry {
        match self.0.inquire_change(reference).await {
            Some(answer) => answer,
            None => SimulatedAcquirer.inquire_change(reference).await,
        }
    }
}
