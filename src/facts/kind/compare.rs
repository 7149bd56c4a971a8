//! What one version of a kind asks less than another: the questions, criteria and roles it drops
//! or loosens. Used where a kind may have been weakened without anyone meaning to approve that:
//! a repo kind shadowing a built-in one, and a kind changed by the pull request under review.

use super::spec::{FieldSpec, KindSpec};

/// Each way `spec` asks less than `than`, in words (empty when it asks at least as much).
pub fn asks_less(than: &KindSpec, spec: &KindSpec) -> Vec<String> {
    let mut out = Vec::new();
    fields(&than.fields, &spec.fields, "", &mut out);
    if let Some(q) = &than.questions {
        for (name, _) in q.pairs() {
            let kept = spec
                .questions
                .as_ref()
                .is_some_and(|s| s.pairs().iter().any(|(n, _)| *n == name));
            if !kept {
                out.push(format!("no longer asks the {name} question"));
            }
        }
    }
    for c in &than.criteria {
        if !spec.criteria.iter().any(|s| s.text() == c.text()) {
            out.push(format!("drops the criterion \"{}\"", c.text()));
        }
    }
    for d in &than.criteria_from {
        if !spec.criteria_from.iter().any(|s| s.field == d.field) {
            out.push(format!(
                "drops the criteria derived from `{}` (\"{}\")",
                d.field, d.text
            ));
        }
    }
    for s in &than.sections {
        if s.required
            && !spec
                .sections
                .iter()
                .any(|n| n.title == s.title && n.required)
        {
            out.push(format!("no longer requires the section \"{}\"", s.title));
        }
    }
    for r in &than.roles {
        let Some(now) = spec.roles.iter().find(|n| n.name == r.name) else {
            out.push(format!("drops the sign-off role `{}`", r.name));
            continue;
        };
        if now.held_by != r.held_by {
            out.push(format!(
                "changes who holds the role `{}`: {} (was {})",
                r.name,
                held(&now.held_by),
                held(&r.held_by)
            ));
        }
        let when = |c: &Option<super::spec::Condition>| serde_json::to_string(c).ok();
        if when(&now.when) != when(&r.when) && now.when.is_some() {
            out.push(format!(
                "asks the role `{}` to sign only under a {} condition",
                r.name,
                if r.when.is_some() { "changed" } else { "new" }
            ));
        }
    }
    if spec.allow_same_signer && !than.allow_same_signer {
        out.push("lets one person hold several sign-offs (`allow_same_signer`)".into());
    }
    criteria_later(than, spec, &mut out);
    sections(than, spec, &mut out);
    kpi(than, spec, &mut out);
    waivers(than, spec, &mut out);
    let gates = [
        ("ready", than.gates.ready, spec.gates.ready),
        ("handed-off", than.gates.handed_off, spec.gates.handed_off),
        ("signed-off", than.gates.signed_off, spec.gates.signed_off),
    ];
    for (gate, was, now) in gates {
        if now > was {
            out.push(format!(
                "reaches the {gate} gate later on the calendar (day {now}, was {was})"
            ));
        }
    }
    out
}

/// Criteria the kind now asks later, or only of packets of a later version.
fn criteria_later(than: &KindSpec, spec: &KindSpec, out: &mut Vec<String>) {
    for c in &than.criteria {
        let Some(now) = spec.criteria.iter().find(|s| s.text() == c.text()) else {
            continue;
        };
        if now.since() > c.since() {
            out.push(format!(
                "asks \"{}\" only of packets made under version {} (was {})",
                c.text(),
                now.since(),
                c.since()
            ));
        }
        if later(c.due(), now.due()) {
            out.push(format!("asks \"{}\" later", c.text()));
        }
    }
}

/// Whether a due day moved later (`None`: the handed-off gate, day 0).
fn later(was: Option<i64>, now: Option<i64>) -> bool {
    now.unwrap_or(0) > was.unwrap_or(0)
}

/// Sections whose table or checked items the kind asks less of, or later.
fn sections(than: &KindSpec, spec: &KindSpec, out: &mut Vec<String>) {
    for s in &than.sections {
        let Some(now) = spec.sections.iter().find(|n| n.title == s.title) else {
            continue;
        };
        if s.required && now.required && now.gate > s.gate {
            out.push(format!(
                "requires the section \"{}\" only from the {} gate (was {})",
                s.title, now.gate, s.gate
            ));
        }
        match (s.all_checked, now.all_checked) {
            (Some(_), None) => out.push(format!(
                "no longer asks every item of \"{}\" to be checked",
                s.title
            )),
            (Some(was), Some(then)) if then > was => out.push(format!(
                "asks every item of \"{}\" checked only from the {then} gate (was {was})",
                s.title
            )),
            _ => {}
        }
        if s.table.required() && !now.table.required() {
            out.push(format!("no longer asks for a table in \"{}\"", s.title));
        }
        if let Some(was) = s.table.shape() {
            let same = |a: &[String], b: &String| a.iter().any(|x| x.eq_ignore_ascii_case(b));
            let now_shape = now.table.shape();
            let columns = now_shape.map_or(&[][..], |t| t.columns.as_slice());
            let numbers = now_shape.map_or(&[][..], |t| t.numbers.as_slice());
            if was.columns.iter().any(|c| !same(columns, c)) {
                out.push(format!(
                    "asks fewer columns of the table in \"{}\"",
                    s.title
                ));
            }
            if was.numbers.iter().any(|c| !same(numbers, c)) {
                out.push(format!(
                    "asks numbers in fewer columns of the table in \"{}\"",
                    s.title
                ));
            }
            if was.covers.is_some() && now_shape.is_none_or(|t| t.covers.is_none()) {
                out.push(format!(
                    "no longer asks the table in \"{}\" for a row per item",
                    s.title
                ));
            }
            if was.catch_all.is_some() && now_shape.is_none_or(|t| t.catch_all.is_none()) {
                out.push(format!(
                    "no longer asks the table in \"{}\" for a row catching the rest",
                    s.title
                ));
            }
            if now_shape.is_some_and(|t| t.since > was.since) {
                out.push(format!(
                    "asks the table's shape in \"{}\" only of packets of a later version",
                    s.title
                ));
            }
        }
    }
}

