//! The markdown body: required sections, tables, and the acceptance criteria.

use super::answers::ANSWER_MISSING;
use super::{Ctx, Rule};
use crate::diagnostic::Severity;
use crate::gate::Gate;
use crate::kind::KindSpec;
use crate::kind::spec::criterion_key;

/// A required section is missing, empty, or lacks its table or task items.
pub static SECTION_MISSING: Rule = Rule {
    id: "section-missing",
    summary: "the body has every section the kind requires, with its table or checklist",
    explanation: "The body tells the story the front matter cannot: a summary, the acceptance \
criteria as a checklist, and for some kinds tables (a routing matrix, an SLA table). Before the ready \
gate a missing section is a warning; from it on, an error.\n\nExample:\n\n    ## Acceptance \
criteria\n    - [x] KPI stable for 14 days\n    - [ ] Permissions verified for the CRM",
};

/// An acceptance criterion is still unchecked.
pub static CRITERIA_OPEN: Rule = Rule {
    id: "criteria-open",
    summary: "from the handed-off gate on, every acceptance criterion is checked",
    explanation: "The acceptance criteria are what the receiving team needs to accept the handoff. On \
day 0 (or once the status says handed-off) each `- [ ]` item that is due must be `- [x]`: either it is \
done, or the handoff is not. A kind's criterion may fall due later (e.g. the shadow run at day +3); it is \
required from that day, and by every criterion at the signed-off gate. If a criterion does not apply, \
waive it (`handoff waive`) with a reason and an expiry.",
};

/// A criterion of the kind is missing from the packet.
pub static CRITERION_MISSING: Rule = Rule {
    id: "criterion-missing",
    summary: "every acceptance criterion of the kind stays in the packet (or is waived)",
    explanation: "A kind's acceptance criteria are required, not scaffolding: each must appear in \
the packet's criteria section, matched on its text with case and punctuation aside, so that deleting \
the awkward ones cannot pass the gate. From the handed-off gate a missing one is an error (a warning \
before, and always a warning for a criterion the kind gained after the packet was made). Packets may \
add criteria of their own. If one truly does not apply, waive it: `handoff waive <id> \
\"<criterion>\" --reason \"…\" --until YYYY-MM-DD`.",
};

/// Check the body against the kind's sections.
pub fn check(ctx: &mut Ctx, spec: &KindSpec) {
    let packet = ctx.packet;
    let Some(file) = packet.file.clone() else {
        return;
    };
    let body = &packet.body;
    let anchor = body
        .sections
        .first()
        .map_or_else(|| file.pos(packet.front_range.1), |s| s.pos);
    for want in &spec.sections {
        let severity = ctx.severity(want.gate);
        let Some(section) = body.section(&want.title) else {
            if want.required {
                ctx.report(
                    &SECTION_MISSING,
                    severity,
                    anchor,
                    1,
                    format!("the body has no `## {}` section", want.title),
                    format!("add a `## {}` section with {}", want.title, want.prompt),
                );
            }
            continue;
        };
        let heading_len = section
            .heading_end
            .saturating_sub(section.pos.offset + 1)
            .max(1);
        if let Some(todo) = section.todo {
            let len = file.text[todo.offset..].find('\n').unwrap_or(1).max(1);
            ctx.report(
                &ANSWER_MISSING,
                severity,
                todo,
                len,
                format!("the `{}` section still has a TODO placeholder", want.title),
                format!("replace it with {}", want.prompt),
            );
        } else if want.required && section.text.is_empty() {
            ctx.report(
                &SECTION_MISSING,
                severity,
                section.pos,
                heading_len,
                format!("the `{}` section is empty", want.title),
                format!("write {}", want.prompt),
            );
        }
        if want.table && !section.has_table {
            ctx.report(
                &SECTION_MISSING,
                severity,
                section.pos,
                heading_len,
                format!("the `{}` section has no table", want.title),
                format!("add a markdown table: {}", want.prompt),
            );
        }
        if want.tasks {
            let tasks: Vec<_> = body.tasks_in(section).collect();
            if tasks.is_empty() {
                ctx.report(
                    &SECTION_MISSING,
                    severity,
                    section.pos,
                    heading_len,
                    format!("the `{}` section has no `- [ ]` items", want.title),
                    format!("list {}", want.prompt),
                );
            }
            let gate = want.all_checked.unwrap_or(Gate::HandedOff);
            let day = packet.day0().map(|d0| (ctx.today - d0).num_days());
            let task_keys: std::collections::HashSet<String> =
                tasks.iter().map(|t| criterion_key(&t.text)).collect();
            let kind_keys: Vec<(String, Option<i64>)> = spec
                .criteria
                .iter()
                .map(|c| (criterion_key(c.text()), c.due()))
                .collect();
            for (c, (key, _)) in spec.criteria.iter().zip(&kind_keys) {
                if task_keys.contains(key) {
                    continue;
                }
                let newer = c.since() > ctx.kind_version();
                let severity = if newer {
                    Severity::Warning
                } else {
                    ctx.severity(gate)
                };
                ctx.report_on(
                    &CRITERION_MISSING,
                    severity,
                    section.pos,
                    heading_len,
                    format!(
                        "the {} kind's criterion is missing from `## {}`: {}",
                        spec.name,
                        want.title,
                        c.text()
                    ),
                    format!(
                        "add `- [ ] {}` (a kind's criteria cannot be deleted), or waive it with a reason and an expiry: `handoff waive {} \"{}\" --reason \"…\" --until YYYY-MM-DD`",
                        c.text(),
                        packet.id,
                        c.text()
                    ),
                    c.text(),
                );
            }
            if want.all_checked.is_some_and(|g| ctx.gate >= g) {
                for task in tasks.iter().filter(|t| !t.checked) {
                    // A criterion due later (the shadow run at day +3) is not due on day 0; at the
                    // signed-off gate everything is.
                    let key = criterion_key(&task.text);
                    let due = kind_keys
                        .iter()
                        .find(|(k, _)| *k == key)
                        .and_then(|(_, due)| *due);
                    if let (Some(due), Some(day)) = (due, day)
                        && day < due
                        && ctx.gate < Gate::SignedOff
                    {
                        continue;
                    }
                    ctx.report_on(
                        &CRITERIA_OPEN,
                        Severity::Error,
                        task.pos,
                        task.end - task.pos.offset,
                        format!("acceptance criterion not met: {}", task.text),
                        format!(
                            "from the {gate} gate every criterion due must be checked: mark it `- [x]` once it holds, or waive it with a reason and an expiry (`handoff waive`)"
                        ),
                        &task.text,
                    );
                }
            }
        }
    }
}
