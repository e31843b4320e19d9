//! Configuration (Admins): API keys and the webhook signing key sealed with the data key,
//! payment settings and the job queue, behind `app`'s `ConfigPort`.

pub mod keys;
pub mod port;
pub mod rules;
