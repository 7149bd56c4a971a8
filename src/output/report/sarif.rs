//! `--format sarif`: SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.

use crate::judgement::diagnostic::{RuleId, Severity};
use crate::judgement::verdict::Verdict;
use serde_json::{Value, json};

/// The project's home.
const HOME_PAGE: &str = env!("CARGO_PKG_REPOSITORY");

/// GitHub code scanning takes at most this many results from one run.
pub const MAX_RESULTS: usize = 25_000;

/// The SARIF log for a check run; `base` is prepended to every path so that it is relative to the
/// repository root.
pub fn render(verdicts: &[Verdict], base: &str) -> String {
    let summary = super::Summary::of(verdicts);
    let rules = crate::judgement::rules::all();
    let rule_index = |id: RuleId| rules.iter().position(|r| r.id == id);
    let rule_objects: Vec<Value> = rules
        .iter()
        .map(|r| {
            json!({
                "id": r.id.as_str(),
                "name": pascal(r.id.as_str()),
                "shortDescription": { "text": r.summary },
                "fullDescription": { "text": r.explanation },
                "help": { "text": r.explanation, "markdown": r.explanation },
                "helpUri": crate::judgement::rules::doc_url(r.id.as_str()),
            })
        })
        .collect();
    let all: Vec<&crate::judgement::diagnostic::Diagnostic> =
        verdicts.iter().flat_map(|v| &v.diagnostics).collect();
    let total = all.len();
    // Over the cap, errors are kept first, then warnings, then notes; the kept ones stay in the
    // order of the run.
    let rank = |s: Severity| match s {
        Severity::Error => 0,
        Severity::Warning => 1,
        Severity::Note => 2,
    };
    let mut counts = [0usize; 3];
    for d in &all {
        counts[rank(d.severity)] += 1;
    }
    let mut room = MAX_RESULTS;
    let mut kept_of = [0usize; 3];
    for (r, n) in counts.iter().enumerate() {
        kept_of[r] = (*n).min(room);
        room -= kept_of[r];
    }
    let dropped: Vec<usize> = (0..3).map(|r| counts[r] - kept_of[r]).collect();
    let mut left = kept_of;
    let kept: Vec<&crate::judgement::diagnostic::Diagnostic> = all
        .into_iter()
        .filter(|d| {
            let r = rank(d.severity);
            let keep = left[r] > 0;
            left[r] = left[r].saturating_sub(1);
            keep
        })
        .collect();
    let results: Vec<Value> = kept
        .into_iter()
        .map(|d| {
            let uri = super::root_relative(base, &d.file);
            let end = d
                .end
                .filter(|e| (e.line, e.column) > (d.pos.line, d.pos.column));
            let mut region = json!({ "startLine": d.pos.line, "startColumn": d.pos.column });
            if let Some(e) = end {
                region["endLine"] = json!(e.line);
                region["endColumn"] = json!(e.column);
            }
            let mut result = json!({
                "ruleId": d.rule,
                "level": match d.severity { Severity::Error => "error", Severity::Warning => "warning", Severity::Note => "note" },
                "message": { "text": format!("{}\nhelp: {}", d.message, d.help) },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": uri },
                        "region": region,
                    }
                }],
                // Stable across runs and line moves: the rule, the file and what it is about.
                "partialFingerprints": { "handoffFinding/v1": fingerprint(d, &uri) },
            });
            if let Some(i) = rule_index(d.rule) {
                result["ruleIndex"] = json!(i);
            }
            if !d.items.is_empty() {
                result["properties"] = json!({ "items": d.items });
            }
            // A waived finding is suppressed outside the source, by the waiver recorded in the
            // packet: code scanning shows it dismissed, with who approved it, why and until when.
            if let Some(w) = &d.waived {
                result["suppressions"] = json!([{
                    "kind": "external",
                    "status": "accepted",
                    "justification": w.reason,
                    "properties": { "approvedBy": w.by, "expires": w.until },
                }]);
            }
            result
        })
        .collect();
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "handoff",
                    "version": env!("CARGO_PKG_VERSION"),
                    "informationUri": HOME_PAGE,
                    "rules": rule_objects,
                }
            },
            "columnKind": "unicodeCodePoints",
            "results": results,
            "invocations": [{
                "executionSuccessful": true,
                "toolExecutionNotifications": if total > MAX_RESULTS {
                    json!([{
                        "level": "warning",
                        "message": { "text": format!(
                            "{total} findings; this log holds {MAX_RESULTS} (GitHub's limit), errors first, then warnings, then notes, and leaves out {} errors, {} warnings and {} notes. Run `handoff check` for all of them.",
                            dropped[0], dropped[1], dropped[2]
                        ) },
                        "properties": {
                            "droppedErrors": dropped[0],
                            "droppedWarnings": dropped[1],
                            "droppedNotes": dropped[2],
                        },
                    }])
                } else {
                    json!([])
                },
            }],
            // The gate's verdict, so a reader of the log alone knows whether the run passed.
            "properties": {
                "packets": summary.packets,
                "passed": summary.passed,
                "failed": summary.failed,
                "failedPackets": verdicts.iter().filter(|v| !v.pass).map(|v| v.id.as_str()).collect::<Vec<_>>(),
            },
        }]
    });
    serde_json::to_string_pretty(&log).unwrap_or_default() + "\n"
}

