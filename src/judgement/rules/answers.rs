//! The kind's questions: every answer present, of the right shape, well formed, and no key unknown.

use super::{Ctx, Rule};
use crate::facts::gate::Gate;
use crate::facts::kind::{FieldSpec, FieldType, KindSpec};
use crate::facts::packet::is_placeholder;
use crate::facts::packet::parse_date;
use crate::facts::packet::yaml::{Node, Value};
use crate::facts::person::is_person;
use crate::judgement::diagnostic::RuleId;
use crate::judgement::diagnostic::{Edit, Fix, Severity};
use crate::support::suggest::did_you_mean;
use std::fmt::Write as _;

/// A key the kind does not know.
pub static UNKNOWN_KEY: Rule = Rule {
    id: RuleId::UnknownKey,
    summary: "every front matter key is one the kind knows; a typo must never drop an answer",
    explanation: "A misspelled key (`ownr:` for `owner:`) would leave the real question unanswered \
while the answer sits unread. Unknown keys are errors at every gate, with a suggestion of the key you \
probably meant. `handoff kinds <kind>` lists the keys; `handoff schema` lets your editor check them \
while you type.",
};

/// An answer of the wrong shape.
pub static WRONG_TYPE: Rule = Rule {
    id: RuleId::WrongType,
    summary: "each answer has the shape its kind asks for: text, a list, or a mapping",
    explanation: "`risks:` is a list of `{risk, guardrail, monitor}` items; `owner:` is a mapping with \
`primary`, `backup` and `escalation`. A value of another shape cannot be read, so it is an error at \
every gate.\n\nExample:\n\n    risks:\n      - risk: Deliverability drops\n        guardrail: Pause \
sends when bounces > 2%\n        monitor: Alert in #gtm-health",
};

/// A person that is neither `Name <email>` nor a known role.
pub static PERSON_INVALID: Rule = Rule {
    id: RuleId::PersonInvalid,
    summary: "people are written `Name <email>` or as a role name mapped in handoff.toml",
    explanation: "Owners must be reachable: a bare first name does not say whom to page. Write \
`Maria Lopez <maria@acme.test>`, or a role name (e.g. `ops-lead`) that `handoff.toml` maps to a person \
under `[people]`.",
};

/// A malformed date.
pub static DATE_INVALID: Rule = Rule {
    id: RuleId::DateInvalid,
    summary: "dates are ISO 8601 calendar dates: YYYY-MM-DD",
    explanation: "Day 0 places the whole timeline, and due dates feed reminders; `12/7` or `next week` \
cannot be placed on a calendar. Write `2026-12-07`.",
};

/// A malformed link.
pub static URL_INVALID: Rule = Rule {
    id: RuleId::UrlInvalid,
    summary: "links are full http(s) URLs",
    explanation: "A walkthrough or dashboard link must open from the rendered review document. Write \
the full URL, starting with `https://`.",
};

/// A required answer is missing or still a TODO placeholder.
pub static ANSWER_MISSING: Rule = Rule {
    id: RuleId::AnswerMissing,
    summary: "every required answer is present and no `TODO` placeholder is left",
    explanation: "`handoff new` writes `TODO: <the question>` for every answer. Before the ready gate \
(status `ready`, or day −2) a missing answer is a warning; from its gate on it is an error, located at \
the placeholder (or at the parent key when the answer is missing altogether). Some answers, like the \
recorded walkthrough, are only required from a later gate.\n\nExample:\n\n    metric:\n      kpi: \
Win-back conversion rate\n      target: \">= 4% within 14 days\"\n      source: Dashboard \"Win-back\"",
};

/// A plain value followed by ` #word`, which YAML reads as a comment and drops.
pub static VALUE_TRUNCATED: Rule = Rule {
    id: RuleId::ValueTruncated,
    summary: "a value does not lose its end to a YAML comment (` #channel`)",
    explanation: "In YAML, ` #` starts a comment, so `monitor: Alert posting to #ops-alerts` is read \
as `Alert posting to` and the channel is silently dropped. Quote the value:\n\n    monitor: \"Alert \
posting to #ops-alerts\"\n\nA comment that starts with `# ` (hash, space) is taken as meant and \
not reported. Before the ready gate it is a warning; from it on, an error, since the cut may drop the \
very channel an alert posts to.",
};

/// An answer outside its fixed choices, or not the one its gate expects.
pub static ANSWER_CHOICE: Rule = Rule {
    id: RuleId::AnswerChoice,
    summary: "an answer with fixed choices is one of them, and from its gate on it is the one the gate expects",
    explanation: "Some questions have fixed answers: a release's risk tier is `low`, `medium` or \
`high`; a readiness gate's result is `pass` or `fail`. Any other value is an error at every gate, with \
the choices listed. A kind can also say which answer its gate expects: from the question's gate on, a \
readiness gate whose result is `fail` is an error, since the release did not pass it. Fix the cause \
and record the new result, or waive the answer with a reason and an expiry (`handoff waive`).",
};

