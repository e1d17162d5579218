//! The steps of one connection's rotation, as the CLI prints them and the TUI's rotation
//! window draws them: generate → set at target → test at target → apply in ZIS → verify in ZIS.
use serde::Serialize;

/// One step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    Generate,
    /// Set the new password at the target (the recipe's `set_command`, or the admin by hand).
    Set,
    /// Prove it works at the target (the recipe's test), before ZIS changes.
    Test,
    /// PATCH the connection in ZIS.
    Apply,
    /// GET it back: `updated_at` moved.
    Verify,
}

impl Step {
    pub const ALL: [Step; 5] = [
        Step::Generate,
        Step::Set,
        Step::Test,
        Step::Apply,
        Step::Verify,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Step::Generate => "generate",
            Step::Set => "set",
            Step::Test => "test",
            Step::Apply => "apply",
            Step::Verify => "verify",
        }
    }

    /// Where the step happens, for a sentence: "set at target".
    pub fn label(self) -> &'static str {
        match self {
            Step::Generate => "generate",
            Step::Set => "set at target",
            Step::Test => "test at target",
            Step::Apply => "apply in ZIS",
            Step::Verify => "verify in ZIS",
        }
    }
}

/// Where a step stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Mark {
    /// Not reached yet.
    Waiting,
    Running,
    /// Done (its machine value is `done`).
    #[serde(rename = "done")]
    Ok,
    Failed,
    /// The admin does it by hand (no recipe): zisctl cannot see it.
    Manual,
    /// Not part of this rotation (no test in the recipe, or the run stopped before).
    Skipped,
    /// Sent, no answer: it may or may not have happened.
    Unknown,
}

impl Mark {
    /// The machine value (JSON, CSV): `done`, `failed`, `skipped`, `manual`, `unknown`, ...
    pub fn as_str(self) -> &'static str {
        match self {
            Mark::Waiting => "waiting",
            Mark::Running => "running",
            Mark::Ok => "done",
            Mark::Failed => "failed",
            Mark::Manual => "manual",
            Mark::Skipped => "skipped",
            Mark::Unknown => "unknown",
        }
    }

    /// For a human: as [`Mark::as_str`], but "by hand" for [`Mark::Manual`].
    pub fn label(self) -> &'static str {
        match self {
            Mark::Manual => "by hand",
            other => other.as_str(),
        }
    }

    /// One character for a compact line (ASCII-safe fallbacks are the words).
    pub fn symbol(self) -> &'static str {
        match self {
            Mark::Waiting => "·",
            Mark::Running => "…",
            Mark::Ok => "✓",
            Mark::Failed => "✗",
            Mark::Manual => "✋",
            Mark::Skipped => "–",
            Mark::Unknown => "?",
        }
    }
}

/// The five marks of one rotation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress([Mark; 5]);

impl Progress {
    /// A fresh rotation: generated; the set and test are a recipe's (or by hand without one).
    pub fn new(recipe: bool, test: bool) -> Progress {
        let mut p = Progress([Mark::Waiting; 5]);
        p.set(Step::Generate, Mark::Ok);
        if !recipe {
            p.set(Step::Set, Mark::Manual);
            p.set(Step::Test, Mark::Manual);
        } else if !test {
            p.set(Step::Test, Mark::Skipped);
        }
        p
    }

    pub fn get(&self, step: Step) -> Mark {
        self.0[step as usize]
    }

    pub fn set(&mut self, step: Step, mark: Mark) {
        self.0[step as usize] = mark;
    }

    /// The first step not done yet (None: all done).
    pub fn next(&self) -> Option<Step> {
        Step::ALL
            .into_iter()
            .find(|s| !matches!(self.get(*s), Mark::Ok | Mark::Manual | Mark::Skipped))
    }

    /// "generate ✓ → set ✓ → test ✗ → apply · → verify ·"
    pub fn line(&self) -> String {
        Step::ALL
            .iter()
            .map(|s| format!("{} {}", s.as_str(), self.get(*s).symbol()))
            .collect::<Vec<_>>()
            .join(" → ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rotation_without_a_recipe_is_set_by_hand() {
        let p = Progress::new(false, false);
        assert_eq!(p.get(Step::Set), Mark::Manual);
        assert_eq!(p.next(), Some(Step::Apply));
        let mut p = Progress::new(true, false);
        assert_eq!(p.next(), Some(Step::Set));
        p.set(Step::Set, Mark::Ok);
        assert_eq!(p.next(), Some(Step::Apply), "no test: straight to ZIS");
        p.set(Step::Apply, Mark::Ok);
        p.set(Step::Verify, Mark::Ok);
        assert_eq!(p.next(), None);
        assert_eq!(p.line(), "generate ✓ → set ✓ → test – → apply ✓ → verify ✓");
    }

    #[test]
    fn machine_values_are_stable() {
        assert_eq!(serde_json::to_value(Mark::Ok).unwrap(), "done");
        assert_eq!(serde_json::to_value(Mark::Manual).unwrap(), "manual");
        for m in [
            Mark::Ok,
            Mark::Failed,
            Mark::Skipped,
            Mark::Manual,
            Mark::Unknown,
        ] {
            assert_eq!(serde_json::to_value(m).unwrap(), m.as_str());
        }
        assert_eq!(Mark::Manual.label(), "by hand");
    }
}
