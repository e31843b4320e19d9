//! Support tickets (SP-4, SP-7): the status machine with who may move a ticket where,
//! incidents and service requests, incident priority from impact and urgency, the
//! longest text a ticket takes, and the `UCSUP-10183` style references.

use serde::{Deserialize, Serialize};

/// Where a ticket stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TicketStatus {
    /// Raised, nobody works on it yet.
    Backlog,
    /// An agent works on it.
    WorkInProgress,
    /// An agent asked the reporter for information.
    WaitingForReporter,
    /// An agent solved it; the reporter may reopen it for 7 days.
    Resolved,
    /// Over for good.
    Closed,
    /// Withdrawn by the reporter (or an agent) before it was resolved.
    Cancelled,
}

/// Who acts on a ticket.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TicketRole {
    /// The customer who raised it.
    Reporter,
    /// Another customer who may see it (participant, or shared with their organization).
    Participant,
    /// Support staff.
    Agent,
    /// A job (the 7-day auto-close).
    System,
}

/// What someone does to a ticket's status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TicketAction {
    /// An agent starts (or resumes) work.
    StartWork,
    /// An agent puts it back in the backlog.
    BackToBacklog,
    /// An agent asks the reporter for information.
    RequestInformation,
    /// A customer answers an information request (by commenting).
    ProvideInformation,
    /// An agent marks it solved.
    Resolve,
    /// The reporter reopens a resolved ticket.
    Reopen,
    /// Closes a resolved ticket (an agent, the reporter accepting it, or the job).
    Close,
    /// The reporter (or an agent) withdraws an open ticket.
    Cancel,
}

/// Why a change is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum TicketError {
    /// Not possible from the current status.
    #[error("not possible in the ticket's current status")]
    WrongStatus,
    /// Possible, but not for this role.
    #[error("not allowed for this role")]
    NotAllowed,
}

impl TicketStatus {
    /// Every status, in the order of the workflow.
    pub const ALL: [TicketStatus; 6] = [
        TicketStatus::Backlog,
        TicketStatus::WorkInProgress,
        TicketStatus::WaitingForReporter,
        TicketStatus::Resolved,
        TicketStatus::Closed,
        TicketStatus::Cancelled,
    ];

    /// Stored code.
    pub fn code(self) -> &'static str {
        match self {
            TicketStatus::Backlog => "backlog",
            TicketStatus::WorkInProgress => "in_progress",
            TicketStatus::WaitingForReporter => "waiting_for_reporter",
            TicketStatus::Resolved => "resolved",
            TicketStatus::Closed => "closed",
            TicketStatus::Cancelled => "cancelled",
        }
    }

    /// The status of a stored code.
    pub fn parse(code: &str) -> Option<TicketStatus> {
        TicketStatus::ALL.into_iter().find(|s| s.code() == code)
    }

    /// Counted among "Open requests" (else "Closed requests").
    pub fn is_open(self) -> bool {
        matches!(
            self,
            TicketStatus::Backlog | TicketStatus::WorkInProgress | TicketStatus::WaitingForReporter
        )
    }

    /// Nothing can happen to it any more.
    pub fn is_final(self) -> bool {
        matches!(self, TicketStatus::Closed | TicketStatus::Cancelled)
    }
}

impl TicketAction {
    /// Every action.
    pub const ALL: [TicketAction; 8] = [
        TicketAction::StartWork,
        TicketAction::BackToBacklog,
        TicketAction::RequestInformation,
        TicketAction::ProvideInformation,
        TicketAction::Resolve,
        TicketAction::Reopen,
        TicketAction::Close,
        TicketAction::Cancel,
    ];