/// A finding's identity apart from its position: rule, file, and what it is about.
fn fingerprint(d: &crate::judgement::diagnostic::Diagnostic, uri: &str) -> String {
    use sha2::{Digest, Sha256};
    let about = d.target.as_deref().unwrap_or(&d.message);
    let hash = Sha256::digest(format!("{}\0{uri}\0{about}", d.rule).as_bytes());
    hash.iter().take(16).map(|b| format!("{b:02x}")).collect()
}

/// `answer-missing` → `AnswerMissing`.
fn pascal(id: &str) -> String {
    id.split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect::<String>())
                .unwrap_or_default()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::judgement::diagnostic::Diagnostic;

    fn packet(id: &str, diagnostics: Vec<Diagnostic>) -> Verdict {
        Verdict {
            id: id.into(),
            path: id.into(),
            kind: None,
            status: None,
            day0: None,
            gate: crate::facts::gate::Gate::Draft,
            pass: false,
            errors: 0,
            warnings: 0,
            diagnostics,
        }
    }

    #[test]
    fn over_the_cap_errors_come_first_then_warnings_then_notes() {
        let many = |severity, n: usize| -> Vec<Diagnostic> {
            (0..n)
                .map(|i| {
                    Diagnostic::file_level(
                        RuleId::UnknownKey,
                        severity,
                        "a/handoff.md",
                        format!("{i}"),
                        "",
                    )
                })
                .collect()
        };
        // Notes and warnings in the first packets, the errors in the last one.
        let verdicts = vec![
            packet("a", many(Severity::Note, MAX_RESULTS)),
            packet("b", many(Severity::Warning, 300)),
            packet("c", many(Severity::Error, 200)),
        ];
        let log: Value = serde_json::from_str(&render(&verdicts, "")).unwrap();
        let results = log["runs"][0]["results"].as_array().unwrap();
        assert_eq!(results.len(), MAX_RESULTS);
        let count = |l: &str| results.iter().filter(|r| r["level"] == l).count();
        assert_eq!((count("error"), count("warning")), (200, 300));
        assert_eq!(count("note"), MAX_RESULTS - 500);
        // The kept ones stay in the order of the run.
        assert_eq!(results[0]["level"], "note");
        assert_eq!(results[MAX_RESULTS - 1]["level"], "error");
        let note = &log["runs"][0]["invocations"][0]["toolExecutionNotifications"][0];
        assert_eq!(note["properties"]["droppedErrors"], 0);
        assert_eq!(note["properties"]["droppedWarnings"], 0);
        assert_eq!(note["properties"]["droppedNotes"], 500);
        assert!(
            note["message"]["text"]
                .as_str()
                .unwrap()
                .contains("leaves out 0 errors, 0 warnings and 500 notes"),
            "{note}"
        );
    }

    #[test]
    fn a_waived_finding_carries_an_external_suppression() {
        let mut d =
            Diagnostic::file_level(RuleId::KpiUnstable, Severity::Note, "a/handoff.md", "m", "");
        d.waived = Some(Box::new(crate::judgement::diagnostic::Waived {
            until: "2027-02-15".into(),
            by: "Jordan Blake <jordan@northwind.test>".into(),
            reason: "security review in January".into(),
        }));
        let plain = Diagnostic::file_level(
            RuleId::AnswerMissing,
            Severity::Error,
            "a/handoff.md",
            "m",
            "",
        );
        let log: Value = serde_json::from_str(&render(&[packet("a", vec![d, plain])], "")).unwrap();
        let results = log["runs"][0]["results"].as_array().unwrap();
        let s = &results[0]["suppressions"][0];
        assert_eq!(s["kind"], "external");
        assert_eq!(s["justification"], "security review in January");
        assert_eq!(
            s["properties"]["approvedBy"],
            "Jordan Blake <jordan@northwind.test>"
        );
        assert_eq!(s["properties"]["expires"], "2027-02-15");
        assert!(results[1].get("suppressions").is_none());
    }
}
