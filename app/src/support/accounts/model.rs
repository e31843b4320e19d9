//! What the support portal's sign-in, profile and people pages exchange with the
//! server: the sign-in step, the signed-in person, organizations and their people.

use serde::{Deserialize, Serialize};

/// Where the support portal's sign-in stands (SP-1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SupportStep {
    /// Asks for the e-mail address.
    Email,
    /// Asks for the password.
    Password,
    /// An invited person types the code mailed to activate the account.
    ActivationCode,
    /// The invited person chooses name and password.
    SetPassword,
    /// The one-time login code mailed (MFA).
    LoginCode,
    /// Signed in.
    Done,
}

/// The signed-in support person, for the portal's pages.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupportMe {
    /// E-mail (the login).
    pub email: String,
    /// Full name.
    pub full_name: String,
    /// Organizations the person belongs to.
    pub organizations: Vec<String>,
    /// The same organizations with their ids, for choosing where a ticket goes.
    #[serde(default)]
    pub memberships: Vec<(i64, String)>,
    /// Support staff.
    pub is_agent: bool,
    /// Wants e-mail notifications.
    pub notify_email: bool,
}

impl SupportMe {
    /// The name shown: full name, else e-mail.
    pub fn display_name(&self) -> String {
        if self.full_name.is_empty() {
            self.email.clone()
        } else {
            self.full_name.clone()
        }
    }
}

/// A person of a support organization, as agents see them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupportMemberView {
    /// Name, or the e-mail address before activation.
    pub name: String,
    /// E-mail address.
    pub email: String,
    /// `invited` or `active`.
    pub status: String,
}

/// A support organization with its people (agents' console).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupportOrganizationView {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Its people.
    pub members: Vec<SupportMemberView>,
}