    /// The code a page sends for the action (`start`, `resolve`, `cancel` …).
    pub fn code(self) -> &'static str {
        match self {
            TicketAction::StartWork => "start",
            TicketAction::BackToBacklog => "backlog",
            TicketAction::RequestInformation => "request_information",
            TicketAction::ProvideInformation => "provide_information",
            TicketAction::Resolve => "resolve",
            TicketAction::Reopen => "reopen",
            TicketAction::Close => "close",
            TicketAction::Cancel => "cancel",
        }
    }

    /// The action of a code.
    pub fn parse(code: &str) -> Option<TicketAction> {
        TicketAction::ALL.into_iter().find(|a| a.code() == code)
    }

    /// Done by commenting (a customer's answer to an information request), never by a
    /// status button of its own.
    pub fn by_comment(self) -> bool {
        self == TicketAction::ProvideInformation
    }

    /// The status `action` leads to from `from`, whoever acts; `None` when it does not
    /// apply there.
    fn target(self, from: TicketStatus) -> Option<TicketStatus> {
        use TicketStatus::*;
        match (self, from) {
            (TicketAction::StartWork, Backlog | WaitingForReporter) => Some(WorkInProgress),
            (TicketAction::BackToBacklog, WorkInProgress) => Some(Backlog),
            (TicketAction::RequestInformation, Backlog | WorkInProgress) => {
                Some(WaitingForReporter)
            }
            (TicketAction::ProvideInformation, WaitingForReporter) => Some(WorkInProgress),
            (TicketAction::Resolve, Backlog | WorkInProgress | WaitingForReporter) => {
                Some(Resolved)
            }
            (TicketAction::Reopen, Resolved) => Some(WorkInProgress),
            (TicketAction::Close, Resolved) => Some(Closed),
            (TicketAction::Cancel, Backlog | WorkInProgress | WaitingForReporter) => {
                Some(Cancelled)
            }
            _ => None,
        }
    }

    /// Whether `role` may do this action at all.
    fn allowed_for(self, role: TicketRole) -> bool {
        use TicketRole::*;
        match self {
            TicketAction::StartWork
            | TicketAction::BackToBacklog
            | TicketAction::RequestInformation
            | TicketAction::Resolve => role == Agent,
            TicketAction::ProvideInformation => matches!(role, Reporter | Participant),
            TicketAction::Reopen => role == Reporter,
            TicketAction::Close => matches!(role, Agent | Reporter | System),
            TicketAction::Cancel => matches!(role, Reporter | Agent),
        }
    }
}

/// The status after `role` does `action` on a ticket in `from`.
pub fn transition(
    from: TicketStatus,
    action: TicketAction,
    role: TicketRole,
) -> Result<TicketStatus, TicketError> {
    let to = action.target(from).ok_or(TicketError::WrongStatus)?;
    if !action.allowed_for(role) {
        return Err(TicketError::NotAllowed);
    }
    Ok(to)
}

/// What `role` may do to a ticket in `from` (the buttons a page shows).
pub fn available(from: TicketStatus, role: TicketRole) -> Vec<TicketAction> {
    TicketAction::ALL
        .into_iter()
        .filter(|a| transition(from, *a, role).is_ok())
        .collect()
}

/// Days after which a resolved ticket closes by itself.
pub const AUTO_CLOSE_DAYS: i64 = 7;

/// The most characters a ticket's description, a comment or an internal note may have.
pub const MAX_TEXT_CHARS: usize = 20_000;

/// Why a description, comment or note is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    /// Nothing but blanks.
    #[error("the text is empty")]
    Empty,
    /// More than [`MAX_TEXT_CHARS`] characters.
    #[error("the text is longer than {MAX_TEXT_CHARS} characters")]
    TooLong,
}

/// A description, comment or note as it is kept: trimmed, not empty, and at most
/// [`MAX_TEXT_CHARS`] characters (characters, not bytes: accents and emoji count one).
pub fn check_text(text: &str) -> Result<&str, TextError> {
    let text = text.trim();
    if text.is_empty() {
        Err(TextError::Empty)
    } else if text.chars().count() > MAX_TEXT_CHARS {
        Err(TextError::TooLong)
    } else {
        Ok(text)
    }
}

/// What a ticket is, from its request type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TicketKind {
    /// Something is broken (asks for impact and urgency).
    Incident,
    /// A service request (a change, a question).
    Request,
}

impl TicketKind {
    /// Both kinds.
    pub const ALL: [TicketKind; 2] = [TicketKind::Incident, TicketKind::Request];

    /// Stored code.
    pub fn code(self) -> &'static str {
        match self {
            TicketKind::Incident => "incident",
            TicketKind::Request => "request",
        }
    }

    /// The kind of a stored code.
    pub fn parse(code: &str) -> Option<TicketKind> {
        TicketKind::ALL.into_iter().find(|k| k.code() == code)
    }
}

/// How widely an incident hurts (Jira Service Management's impact).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Impact {
    /// Everyone, or the whole service.
    Extensive,
    /// Many users or a major function.
    Significant,
    /// Some users or a minor function.
    Moderate,
    /// One user, with a workaround.
    Minor,
}

/// How fast it must be fixed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Urgency {
    /// Payments are failing now.
    Critical,
    /// Soon.
    High,
    /// This week.
    Medium,
    /// When possible.
    Low,
}

impl Impact {
    /// Every impact, widest first.
    pub const ALL: [Impact; 4] = [
        Impact::Extensive,
        Impact::Significant,
        Impact::Moderate,
        Impact::Minor,
    ];

