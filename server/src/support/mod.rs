//! The support portal: its people and sign-in (`accounts`), tickets (`tickets`), the
//! knowledge base, announcements and virtual agent (`knowledge`, articles in `kb/`) and
//! the service status page (`status`), each behind its port in `app::support`.

pub mod accounts;
pub mod attachments;
pub mod knowledge;
pub mod status;
pub mod tickets;
