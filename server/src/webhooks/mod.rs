//! Webhooks: the events a change writes in its own transaction, signed and delivered by
//! the job worker with retries to public addresses only; the webhooks page's port.

pub mod events;
pub mod outbound;
pub mod port;