/// Keys every packet may have, whatever its kind.
pub const HEADER_KEYS: [&str; 11] = [
    "id",
    "title",
    "kind",
    "kind_version",
    "from",
    "to",
    "day0",
    "status",
    "waivers",
    "signoffs",
    "sent_back",
];

/// Walk the front matter against the kind's fields.
pub fn check(ctx: &mut Ctx, spec: &KindSpec) {
    let Some(front) = ctx.packet.front.as_ref() else {
        return;
    };
    let mut path = String::with_capacity(64);
    walk_map(ctx, spec, &spec.fields, front, &mut path, true);
}

/// Walk one mapping. `path` is the dotted path of the mapping (empty at the top); it is extended
/// for each answer and restored, so that no path is allocated unless a finding needs it.
fn walk_map(
    ctx: &mut Ctx,
    spec: &KindSpec,
    fields: &[FieldSpec],
    map: &Node,
    path: &mut String,
    top: bool,
) {
    let Some(entries) = map.entries() else { return };
    for entry in entries {
        let known = fields.iter().any(|f| f.key == entry.key)
            || (top && HEADER_KEYS.contains(&entry.key.as_str()))
            // An item with a due date may say when it was done (`rules::items`).
            || (entry.key == "done" && super::items::is_dated(fields));
        if known {
            continue;
        }
        let mut candidates: Vec<&str> = fields.iter().map(|f| f.key.as_str()).collect();
        if top {
            candidates.extend(HEADER_KEYS);
        }
        let suggested = did_you_mean(&entry.key, candidates.iter().copied());
        let help = match suggested {
            Some(s) => format!("did you mean `{s}`?"),
            None => match find_path(&spec.fields, &entry.key, "") {
                Some(elsewhere) => {
                    format!("`{}` belongs at `{elsewhere}`; move it there", entry.key)
                }
                None => format!("the keys here are: {}", candidates.join(", ")),
            },
        };
        ctx.report(
            &UNKNOWN_KEY,
            Severity::Error,
            entry.key_pos,
            entry.key.len().max(1),
            format!("unknown key `{}{}`", dotted(path, ""), entry.key),
            help,
        );
        if let Some(s) = suggested {
            let start = entry.key_pos.offset;
            ctx.fix_last(Fix::edits(
                format!("Rename the key to `{s}`"),
                vec![Edit {
                    start,
                    end: start + entry.key.len(),
                    text: s.to_string(),
                }],
            ));
        }
    }
    for field in fields {
        let len = path.len();
        if !path.is_empty() {
            path.push('.');
        }
        path.push_str(&field.key);
        match map.entry(&field.key) {
            Some(entry) => check_value(ctx, spec, field, field.ty, &entry.value, path),
            None => missing(ctx, field, map, path, "is missing"),
        }
        path.truncate(len);
    }
}

