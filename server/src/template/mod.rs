//! The payer's pages' template (MB-14) and the customer settings of MB-15: the service
//! behind `app::template::TemplatePort` (Admins only, each change audited before →
//! after), the stylesheet and logo the payer's pages load (`theme`), the session token
//! signed with the merchant's OpenID token (`openid`) and the SMS outbox (`sms`).

pub mod openid;
mod port;
pub mod sms;
pub mod theme;

pub use port::TemplateService;
