//! The service status page (SP-3): a component's status, the page's overall status (the
//! worst of its components), and the stages of incidents and planned maintenance.

use serde::{Deserialize, Serialize};

/// How a component is doing, from best to worst.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum ComponentStatus {
    /// Working normally.
    Operational,
    /// Under planned maintenance.
    Maintenance,
    /// Slower than usual.
    Degraded,
    /// Failing for some.
    PartialOutage,
    /// Down.
    MajorOutage,
}

impl ComponentStatus {
    /// Every status, best first.
    pub const ALL: [ComponentStatus; 5] = [
        ComponentStatus::Operational,
        ComponentStatus::Maintenance,
        ComponentStatus::Degraded,
        ComponentStatus::PartialOutage,
        ComponentStatus::MajorOutage,
    ];

    /// Stored and JSON code.
    pub fn code(self) -> &'static str {
        match self {
            ComponentStatus::Operational => "operational",
            ComponentStatus::Maintenance => "maintenance",
            ComponentStatus::Degraded => "degraded",
            ComponentStatus::PartialOutage => "partial_outage",
            ComponentStatus::MajorOutage => "major_outage",
        }
    }

    /// The status of a code.
    pub fn parse(code: &str) -> Option<ComponentStatus> {
        ComponentStatus::ALL.into_iter().find(|s| s.code() == code)
    }
}

/// The page's status: the worst of its components (operational when there are none).
pub fn overall(components: impl IntoIterator<Item = ComponentStatus>) -> ComponentStatus {
    components
        .into_iter()
        .max()
        .unwrap_or(ComponentStatus::Operational)
}

/// Whether `stage` is a stage of `kind` (`incident` or `maintenance`).
pub fn valid_stage(kind: &str, stage: &str) -> bool {
    match kind {
        "incident" => matches!(
            stage,
            "investigating" | "identified" | "monitoring" | "resolved"
        ),
        "maintenance" => matches!(stage, "scheduled" | "in_progress" | "completed"),
        _ => false,
    }
}

/// Whether `stage` ends the incident or maintenance.
pub fn is_final_stage(stage: &str) -> bool {
    matches!(stage, "resolved" | "completed")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn stages_belong_to_their_kind() {
        assert!(valid_stage("incident", "monitoring"));
        assert!(!valid_stage("incident", "scheduled"));
        assert!(valid_stage("maintenance", "completed"));
        assert!(!valid_stage("other", "resolved"));
        assert!(is_final_stage("resolved") && is_final_stage("completed"));
        assert_eq!(overall([]), ComponentStatus::Operational);
    }

    proptest! {
        /// The overall status is one of the components' and none is worse.
        #[test]
        fn overall_is_the_worst(indexes in proptest::collection::vec(0..5usize, 1..10)) {
            let statuses: Vec<ComponentStatus> = indexes.iter().map(|i| ComponentStatus::ALL[*i]).collect();
            let all = overall(statuses.clone());
            prop_assert!(statuses.contains(&all));
            prop_assert!(statuses.iter().all(|s| *s <= all));
            prop_assert_eq!(ComponentStatus::parse(all.code()), Some(all));
        }
    }
}
