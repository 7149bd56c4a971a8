//! `--format sarif`: SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.

use crate::judgement::diagnostic::Severity;
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
    let rule_index = |id: &str| rules.iter().position(|r| r.id == id);
    let rule_objects: Vec<Value> = rules
        .iter()
        .map(|r| {
            json!({
                "id": r.id,
                "name": pascal(r.id),
                "shortDescription": { "text": r.summary },
                "fullDescription": { "text": r.explanation },
                "help": { "text": r.explanation, "markdown": r.explanation },
                "helpUri": crate::judgement::rules::doc_url(r.id),
            })
        })
        .collect();
    let total = verdicts.iter().map(|v| v.diagnostics.len()).sum::<usize>();
    let results: Vec<Value> = verdicts
        .iter()
        .flat_map(|v| &v.diagnostics)
        .take(MAX_RESULTS)
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
                            "{total} findings; only the first {MAX_RESULTS} are in this log (GitHub's limit). Run `handoff check` for all of them."
                        ) },
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