    /// Stored code.
    pub fn code(self) -> &'static str {
        match self {
            Impact::Extensive => "extensive",
            Impact::Significant => "significant",
            Impact::Moderate => "moderate",
            Impact::Minor => "minor",
        }
    }

    /// The impact of a stored code.
    pub fn parse(code: &str) -> Option<Impact> {
        Impact::ALL.into_iter().find(|i| i.code() == code)
    }
}

impl Urgency {
    /// Every urgency, most urgent first.
    pub const ALL: [Urgency; 4] = [
        Urgency::Critical,
        Urgency::High,
        Urgency::Medium,
        Urgency::Low,
    ];

    /// Stored code.
    pub fn code(self) -> &'static str {
        match self {
            Urgency::Critical => "critical",
            Urgency::High => "high",
            Urgency::Medium => "medium",
            Urgency::Low => "low",
        }
    }

    /// The urgency of a stored code.
    pub fn parse(code: &str) -> Option<Urgency> {
        Urgency::ALL.into_iter().find(|u| u.code() == code)
    }
}

/// A ticket's priority.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Priority {
    /// P1.
    Highest,
    /// P2.
    High,
    /// P3.
    Medium,
    /// P4.
    Low,
    /// P5.
    Lowest,
}

impl Priority {
    /// Every priority, highest first.
    pub const ALL: [Priority; 5] = [
        Priority::Highest,
        Priority::High,
        Priority::Medium,
        Priority::Low,
        Priority::Lowest,
    ];

    /// Stored code.
    pub fn code(self) -> &'static str {
        match self {
            Priority::Highest => "highest",
            Priority::High => "high",
            Priority::Medium => "medium",
            Priority::Low => "low",
            Priority::Lowest => "lowest",
        }
    }

    /// The priority of a stored code.
    pub fn parse(code: &str) -> Option<Priority> {
        Priority::ALL.into_iter().find(|p| p.code() == code)
    }

    /// An incident's priority: impact × urgency, the worse of the two pulling it up.
    pub fn of_incident(impact: Impact, urgency: Urgency) -> Priority {
        let i = impact as usize;
        let u = urgency as usize;
        // Rows: impact Extensive..Minor; columns: urgency Critical..Low.
        const MATRIX: [[Priority; 4]; 4] = [
            [
                Priority::Highest,
                Priority::Highest,
                Priority::High,
                Priority::Medium,
            ],
            [
                Priority::Highest,
                Priority::High,
                Priority::Medium,
                Priority::Low,
            ],
            [
                Priority::High,
                Priority::Medium,
                Priority::Medium,
                Priority::Low,
            ],
            [
                Priority::Medium,
                Priority::Low,
                Priority::Low,
                Priority::Lowest,
            ],
        ];
        MATRIX[i][u]
    }
}

/// Why a project key is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum KeyError {
    /// Not 2 to 10 capital letters (a letter first, then letters or digits).
    #[error("a project key is 2 to 10 capital letters or digits, starting with a letter")]
    Malformed,
}

/// How a ticket stands against one service-level target.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SlaState {
    /// Done within the target.
    Met,
    /// Done late, or still open past the target.
    Breached,
    /// Open, with more than a quarter of the target left.
    Running,
    /// Open, with a quarter of the target or less left.
    AtRisk,
}

impl SlaState {
    /// Stored and displayed code.
    pub fn code(self) -> &'static str {
        match self {
            SlaState::Met => "met",
            SlaState::Breached => "breached",
            SlaState::Running => "running",
            SlaState::AtRisk => "at_risk",
        }
    }
}

impl Priority {
    /// Service-level targets in minutes: first response, then resolution.
    pub fn sla_minutes(self) -> (i64, i64) {
        match self {
            Priority::Highest => (60, 4 * 60),
            Priority::High => (4 * 60, 24 * 60),
            Priority::Medium => (8 * 60, 3 * 24 * 60),
            Priority::Low => (24 * 60, 5 * 24 * 60),
            Priority::Lowest => (2 * 24 * 60, 10 * 24 * 60),
        }
    }
}

/// Where a ticket opened at `start` (minutes) stands against a target of `target`
/// minutes, given when it was done (`done`, minutes) or, if not yet, the time `now`.
pub fn sla_state(start: i64, target: i64, done: Option<i64>, now: i64) -> SlaState {
    let deadline = start + target;
    match done {
        Some(at) if at <= deadline => SlaState::Met,
        Some(_) => SlaState::Breached,
        None if now > deadline => SlaState::Breached,
        None if (deadline - now) * 4 <= target => SlaState::AtRisk,
        None => SlaState::Running,
    }
}