/// How the KPI series is judged, loosened.
fn kpi(than: &KindSpec, spec: &KindSpec, out: &mut Vec<String>) {
    let Some(was) = &than.kpi else { return };
    let Some(now) = &spec.kpi else {
        out.push("no longer judges the KPI series (`kpi`)".into());
        return;
    };
    if now.window < was.window {
        out.push(format!(
            "judges the KPI over {} days before day 0 (was {})",
            now.window, was.window
        ));
    }
    if now.misses > was.misses {
        out.push(format!(
            "allows {} days under target (was {})",
            now.misses, was.misses
        ));
    }
    match (was.max_spread, now.max_spread) {
        (_, Some(n)) if was.max_spread.is_none_or(|w| n > w) => {
            out.push(format!("allows the KPI to spread by {n}"));
        }
        _ => {}
    }
    if now.breach_days > was.breach_days {
        out.push(format!(
            "calls a breach only after {} days under target in a row (was {})",
            now.breach_days, was.breach_days
        ));
    }
    if now.gate > was.gate {
        out.push(format!(
            "judges the KPI only from the {} gate (was {})",
            now.gate, was.gate
        ));
    }
    if was.criterion.is_some() && now.criterion != was.criterion {
        out.push("no longer decides its criterion by the numbers".into());
    }
}

/// Waivers granted more freely.
fn waivers(than: &KindSpec, spec: &KindSpec, out: &mut Vec<String>) {
    if spec.waivers.max_days > than.waivers.max_days {
        out.push(format!(
            "lets a waiver run {} days (was {})",
            spec.waivers.max_days, than.waivers.max_days
        ));
    }
    let was = &than.waivers.approvers;
    let now = &spec.waivers.approvers;
    if !was.is_empty() {
        if now.is_empty() {
            out.push("lets anyone grant a waiver".into());
        } else if let Some(r) = now.iter().find(|r| !was.contains(r)) {
            out.push(format!("lets holders of `{r}` grant waivers too"));
        }
    }
}

fn held(h: &Option<String>) -> String {
    match h {
        Some(path) => format!("the packet's `{path}`"),
        None => "the [people] entry named like it".into(),
    }
}

fn fields(than: &[FieldSpec], spec: &[FieldSpec], prefix: &str, out: &mut Vec<String>) {
    for f in than {
        let path = format!("{prefix}{}", f.key);
        match spec.iter().find(|s| s.key == f.key) {
            None if f.required => out.push(format!("drops the question `{path}`")),
            None => {}
            Some(s) => {
                if f.required && !s.required {
                    out.push(format!("makes the question `{path}` optional"));
                }
                if f.required && s.required && s.gate > f.gate {
                    out.push(format!(
                        "asks `{path}` only from the {} gate (was {})",
                        s.gate, f.gate
                    ));
                }
                if s.since > f.since {
                    out.push(format!(
                        "asks `{path}` only of packets made under version {} (was {})",
                        s.since, f.since
                    ));
                }
                if f.required && later(f.due, s.due) {
                    out.push(format!("asks `{path}` later"));
                }
                if s.min_items.unwrap_or(0) < f.min_items.unwrap_or(0) {
                    out.push(format!("asks fewer items of `{path}`"));
                }
                if !f.one_of.is_empty() && (s.one_of.is_empty() || s.one_of.len() > f.one_of.len())
                {
                    out.push(format!("accepts more answers to `{path}`"));
                }
                fields(&f.fields, &s.fields, &format!("{path}."), out);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(yaml: &str) -> KindSpec {
        super::super::parse_spec(
            std::path::Path::new("k/kind.yaml"),
            format!("name: k\nsummary: K\n{yaml}"),
            "k",
        )
        .expect("kind reads")
    }

    #[test]
    fn names_each_requirement_dropped_or_loosened() {
        let full = spec(
            "fields:\n  - key: owner\n    type: text\n    prompt: Who?\n  - key: metric\n    type: map\n    prompt: KPI\n    fields:\n      - key: target\n        type: text\n        prompt: T\ncriteria:\n  - KPI stable\nroles:\n  - name: ops\n    description: Ops\n  - name: pm\n    description: PM\n",
        );
        let less = spec(
            "fields:\n  - key: owner\n    type: text\n    prompt: Who?\n    required: false\n  - key: metric\n    type: map\n    prompt: KPI\n    fields: []\nroles:\n  - name: ops\n    description: Ops\n    held_by: owner\n",
        );
        let said = asks_less(&full, &less);
        assert_eq!(
            said,
            [
                "makes the question `owner` optional",
                "drops the question `metric.target`",
                "drops the criterion \"KPI stable\"",
                "changes who holds the role `ops`: the packet's `owner` (was the [people] entry named like it)",
                "drops the sign-off role `pm`",
            ]
        );
        // Asking more is no weakening; a role bound elsewhere is a change either way.
        assert_eq!(
            asks_less(&less, &full),
            [
                "changes who holds the role `ops`: the [people] entry named like it (was the packet's `owner`)"
            ]
        );
        assert!(asks_less(&full, &full).is_empty());
    }
}
