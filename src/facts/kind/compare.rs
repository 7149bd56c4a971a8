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
    out
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