/// Check one answer against its field, read as type `ty` (a list's items are read as the list's
/// item type).
fn check_value(
    ctx: &mut Ctx,
    spec: &KindSpec,
    field: &FieldSpec,
    ty: FieldType,
    node: &Node,
    path: &mut String,
) {
    if node.plain {
        check_truncation(ctx, node, path);
    }
    match (&node.value, ty) {
        (Value::Null, _) => missing(ctx, field, node, path, "has no answer"),
        (Value::Str(s), _) if is_placeholder(s) => {
            let what = if s.trim().is_empty() {
                "is empty"
            } else {
                "is still a TODO placeholder"
            };
            missing(ctx, field, node, path, what)
        }
        (Value::Map(_), FieldType::Map) => walk_map(ctx, spec, &field.fields, node, path, false),
        (Value::Seq(items), FieldType::List) => {
            let min = field.min_items.unwrap_or(usize::from(field.required));
            // A list still holding a placeholder item is reported at that item, once.
            let placeholder = items.iter().any(|i| i.as_str().is_some_and(is_placeholder));
            if items.len() < min && !placeholder {
                let severity = required_severity(ctx, field);
                let need = if min == 1 {
                    "at least one item".to_string()
                } else {
                    format!("at least {min} items")
                };
                ctx.report_on(
                    &ANSWER_MISSING,
                    severity,
                    node.pos,
                    node.span_len(),
                    format!(
                        "`{path}` has {}; it needs {need}",
                        crate::support::words::plural(items.len(), "item", "items")
                    ),
                    format!("add items answering: {}", field.prompt),
                    path,
                );
            }
            let item_ty = field.item.unwrap_or(FieldType::Text);
            for (i, item) in items.iter().enumerate() {
                let len = path.len();
                let _ = write!(path, "[{}]", i + 1);
                if field.fields.is_empty() {
                    check_value(ctx, spec, field, item_ty, item, path);
                } else if matches!(item.value, Value::Map(_)) {
                    walk_map(ctx, spec, &field.fields, item, path, false);
                } else {
                    wrong_type(ctx, field, item, path, "a mapping");
                }
                path.truncate(len);
            }
        }
        (Value::Str(s), _)
            if !field.one_of.is_empty()
                && !field
                    .one_of
                    .iter()
                    .any(|o| o.eq_ignore_ascii_case(s.trim())) =>
        {
            ctx.report(
                &ANSWER_CHOICE,
                Severity::Error,
                node.pos,
                node.span_len(),
                format!("`{path}` is `{}`, not one of its choices", s.trim()),
                format!("answer with one of: {}", field.one_of.join(", ")),
            )
        }
        (Value::Str(s), _)
            if field
                .expect
                .as_ref()
                .is_some_and(|want| !want.eq_ignore_ascii_case(s.trim())) =>
        {
            let want = field.expect.as_deref().unwrap_or_default();
            let severity = required_severity(ctx, field);
            ctx.report_on(
                &ANSWER_CHOICE,
                severity,
                node.pos,
                node.span_len(),
                format!("`{path}` is `{}`; the {} gate expects `{want}`", s.trim(), field.gate),
                format!(
                    "fix what it records and write `{want}` once it holds, or waive it with a reason and an expiry: `handoff waive {} {path} --reason \"…\" --until YYYY-MM-DD`",
                    ctx.packet.id
                ),
                path,
            )
        }
        (Value::Str(s), FieldType::Person) => check_person(ctx, field, node, path, s),
        (Value::Str(s), FieldType::Date) if parse_date(s).is_none() => {
            let why = crate::facts::packet::date_or_problem(s)
                .err()
                .map(|p| p.describe(s))
                .unwrap_or_default();
            ctx.report(
                &DATE_INVALID,
                Severity::Error,
                node.pos,
                node.span_len(),
                format!("`{path}`: {why}"),
                "write the date as YYYY-MM-DD, e.g. `2027-01-15`".into(),
            )
        }
        (Value::Str(s), FieldType::Url)
            if !(s.starts_with("https://") || s.starts_with("http://")) =>
        {
            ctx.report(
                &URL_INVALID,
                Severity::Error,
                node.pos,
                node.span_len(),
                format!("`{path}` is not a link: `{s}`"),
                format!(
                    "write the full URL, e.g. `{}`",
                    field.example.as_deref().unwrap_or("https://…")
                ),
            )
        }
        (Value::Str(_), FieldType::Text | FieldType::Date | FieldType::Url | FieldType::File) => {}
        (_, FieldType::Map) => wrong_type(ctx, field, node, path, "a mapping"),
        (_, FieldType::List) => wrong_type(ctx, field, node, path, "a list"),
        (_, _) => wrong_type(ctx, field, node, path, "text"),
    }
}

fn check_truncation(ctx: &mut Ctx, node: &Node, path: &str) {
    let Some(file) = ctx.packet.file.as_ref() else {
        return;
    };
    let rest = &file.text[node.end.min(file.text.len())..];
    let line = &rest[..memchr::memchr(b'\n', rest.as_bytes()).unwrap_or(rest.len())];
    let trimmed = line.trim_start_matches([' ', '\t']);
    if trimmed.len() < line.len()
        && trimmed.starts_with('#')
        && trimmed[1..].starts_with(|c: char| !c.is_whitespace())
    {
        let comment = trimmed.trim_end();
        let pos = file.pos(node.end + (line.len() - trimmed.len()));
        ctx.report(
            &VALUE_TRUNCATED,
            ctx.severity(Gate::Ready),
            pos,
            comment.len(),
            format!("`{path}` ends before `{comment}`: YAML reads ` #` as the start of a comment"),
            "put the whole value in double quotes to keep it".into(),
        );
        // The line the value starts on, its value quoted.
        let start = file.text[..node.pos.offset.min(file.text.len())]
            .rfind('\n')
            .map_or(0, |i| i + 1);
        let end = node.end + line.trim_end_matches('\r').len();
        if let Some(new) = file.text.get(start..end).and_then(quote_line_value) {
            ctx.fix_last(Fix::edits(
                "Quote the value so YAML keeps the whole of it",
                vec![Edit {
                    start,
                    end,
                    text: new,
                }],
            ));
        }
    }
}

