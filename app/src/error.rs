//! The one error type of every server function, [`AppError`], with the form-field
//! problems it carries ([`FieldError`], [`Problem`]); pages translate them.

use domain::PasswordRule;
use leptos::server_fn::error::ServerFnErrorErr;
use leptos::server_fn::{codec::JsonEncoding, error::FromServerFnError};
use serde::{Deserialize, Serialize};

/// What is wrong with a form field, translated by the page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Problem {
    /// Empty.
    Required,
    /// Not a valid login or PSPID.
    InvalidIdentifier,
    /// New password and confirmation differ.
    PasswordsDiffer,
    /// The current password is wrong.
    WrongCurrentPassword,
    /// The new password equals the current one.
    SamePassword,
    /// These rules of the policy fail.
    Policy(Vec<PasswordRule>),
    /// Not an IANA zone.
    UnknownTimeZone,
    /// Not an e-mail address.
    InvalidEmail,
    /// Longer than allowed.
    TooLong,
    /// A control character other than tab and line ends (`domain::text::is_clean`).
    ControlCharacter,
    /// The reset link is unknown, used or expired.
    InvalidLink,
    /// A card field fails the domain's card rules.
    Card(domain::CardError),
    /// Not an http(s) URL with a host.
    InvalidUrl,
    /// Not an amount in the currency.
    InvalidAmount,
    /// More than the operation allows.
    ExceedsLimit,
    /// Not a `YYYY-MM-DD` date.
    InvalidDate,
    /// A number outside its allowed range.
    OutOfRange,
    /// The terminal is not connected now.
    TerminalNotConnected,
    /// The terminal is taking another payment.
    TerminalBusy,
    /// The terminal is bound to another merchant.
    TerminalTaken,
    /// Not a terminal id (1–32 printable characters, no spaces).
    InvalidTerminalId,
    /// The one-time code is wrong or expired.
    InvalidCode,
    /// Too many wrong tries: a new code is needed.
    CodeExhausted,
    /// A code was sent less than a minute ago.
    ResendTooSoon,
    /// Not a person who may be added here (unknown, or outside the organization).
    UnknownPerson,
    /// An empty file.
    FileEmpty,
    /// A file over the size limit.
    FileTooLarge,
    /// A file whose content is of a kind not accepted.
    FileType,
    /// A file whose name says another kind than its content.
    FileDisguised,
    /// More files than one upload takes.
    TooManyFiles,
    /// The organization's attachment storage would go over its quota.
    StorageFull,
    /// Too many API keys deleted in the last hour.
    TooManyKeyDeletions,
    /// Another article has this address.
    SlugTaken,
    /// Not lower-case letters, digits and hyphens.
    InvalidSlug,
    /// The value does not have the form the merchant asked for (a link's field).
    PatternMismatch,
    /// A regular expression that does not compile or is too large.
    InvalidPattern,
    /// A field name that is not letters and underscores, or is a standard field's.
    InvalidFieldName,
    /// Another field has this name.
    DuplicateName,
    /// Below the smallest amount allowed.
    BelowMinimum,
    /// Above the largest amount allowed.
    AboveMaximum,
    /// The amount is not the cart's total.
    CartTotalMismatch,
    /// A date that has passed.
    DateInPast,
    /// The authenticator code is not the one of the current time step (or was used).
    WrongAuthenticatorCode,
    /// The e-mailed factor needs a confirmed address.
    EmailNotConfirmed,
    /// The PSPID requires a second factor: it cannot be turned off.
    TwoFactorRequired,
    /// Not a VAT number of the company's country.
    InvalidVatNumber,
    /// Not a telephone number.
    InvalidPhone,
    /// Not a list of ISO 4217 currency codes.
    InvalidCurrency,
    /// The merchant's account does not accept this currency (MB-10).
    CurrencyNotAccepted,
    /// Not a list of ISO 3166-1 alpha-2 country codes.
    InvalidCountry,
    /// At least one language must be chosen.
    NoLanguage,
    /// The new password is the current one or one of the last ones (PCI DSS 8.3.7).
    PasswordReused,
    /// Another user of the merchant has this login.
    LoginTaken,
    /// Another merchant of the environment has this PSPID.
    PspidTaken,
    /// Not a login: 2 to 64 letters, digits and `. _ - @`.
    InvalidLogin,
    /// The change would leave the merchant without an active Admin.
    LastAdmin,
    /// An Admin may not remove their own Admin role or deactivate themselves.
    OwnAccount,
    /// The merchant does not allow two-step payments (authorisation, then capture).
    TwoStepNotAllowed,
    /// A fraud rule's value is refused (MB-19).
    FraudRule(domain::fraud::RuleError),
    /// A block fraud rule refused the payment (MB-19).
    BlockedByFraudRule,
    /// Not a colour as `#rrggbb` (the payment page template).
    NotAColour,
    /// Too little contrast with its pair: the ratio found, in tenths (at least 45).
    LowContrast(u16),
    /// An entered OpenID token shorter than 32 characters, or with blanks.
    TokenTooShort,
}

