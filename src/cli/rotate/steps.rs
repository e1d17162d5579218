//! The steps of one connection's rotation as the CLI reports them: a line on stderr as each
//! step of a recipe ends (`intranet_portal/alice  set ✓ (…)`), and every step with its mark
//! and line in the result record (`steps`).
use crate::rotation::{Mark, Progress, Step};

use super::super::records::StepRecord;
use super::super::warn;

/// Where each step of one rotation stands, and what each said (safe to print).
#[derive(Debug, Clone)]
pub(super) struct StepLog {
    progress: Progress,
    lines: [Option<String>; 5],
}

impl StepLog {
    /// A rotation whose password was just made: with a recipe, its set (and test, when the
    /// recipe has one) run at the target; without, the admin sets it by hand.
    pub fn new(recipe: bool, test: bool) -> StepLog {
        StepLog {
            progress: Progress::new(recipe, test),
            lines: Default::default(),
        }
    }

    pub fn set(&mut self, step: Step, mark: Mark, line: Option<String>) {
        self.progress.set(step, mark);
        self.lines[step as usize] = line;
    }

    #[cfg(test)]
    pub fn get(&self, step: Step) -> Mark {
        self.progress.get(step)
    }

    /// The first step not done yet.
    pub fn next(&self) -> Option<Step> {
        self.progress.next()
    }

    /// Every step for the result record: a step never reached is `skipped`.
    pub fn records(&self) -> Vec<StepRecord> {
        Step::ALL
            .into_iter()
            .map(|s| {
                let mark = match self.progress.get(s) {
                    Mark::Waiting | Mark::Running => Mark::Skipped,
                    m => m,
                };
                StepRecord {
                    step: s.as_str(),
                    mark: mark.as_str(),
                    line: self.lines[s as usize].clone(),
                }
            })
            .collect()
    }
}

/// One line on stderr for a step that ended: `INTEGRATION/NAME  step ✓ (what it said)`.
pub(super) fn say(integration: &str, name: &str, step: Step, mark: Mark, line: Option<&str>) {
    let mut text = format!("{integration}/{name}  {} {}", step.as_str(), mark.symbol());
    if mark == Mark::Manual {
        text.push_str(" by hand");
    }
    if let Some(l) = line {
        text.push_str(&format!(" ({l})"));
    }
    warn(&text);
}

/// The steps zisctl would run, for `--dry-run`: `set, test, apply, verify` (with a recipe)
/// or `apply, verify` (set by hand first).
pub(super) fn planned(recipe: Option<&crate::rotation::Recipe>) -> Vec<&'static str> {
    let mut v = vec![Step::Generate.as_str()];
    if let Some(r) = recipe {
        v.push(Step::Set.as_str());
        if r.test.is_some() {
            v.push(Step::Test.as_str());
        }
    }
    v.extend([Step::Apply.as_str(), Step::Verify.as_str()]);
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_never_reached_are_skipped_and_manual_ones_say_so() {
        let mut log = StepLog::new(true, true);
        log.set(Step::Set, Mark::Failed, Some("exited with status 3".into()));
        let r = log.records();
        let marks: Vec<&str> = r.iter().map(|s| s.mark).collect();
        assert_eq!(marks, ["done", "failed", "skipped", "skipped", "skipped"]);
        assert_eq!(r[1].line.as_deref(), Some("exited with status 3"));
        let manual = StepLog::new(false, false).records();
        assert_eq!(manual[1].mark, "manual");
        assert_eq!(manual[2].mark, "manual");
        let no_test = StepLog::new(true, false);
        assert_eq!(no_test.get(Step::Test), Mark::Skipped);
        assert_eq!(no_test.next(), Some(Step::Set));
    }
}
