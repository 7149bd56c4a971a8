//! Reporters: the same verdicts rendered for people (human) and machines (json, ...).

pub mod github;
pub mod human;
pub mod json;
pub mod repeated;
pub mod sarif;
pub mod stream;
pub mod summary;

use crate::judgement::verdict::Verdict;
use crate::support::words::plural;

/// Totals over a run.
#[derive(Debug, Default, Clone, Copy, serde::Serialize)]
pub struct Summary {
    /// Packets checked.
    pub packets: usize,
    /// Packets that pass their gate.
    pub passed: usize,
    /// Packets that fail their gate.
    pub failed: usize,
    /// Errors over all packets.
    pub errors: usize,
    /// Warnings over all packets.
    pub warnings: usize,
    /// Packets that fail with warnings only (`--deny-warnings` made them fail).
    #[serde(skip_serializing_if = "is_zero")]
    pub failed_on_warnings: usize,
}

impl Summary {
    /// Add up the verdicts.
    pub fn of(verdicts: &[Verdict]) -> Summary {
        let mut s = Summary::default();
        s.add(verdicts);
        s
    }

    /// Count more verdicts in.
    pub fn add(&mut self, verdicts: &[Verdict]) {
        self.add_each(verdicts.iter());
    }

    /// [`Summary::add`] over any run of verdicts.
    pub fn add_each<'v>(&mut self, verdicts: impl Iterator<Item = &'v Verdict>) {
        let s = self;
        for v in verdicts {
            s.packets += 1;
            if v.pass {
                s.passed += 1;
            } else {
                s.failed += 1;
                if v.errors == 0 && v.warnings > 0 {
                    s.failed_on_warnings += 1;
                }
            }
            s.errors += v.errors;
            s.warnings += v.warnings;
        }
    }

    /// `3 packets: 2 pass, 1 fails (4 errors, 2 warnings)`.
    pub fn line(&self) -> String {
        let mut line = format!(
            "{}: {} pass, {} {} ({}, {})",
            plural(self.packets, "packet", "packets"),
            self.passed,
            self.failed,
            if self.failed == 1 { "fails" } else { "fail" },
            plural(self.errors, "error", "errors"),
            plural(self.warnings, "warning", "warnings"),
        );
        if self.failed_on_warnings > 0 {
            line.push_str(&format!(
                "; {} on warnings alone, as --deny-warnings asks",
                if self.failed_on_warnings == 1 {
                    "1 fails".to_string()
                } else {
                    format!("{} fail", self.failed_on_warnings)
                }
            ));
        }
        line
    }
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// `file` (relative to where the command ran) relative to the repository root, given `base`, the
/// working directory relative to the root (`""` at the root, `team/` in a monorepo folder).
pub fn root_relative(base: &str, file: &str) -> String {
    let file = file.replace('\\', "/");
    let file = file.strip_prefix("./").unwrap_or(&file);
    if base.is_empty() || file.starts_with('/') {
        return file.to_string();
    }
    let mut parts: Vec<&str> = base.split('/').filter(|p| !p.is_empty()).collect();
    for part in file.split('/') {
        match part {
            "." | "" => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    parts.join("/")
}

/// Where the working directory lies below the repository root (`team/`), or `""`.
pub fn base_in_repo(cwd: &std::path::Path) -> String {
    let Some(top) = crate::facts::packet::tree::work_tree_of(cwd) else {
        return String::new();
    };
    cwd.strip_prefix(&top)
        .map(|rel| {
            let rel = rel.to_string_lossy().replace('\\', "/");
            if rel.is_empty() {
                rel
            } else {
                format!("{rel}/")
            }
        })
        .unwrap_or_default()
}
