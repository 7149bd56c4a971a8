//! `--format sarif`: SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.

use crate::diagnostic::Severity;
use crate::verdict::Verdict;
use serde_json::{Value, json};

/// Where the rules are documented.
const HOME_PAGE: &str = env!("CARGO_PKG_REPOSITORY");

/// The SARIF log for a check run.
pub fn render(verdicts: &[Verdict]) -> String {
    let summary = super::Summary::of(verdicts);
    let rules = crate::rules::all();
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
                "helpUri": format!("{HOME_PAGE}#gates"),
            })
        })
        .collect();
    let results: Vec<Value> = verdicts
        .iter()
        .flat_map(|v| &v.diagnostics)
        .map(|d| {
            let mut result = json!({
                "ruleId": d.rule,
                "level": match d.severity { Severity::Error => "error", Severity::Warning => "warning", Severity::Note => "note" },
                "message": { "text": format!("{}\nhelp: {}", d.message, d.help) },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": d.file.replace('\\', "/") },
                        "region": { "startLine": d.pos.line, "startColumn": d.pos.column },
                    }
                }],
            });
            if let Some(i) = rule_index(d.rule) {
                result["ruleIndex"] = json!(i);
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