fn check_person(ctx: &mut Ctx, field: &FieldSpec, node: &Node, path: &str, s: &str) {
    if is_person(s) || ctx.config.settings.people.contains_key(s.trim()) {
        return;
    }
    let roles: Vec<&str> = ctx
        .config
        .settings
        .people
        .keys()
        .map(String::as_str)
        .collect();
    let help = match did_you_mean(s.trim(), roles.iter().copied()) {
        Some(role) => format!("did you mean the role `{role}`?"),
        None => format!(
            "write `Name <email>`, e.g. `{}`, or add a role for it under [people] in handoff.toml",
            field
                .example
                .as_deref()
                .unwrap_or("Maria Lopez <maria@acme.test>")
        ),
    };
    ctx.report(
        &PERSON_INVALID,
        Severity::Error,
        node.pos,
        node.span_len(),
        format!("`{path}` is not a person: `{s}`"),
        help,
    );
}

fn wrong_type(ctx: &mut Ctx, field: &FieldSpec, node: &Node, path: &str, expected: &str) {
    let example = field
        .example
        .as_deref()
        .map(|e| format!(" (e.g. `{e}`)"))
        .unwrap_or_default();
    ctx.report(
        &WRONG_TYPE,
        Severity::Error,
        node.pos,
        node.span_len(),
        format!("`{path}` must be {expected}, but it is {}", node.shape()),
        format!("answer with {expected}{example}: {}", field.prompt),
    );
}

/// How bad a missing answer is: an error from the question's gate on, except that a question the
/// kind gained after this packet was made is asked, never required, and one that only an event
/// can answer is not required before the day it falls due.
fn required_severity(ctx: &Ctx, field: &FieldSpec) -> Severity {
    let newer = field.since > ctx.kind_version();
    let not_due = field.due.is_some_and(|due| {
        ctx.gate < Gate::SignedOff
            && ctx
                .packet
                .day0()
                .is_some_and(|d0| (ctx.today - d0).num_days() < due)
    });
    if newer || not_due {
        Severity::Warning
    } else {
        ctx.severity(field.gate)
    }
}

fn missing(ctx: &mut Ctx, field: &FieldSpec, node: &Node, path: &str, what: &str) {
    if !field.required {
        return;
    }
    let newer = field.since > ctx.kind_version();
    if newer {
        // Asked once for the whole packet (`kind-behind`), not answer by answer.
        ctx.added.questions.push(path.to_string());
        return;
    }
    let severity = required_severity(ctx, field);
    let example = field
        .example
        .as_deref()
        .map(|e| format!(" — e.g. `{e}`"))
        .unwrap_or_default();
    let gate = if field.gate > Gate::Ready {
        format!(" (required from the {} gate)", field.gate)
    } else {
        String::new()
    };
    ctx.report_on(
        &ANSWER_MISSING,
        severity,
        node.pos,
        node.span_len(),
        format!("`{path}` {what}{gate}"),
        format!("{}{example}", field.prompt),
        path,
    );
    // A question missing at the top is added, its answer a TODO, before the closing `---`.
    let (_, front_end) = ctx.packet.front_range;
    if what == "is missing" && path == field.key && front_end > 0 {
        ctx.fix_last(Fix::edits(
            format!("Add `{}` with a TODO for its answer", field.key),
            vec![Edit {
                start: front_end,
                end: front_end,
                text: crate::facts::kind::scaffold::field_yaml(field, 0),
            }],
        ));
    }
}

/// A YAML line's value wrapped in double quotes (`key: a #b` → `key: "a #b"`); `None` when it
/// is not a `key: value` line or is quoted already.
pub fn quote_line_value(line: &str) -> Option<String> {
    let (key, value) = line.split_once(": ")?;
    let value = value.trim();
    if value.is_empty() || value.starts_with('"') {
        return None;
    }
    let escaped = value.replace('\\', "\\\\").replace('"', "\\\"");
    Some(format!("{key}: \"{escaped}\""))
}

fn dotted(path: &str, key: &str) -> String {
    match (path.is_empty(), key.is_empty()) {
        (true, _) => key.to_string(),
        (false, true) => format!("{path}."),
        (false, false) => format!("{path}.{key}"),
    }
}

fn find_path(fields: &[FieldSpec], key: &str, prefix: &str) -> Option<String> {
    fields.iter().find_map(|f| {
        let here = dotted(prefix, &f.key);
        if f.key == key && !prefix.is_empty() {
            Some(here)
        } else {
            find_path(&f.fields, key, &here)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders() {
        assert!(is_placeholder("TODO: who?"));
        assert!(is_placeholder("  "));
        assert!(!is_placeholder("Done TODO later"));
    }
}
