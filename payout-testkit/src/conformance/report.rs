//! What a run of the suite found, case by case.

use std::fmt;

use payout_core::ProviderId;

/// How one case ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Every check held.
    Passed,
    /// The case could not be driven on this backend; why.
    Skipped(String),
    /// What did not hold, one line each, in words a provider author can act on.
    Failed(Vec<String>),
}

/// The result of one case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseReport {
    /// The case's name (see [`CASES`](super::CASES)).
    pub name: String,
    /// The rule it checks.
    pub rule: &'static str,
    /// How it ended.
    pub outcome: Outcome,
    /// Parts that were skipped or worth knowing, even when the case passed.
    pub notes: Vec<String>,
}

/// The result of a run: one [`CaseReport`] per case, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// The provider checked.
    pub provider: ProviderId,
    /// The run id that prefixes every reference the run created.
    pub run_id: String,
    /// The cases, in the order they ran.
    pub cases: Vec<CaseReport>,
}

impl Report {
    /// Whether no case failed (skipped cases do not fail a run).
    pub fn passed(&self) -> bool {
        self.failures().next().is_none()
    }

    /// The failed cases.
    pub fn failures(&self) -> impl Iterator<Item = &CaseReport> {
        self.cases.iter().filter(|c| matches!(c.outcome, Outcome::Failed(_)))
    }

    /// The case with this name, if it ran.
    pub fn case(&self, name: &str) -> Option<&CaseReport> {
        self.cases.iter().find(|c| c.name == name)
    }

    /// Panics with the whole report when a case failed; meant for a test's last line.
    ///
    /// # Panics
    ///
    /// When any case failed: the message lists each failed case, its rule and what did not hold.
    #[track_caller]
    pub fn assert_passed(&self) {
        if !self.passed() {
            panic!("{self}");
        }
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = |p: fn(&Outcome) -> bool| self.cases.iter().filter(|c| p(&c.outcome)).count();
        writeln!(
            f,
            "conformance of provider `{}` (run {}): {} passed, {} skipped, {} failed",
            self.provider,
            self.run_id,
            count(|o| matches!(o, Outcome::Passed)),
            count(|o| matches!(o, Outcome::Skipped(_))),
            count(|o| matches!(o, Outcome::Failed(_))),
        )?;
        for c in &self.cases {
            match &c.outcome {
                Outcome::Passed => writeln!(f, "  passed  {}", c.name)?,
                Outcome::Skipped(why) => writeln!(f, "  skipped {}: {why}", c.name)?,
                Outcome::Failed(problems) => {
                    writeln!(f, "  FAILED  {}: rule: {}", c.name, c.rule)?;
                    for p in problems {
                        writeln!(f, "          - {p}")?;
                    }
                }
            }
            for n in &c.notes {
                writeln!(f, "          note: {n}")?;
            }
        }
        Ok(())
    }
}
