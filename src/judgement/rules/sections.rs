//! The markdown body: required sections, tables, and the acceptance criteria.

use super::answers::ANSWER_MISSING;
use super::{Ctx, Rule};
use crate::facts::gate::Gate;
use crate::facts::kind::KindSpec;
use crate::facts::kind::spec::criterion_key;
use crate::judgement::diagnostic::RuleId;
use crate::judgement::diagnostic::{Edit, Fix, Severity};

/// A required section is missing, empty, or lacks its table or task items.
pub static SECTION_MISSING: Rule = Rule {
    id: RuleId::SectionMissing,
    summary: "the body has every section the kind requires, with its table or checklist",
    explanation: "The body tells the story the front matter cannot: a summary, the acceptance \
criteria as a checklist, and for some kinds tables (a routing matrix, an SLA table). Before the ready \
gate a missing section is a warning; from it on, an error.\n\nExample:\n\n    ## Acceptance \
criteria\n    - [x] KPI stable for 14 days\n    - [ ] Permissions verified for the CRM",
};

/// An acceptance criterion is still unchecked.
pub static CRITERIA_OPEN: Rule = Rule {
    id: RuleId::CriteriaOpen,
    summary: "from the handed-off gate on, every acceptance criterion is checked",
    explanation: "The acceptance criteria are what the receiving team needs to accept the handoff. On \
day 0 (or once the status says handed-off) each `- [ ]` item that is due must be `- [x]`: either it is \
done, or the handoff is not. A kind's criterion may fall due later (e.g. the shadow run at day +3); it is \
required from that day, and by every criterion at the signed-off gate. If a criterion does not apply, \
waive it (`handoff waive`) with a reason and an expiry.",
};

/// A criterion of the kind is missing from the packet.
pub static CRITERION_MISSING: Rule = Rule {
    id: RuleId::CriterionMissing,
    summary: "every acceptance criterion of the kind stays in the packet (or is waived)",
    explanation: "A kind's acceptance criteria are required, not scaffolding: each must appear in \
the packet's criteria section, matched on its text with case and punctuation aside, so that deleting \
the awkward ones cannot pass the gate. From the handed-off gate a missing one is an error (a warning \
before, and always a warning for a criterion the kind gained after the packet was made). Packets may \
add criteria of their own. If one truly does not apply, waive it: `handoff waive <id> \
\"<criterion>\" --reason \"…\" --until YYYY-MM-DD`.",
};

/// A table the kind shapes lacks a column, a number, a row, or a filled-in cell.
pub static TABLE_INCOMPLETE: Rule = Rule {
    id: RuleId::TableIncomplete,
    summary: "a table the kind shapes has its columns, every cell filled in, numbers where a time or rate is asked, a row for every item it must cover, and a fallback row",
    explanation: "Some tables are the contract itself: a routing matrix decides who gets each lead, an \
SLA table how fast. A kind can give such a table its shape: the columns it needs, the columns whose \
cells must carry a number (`2 business hours`, not `soon`), a list answer every item of which needs a \
row (every segment in `segments` appears in the matrix's `Segment` column), and a column in which one \
row catches everything else (`Any other`, `Everything else`, `Default` or `*`). Every cell must be \
filled in: an empty cell, `tbd`, `TODO` or `?` is a finding. Before the ready gate these are warnings; \
from it on, errors (always warnings for a packet made before the kind shaped the table).\n\nExample:\n\n    \
| Segment | Rule | Goes to | Fallback |\n    |---|---|---|---|\n    | Mid-market | Score 70+ | Pod \
round-robin | Pod lead |\n    | Any other | All other leads | Nurture sequence | None |",
};

/// Whether a table cell still needs answering: empty, a dash, a question mark, or a placeholder
/// word (`tbd`, `tbc`, `TODO`).
pub fn is_cell_placeholder(text: &str) -> bool {
    let text = text.trim();
    if text == "*" {
        return false;
    }
    let key = criterion_key(text);
    key.is_empty()
        || key.starts_with("todo")
        || matches!(
            key.as_str(),
            "tbd" | "tba" | "tbc" | "tk" | "xxx" | "to be decided" | "to be confirmed" | "unknown"
        )
}

/// Whether a cell names the row that catches everything the others do not.
pub fn is_catch_all(text: &str) -> bool {
    let text = text.trim();
    let key = criterion_key(text);
    text == "*"
        || [
            "any",
            "all",
            "rest",
            "default",
            "fallback",
            "everything",
            "other",
            "others",
        ]
        .contains(&key.as_str())
        || [
            "any ",
            "all other",
            "everything else",
            "anything else",
            "other ",
            "default ",
            "fallback ",
        ]
        .iter()
        .any(|p| key.starts_with(p))
}