/// The upload problems a redirect carries in `?attach_error=` (the upload is a plain
/// form, so its answer is a page address).
const UPLOAD_PROBLEMS: [(&str, Problem); 7] = [
    ("required", Problem::Required),
    ("empty", Problem::FileEmpty),
    ("too_large", Problem::FileTooLarge),
    ("type", Problem::FileType),
    ("disguised", Problem::FileDisguised),
    ("too_many", Problem::TooManyFiles),
    ("storage_full", Problem::StorageFull),
];

impl Problem {
    /// The code of an upload problem, for a redirect.
    pub fn upload_code(&self) -> Option<&'static str> {
        UPLOAD_PROBLEMS
            .iter()
            .find(|(_, p)| p == self)
            .map(|(code, _)| *code)
    }

    /// The upload problem of a redirect's code.
    pub fn from_upload_code(code: &str) -> Option<Problem> {
        UPLOAD_PROBLEMS
            .iter()
            .find(|(c, _)| *c == code)
            .map(|(_, p)| p.clone())
    }
}

/// A problem and the form field it belongs to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    /// The input's `name`.
    pub field: String,
    /// What is wrong.
    pub problem: Problem,
}

impl FieldError {
    /// A problem on `field`.
    pub fn new(field: &str, problem: Problem) -> Self {
        FieldError {
            field: field.to_owned(),
            problem,
        }
    }
}

/// The error of every server function: safe to show, never an internal detail.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// No valid session.
    #[error("not signed in")]
    Unauthenticated,
    /// The role does not allow it.
    #[error("not allowed")]
    Forbidden,
    /// Unknown user or wrong password: one message for both.
    #[error("invalid credentials")]
    InvalidCredentials,
    /// Too many failures: locked until this time (user's zone).
    #[error("locked until {until}")]
    Locked {
        /// Formatted end of the lock.
        until: String,
    },
    /// Too many attempts from one address.
    #[error("too many attempts")]
    RateLimited,
    /// Bad input, field by field.
    #[error("invalid input")]
    Invalid(Vec<FieldError>),
    /// Not available in this deployment.
    #[error("not found")]
    NotFound,
    /// The payment's status does not allow this operation now.
    #[error("not allowed in the current status")]
    NotAllowedNow,
    /// The acquirer did not answer; nothing was changed and the same request may be sent
    /// again.
    #[error("acquirer unavailable")]
    Unavailable,
    /// Something failed on the server; the log has the cause.
    #[error("internal error")]
    Internal,
    /// Transport or encoding failure.
    #[error("{0}")]
    ServerFn(ServerFnErrorErr),
}

impl AppError {
    /// One field problem.
    pub fn field(field: &str, problem: Problem) -> Self {
        AppError::Invalid(vec![FieldError::new(field, problem)])
    }

    /// The problem reported for `field`, if any.
    pub fn problem_for(&self, field: &str) -> Option<&Problem> {
        match self {
            AppError::Invalid(errors) => {
                errors.iter().find(|e| e.field == field).map(|e| &e.problem)
            }
            _ => None,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        AppError::ServerFn(value)
    }
}