/// Checks a project key (`UCSUP`).
pub fn check_project_key(key: &str) -> Result<(), KeyError> {
    let ok = (2..=10).contains(&key.len())
        && key.starts_with(|c: char| c.is_ascii_uppercase())
        && key
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
    if ok {
        Ok(())
    } else {
        Err(KeyError::Malformed)
    }
}

/// A ticket's reference: `UCSUP-10183`.
pub fn reference(key: &str, number: i64) -> String {
    format!("{key}-{number}")
}

/// The key and number of a reference, if it is one (case-insensitive key).
pub fn parse_reference(text: &str) -> Option<(String, i64)> {
    let (key, number) = text.trim().rsplit_once('-')?;
    let key = key.to_ascii_uppercase();
    check_project_key(&key).ok()?;
    let number: i64 = number.parse().ok().filter(|n| *n > 0)?;
    Some((key, number))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const ROLES: [TicketRole; 4] = [
        TicketRole::Reporter,
        TicketRole::Participant,
        TicketRole::Agent,
        TicketRole::System,
    ];

    #[test]
    fn the_usual_paths() {
        use TicketAction::*;
        use TicketRole::*;
        use TicketStatus::*;
        assert_eq!(transition(Backlog, StartWork, Agent), Ok(WorkInProgress));
        assert_eq!(
            transition(WorkInProgress, RequestInformation, Agent),
            Ok(WaitingForReporter)
        );
        assert_eq!(
            transition(WaitingForReporter, ProvideInformation, Reporter),
            Ok(WorkInProgress)
        );
        assert_eq!(transition(WorkInProgress, Resolve, Agent), Ok(Resolved));
        assert_eq!(transition(Resolved, Reopen, Reporter), Ok(WorkInProgress));
        assert_eq!(transition(Resolved, Close, System), Ok(Closed));
        assert_eq!(transition(Backlog, Cancel, Reporter), Ok(Cancelled));
        assert_eq!(
            transition(Backlog, Resolve, Reporter),
            Err(TicketError::NotAllowed)
        );
        assert_eq!(
            transition(Resolved, Reopen, Agent),
            Err(TicketError::NotAllowed)
        );
        assert_eq!(
            transition(Resolved, Reopen, Participant),
            Err(TicketError::NotAllowed)
        );
        assert_eq!(
            transition(Resolved, Cancel, Reporter),
            Err(TicketError::WrongStatus)
        );
        assert_eq!(available(Resolved, Reporter), vec![Reopen, Close]);
        assert!(available(Closed, Agent).is_empty());
    }

    #[test]
    fn ticket_text_limit() {
        assert_eq!(check_text("  Refunds fail \n"), Ok("Refunds fail"));
        assert_eq!(check_text(" \n\t "), Err(TextError::Empty));
        let longest = "é".repeat(MAX_TEXT_CHARS);
        assert_eq!(check_text(&format!(" {longest}\n")), Ok(longest.as_str()));
        assert_eq!(check_text(&format!("{longest}x")), Err(TextError::TooLong));
    }

    #[test]
    fn codes_read_back() {
        for a in TicketAction::ALL {
            assert_eq!(TicketAction::parse(a.code()), Some(a));
        }
        assert_eq!(TicketAction::parse("start"), Some(TicketAction::StartWork));
        assert_eq!(TicketAction::parse("Start"), None);
        let by_comment: Vec<_> = TicketAction::ALL
            .into_iter()
            .filter(|a| a.by_comment())
            .collect();
        assert_eq!(by_comment, vec![TicketAction::ProvideInformation]);
        for k in TicketKind::ALL {
            assert_eq!(TicketKind::parse(k.code()), Some(k));
        }
        assert_eq!(TicketKind::parse("other"), None);
        for p in Priority::ALL {
            assert_eq!(Priority::parse(p.code()), Some(p));
        }
        for i in Impact::ALL {
            assert_eq!(Impact::parse(i.code()), Some(i));
        }
        for u in Urgency::ALL {
            assert_eq!(Urgency::parse(u.code()), Some(u));
        }
        assert_eq!(Priority::parse("urgent!"), None);
    }

    #[test]
    fn priority_matrix() {
        assert_eq!(
            Priority::of_incident(Impact::Extensive, Urgency::Critical),
            Priority::Highest
        );
        assert_eq!(
            Priority::of_incident(Impact::Minor, Urgency::Low),
            Priority::Lowest
        );
        // A worse impact or urgency never lowers the priority.
        let impacts = [
            Impact::Extensive,
            Impact::Significant,
            Impact::Moderate,
            Impact::Minor,
        ];
        let urgencies = [
            Urgency::Critical,
            Urgency::High,
            Urgency::Medium,
            Urgency::Low,
        ];
        for (i, impact) in impacts.iter().enumerate() {
            for (u, urgency) in urgencies.iter().enumerate() {
                let p = Priority::of_incident(*impact, *urgency);
                if i > 0 {
                    assert!(Priority::of_incident(impacts[i - 1], *urgency) <= p);
                }
                if u > 0 {
                    assert!(Priority::of_incident(*impact, urgencies[u - 1]) <= p);
                }
            }
        }
    }

    #[test]
    fn references() {
        assert_eq!(reference("UCSUP", 10183), "UCSUP-10183");
        assert_eq!(
            parse_reference("ucsup-10183"),
            Some(("UCSUP".into(), 10183))
        );
        assert_eq!(parse_reference("UCSUP-0"), None);
        assert_eq!(parse_reference("10183"), None);
        assert!(check_project_key("UCSUP").is_ok());
        assert!(check_project_key("U").is_err());
        assert!(check_project_key("1ABC").is_err());
        assert!(check_project_key("AB-C").is_err());
    }

    fn walk() -> impl Strategy<Value = Vec<(usize, usize)>> {
        proptest::collection::vec((0..TicketAction::ALL.len(), 0..ROLES.len()), 0..40)
    }

    proptest! {
        /// Whatever anyone tries, nothing ever leaves Closed or Cancelled.
        #[test]
        fn closed_and_cancelled_are_final(steps in walk()) {
            let mut status = TicketStatus::Backlog;
            let mut ended: Option<TicketStatus> = None;
            for (a, r) in steps {
                if let Ok(next) = transition(status, TicketAction::ALL[a], ROLES[r]) {
                    prop_assert!(ended.is_none(), "moved out of {:?}", ended);
                    status = next;
                }
                if status.is_final() {
                    ended = Some(status);
                }
            }
        }

        /// A ticket comes back from Resolved only by its reporter reopening it.
        #[test]
        fn only_the_reporter_reopens_and_only_from_resolved(steps in walk()) {
            let mut status = TicketStatus::Backlog;
            for (a, r) in steps {
                let (action, role) = (TicketAction::ALL[a], ROLES[r]);
                if let Ok(next) = transition(status, action, role) {
                    if status == TicketStatus::Resolved && next.is_open() {
                        prop_assert_eq!((action, role), (TicketAction::Reopen, TicketRole::Reporter));
                    }
                    if action == TicketAction::Reopen {
                        prop_assert_eq!(status, TicketStatus::Resolved);
                        prop_assert_eq!(role, TicketRole::Reporter);
                    }
                    status = next;
                }
            }
        }

        /// Every status a ticket reaches has a code that reads back, and customers
        /// other than the reporter can only answer information requests.
        #[test]
        fn codes_round_trip_and_participants_only_answer(steps in walk()) {
            let mut status = TicketStatus::Backlog;
            for (a, r) in steps {
                let (action, role) = (TicketAction::ALL[a], ROLES[r]);
                if let Ok(next) = transition(status, action, role) {
                    if role == TicketRole::Participant {
                        prop_assert_eq!(action, TicketAction::ProvideInformation);
                    }
                    status = next;
                }
                prop_assert_eq!(TicketStatus::parse(status.code()), Some(status));
            }
        }
    }

    #[test]
    fn service_levels() {
        assert_eq!(sla_state(0, 60, Some(60), 500), SlaState::Met);
        assert_eq!(sla_state(0, 60, Some(61), 500), SlaState::Breached);
        assert_eq!(sla_state(0, 60, None, 61), SlaState::Breached);
        assert_eq!(sla_state(0, 60, None, 45), SlaState::AtRisk);
        assert_eq!(sla_state(0, 60, None, 44), SlaState::Running);
        for p in Priority::ALL {
            let (response, resolution) = p.sla_minutes();
            assert!(0 < response && response < resolution);
        }
        let targets: Vec<_> = Priority::ALL.iter().map(|p| p.sla_minutes()).collect();
        assert!(targets
            .windows(2)
            .all(|w| w[0].0 <= w[1].0 && w[0].1 <= w[1].1));
    }

    proptest! {
        #[test]
        fn done_in_time_is_met_whenever_looked_at(start in 0i64..10_000, target in 1i64..10_000, took in 0i64..20_000, now in 0i64..40_000) {
            let state = sla_state(start, target, Some(start + took), now);
            prop_assert_eq!(state == SlaState::Met, took <= target);
        }
    }
}