fn check_table(
    ctx: &mut Ctx,
    spec: &crate::facts::kind::SectionSpec,
    shape: &crate::facts::kind::spec::TableShape,
    table: &crate::facts::packet::body::Table,
) {
    let severity = if shape.since > ctx.kind_version() {
        Severity::Warning
    } else {
        ctx.severity(spec.gate)
    };
    let title = &spec.title;
    // "the `Routing matrix` table", but "the `SLA table`".
    let name = if title.to_lowercase().ends_with("table") {
        format!("the `{title}`")
    } else {
        format!("the `{title}` table")
    };
    let col = |name: &str| {
        table
            .header
            .iter()
            .position(|h| criterion_key(h) == criterion_key(name))
    };
    let missing: Vec<&str> = shape
        .columns
        .iter()
        .filter(|c| col(c).is_none())
        .map(String::as_str)
        .collect();
    if !missing.is_empty() {
        ctx.report(
            &TABLE_INCOMPLETE,
            severity,
            table.pos,
            1,
            format!(
                "{name} has no {} column{}",
                missing
                    .iter()
                    .map(|c| format!("`{c}`"))
                    .collect::<Vec<_>>()
                    .join(", "),
                if missing.len() == 1 { "" } else { "s" }
            ),
            format!("give the table the columns {}", shape.columns.join(" | ")),
        );
    }
    for row in &table.rows {
        for (i, cell) in row.iter().enumerate() {
            let heading = table.header.get(i).map(String::as_str).unwrap_or("?");
            if is_cell_placeholder(&cell.text) {
                ctx.report(
                    &TABLE_INCOMPLETE,
                    severity,
                    cell.pos,
                    cell.len,
                    if cell.text.is_empty() {
                        format!("{name} has an empty `{heading}` cell")
                    } else {
                        format!(
                            "{name}'s `{heading}` cell is still a placeholder: `{}`",
                            cell.text
                        )
                    },
                    format!("fill in the {heading} (write `None` when there is none)"),
                );
            } else if shape
                .numbers
                .iter()
                .any(|n| criterion_key(n) == criterion_key(heading))
                && !cell.text.chars().any(|c| c.is_ascii_digit())
            {
                ctx.report(
                    &TABLE_INCOMPLETE,
                    severity,
                    cell.pos,
                    cell.len,
                    format!("{name}'s `{heading}` cell has no number: `{}`", cell.text),
                    format!(
                        "write the {heading} as a number with its unit, e.g. `2 business hours`"
                    ),
                );
            }
        }
    }
    if let Some(cov) = &shape.covers
        && let Some(c) = col(&cov.column)
    {
        let cells: Vec<String> = table
            .rows
            .iter()
            .filter_map(|r| r.get(c))
            .map(|cell| format!(" {} ", criterion_key(&cell.text)))
            .collect();
        let items = ctx
            .packet
            .front
            .as_ref()
            .and_then(|f| f.at(&cov.field))
            .map(|n| n.texts())
            .unwrap_or_default();
        for item in items {
            let key = format!(" {} ", criterion_key(item));
            if key.trim().is_empty() || cells.iter().any(|cell| cell.contains(&key)) {
                continue;
            }
            ctx.report(
                &TABLE_INCOMPLETE,
                severity,
                table.pos,
                1,
                format!(
                    "{name} has no row for `{}` (listed in `{}`)",
                    item.trim(),
                    cov.field
                ),
                format!(
                    "add a row whose {} names `{}`, or take it out of `{}`",
                    cov.column,
                    item.trim(),
                    cov.field
                ),
            );
        }
    }
    if let Some(column) = &shape.catch_all
        && let Some(c) = col(column)
        && !table
            .rows
            .iter()
            .any(|r| r.get(c).is_some_and(|cell| is_catch_all(&cell.text)))
    {
        ctx.report(
            &TABLE_INCOMPLETE,
            severity,
            table.pos,
            1,
            format!("{name} has no fallback row for what no other row matches"),
            format!(
                "add a last row whose {column} is `Any other` (or `Everything else`, `Default`, `*`) and say where those go"
            ),
        );
    }
}

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
        if let Some(shape) = want.table.shape()
            && section.todo.is_none()
            && let Some(table) = body.tables_in(section).next()
        {
            check_table(ctx, want, shape, table);
        }
        if want.table.required() && !section.has_table {
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
            let keyed: Vec<String> = tasks.iter().map(|t| criterion_key(&t.text)).collect();
            let task_keys: std::collections::HashSet<&str> =
                keyed.iter().map(String::as_str).collect();
            let criteria = spec.keyed_criteria_for(packet.front.as_ref());
            for (c, key) in &criteria {
                if task_keys.contains(&**key) {
                    continue;
                }
                if c.since() > ctx.kind_version() {
                    // Asked once for the whole packet (`kind-behind`).
                    ctx.added.criteria.push(c.text().to_string());
                    continue;
                }
                let severity = ctx.severity(gate);
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
                // The criterion, unticked, as the section's first item.
                if let Some(file) = &packet.file
                    && let Some(eol) =
                        file.text[section.pos.offset.min(file.text.len())..].find('\n')
                {
                    let at = section.pos.offset + eol + 1;
                    ctx.fix_last(Fix::edits(
                        format!("Add the criterion `{}`", c.text()),
                        vec![Edit {
                            start: at,
                            end: at,
                            text: format!("- [ ] {}\n", c.text()),
                        }],
                    ));
                }
            }
            if want.all_checked.is_some_and(|g| ctx.gate >= g) {
                // Where each criterion stands (`criteria`): one decided by the KPI series is
                // judged on the numbers (`rules::kpi`), one due later (the shadow run at day +3)
                // is not due on day 0, and at the signed-off gate everything is. A waived one is
                // reported too: the waiver turns the finding into a note that says so.
                let standings = super::criteria::standings_in(
                    packet,
                    spec,
                    want,
                    &ctx.config.settings,
                    ctx.today,
                    ctx.gate,
                );
                for c in standings.iter().filter(|c| {
                    matches!(
                        c.standing,
                        super::criteria::Standing::Open | super::criteria::Standing::Waived { .. }
                    )
                }) {
                    ctx.report_on(
                        &CRITERIA_OPEN,
                        Severity::Error,
                        c.pos,
                        c.end - c.pos.offset,
                        format!("acceptance criterion not met: {}", c.text),
                        format!(
                            "from the {gate} gate every criterion due must be checked: mark it `- [x]` once it holds, or waive it with a reason and an expiry (`handoff waive`)"
                        ),
                        &c.text,
                    );
                }
            }
        }
    }
}
