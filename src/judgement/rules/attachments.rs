//! Files the packet links to (runbooks): present, inside the repo, readable, with their checklists.

use super::answers::ANSWER_MISSING;
use super::{Ctx, Rule};
use crate::facts::kind::{FieldSpec, FieldType, KindSpec};
use crate::facts::packet::body::Body;
use crate::facts::packet::files::{self, Target};
use crate::facts::packet::source::SourceFile;
use crate::facts::packet::yaml::Node;
use crate::facts::packet::{ReadOutcome, read_text};
use crate::judgement::diagnostic::RuleId;
use crate::judgement::diagnostic::{Diagnostic, Severity};
use std::path::{Component, Path};
use std::sync::Arc;

/// A linked file does not exist.
pub static ATTACHMENT_MISSING: Rule = Rule {
    id: RuleId::AttachmentMissing,
    summary: "every file the packet links to exists in the packet folder",
    explanation: "A runbook that is named but not there is a runbook nobody can follow. From the ready \
gate on, every linked file must exist; before it, a missing one is a warning.\n\nExample: `runbook: \
{file: runbook.md}` needs `handoffs/<id>/runbook.md`.",
};

/// A linked file escapes the repo or cannot be read.
pub static ATTACHMENT_INVALID: Rule = Rule {
    id: RuleId::AttachmentInvalid,
    summary: "linked files are part of the packet, readable as UTF-8 text; no link leaves the packet",
    explanation: "A linked file must be inside the packet folder and part of the packet as git \
sees it: not an absolute path or `..`, not a symbolic link that leaves the packet, not a file git \
ignores. The review and the sign-offs cover exactly the packet's files, so anything else would be \
outside what people agreed to. The file must also be readable UTF-8 text under 2 MiB. The same goes \
for any other symbolic link among the packet's files.",
};

/// A linked file lacks a required checklist.
pub static CHECKLIST_MISSING: Rule = Rule {
    id: RuleId::ChecklistMissing,
    summary: "a linked runbook has each checklist its kind requires, with at least one item",
    explanation: "The receiving team needs to know how to run the thing and how to stop it. The \
kind names the checklists (for `gtm-play`: `## Run checklist` and `## Stop checklist`), each a \
heading followed by `- [ ]` items.",
};

/// Check every file-type answer of the kind, then every link among the packet's files.
pub fn check(ctx: &mut Ctx, spec: &KindSpec) {
    let Some(front) = ctx.packet.front.as_ref() else {
        return;
    };
    let mut named = Vec::new();
    visit(ctx, &spec.fields, front, &mut named);
    links(ctx, &named);
}

/// Every file of the packet is of bounded size, and a symbolic link among them stays inside the
/// packet: the review and the sign-offs cover the packet, and a link out of it makes them cover a
/// file others edit freely.
fn links(ctx: &mut Ctx, named: &[String]) {
    let packet = ctx.packet;
    // One `lstat` per file, shared with the checks of named files; only a symbolic link costs a
    // lookup of where it leads.
    for (rel, target) in packet.files().iter().zip(packet.targets()) {
        let size = match target {
            Target::File(_, len) => *len,
            Target::Link {
                inside: Some(path), ..
            } => std::fs::metadata(path).map_or(0, |m| m.len()),
            _ => 0,
        };
        if size > files::MAX_FILE_BYTES {
            ctx.push(Diagnostic::file_level(
                ATTACHMENT_INVALID.id,
                Severity::Error,
                crate::support::paths::shown(&packet.dir.join(rel)),
                format!(
                    "`{rel}` is larger than {} MiB, too large to be part of a packet",
                    files::MAX_FILE_BYTES / 1024 / 1024
                ),
                "keep bulk data outside the packet and link to it from an answer",
            ));
            continue;
        }
        if named.iter().any(|n| Path::new(n) == Path::new(&rel)) {
            continue;
        }
        if let Target::Link {
            written,
            inside: None,
        } = target
        {
            ctx.push(Diagnostic::file_level(
                ATTACHMENT_INVALID.id,
                Severity::Error,
                crate::support::paths::shown(&packet.dir.join(rel)),
                format!(
                    "`{rel}` is a symbolic link that leaves the packet (to `{}`)",
                    written.display()
                ),
                "replace the link with the file itself, committed in the packet folder",
            ));
        }
    }
}

fn visit(ctx: &mut Ctx, fields: &[FieldSpec], map: &Node, named: &mut Vec<String>) {
    for field in fields {
        let Some(node) = map.get(&field.key) else {
            continue;
        };
        match field.ty {
            FieldType::Map => visit(ctx, &field.fields, node, named),
            FieldType::File => {
                if let Some(name) = node
                    .as_str()
                    .filter(|s| !crate::facts::packet::is_placeholder(s))
                {
                    named.push(name.trim_start_matches("./").to_string());
                    check_file(ctx, field, node, name);
                }
            }
            _ => {}
        }
    }
}

fn check_file(ctx: &mut Ctx, field: &FieldSpec, node: &Node, name: &str) {
    let rel = Path::new(name);
    let escapes = rel.is_absolute()
        || rel
            .components()
            .any(|c| !matches!(c, Component::Normal(_) | Component::CurDir));
    if escapes {
        ctx.report(
            &ATTACHMENT_INVALID,
            Severity::Error,
            node.pos,
            node.span_len(),
            format!("`{name}` points outside the packet folder"),
            "link a file inside the packet folder by a relative path, e.g. `runbook.md`".into(),
        );
        return;
    }
    let path = ctx.packet.dir.join(rel);
    let severity = ctx.severity(field.gate);
    // The common case, a plain file among the packet's files, was looked up already.
    let listed = ctx
        .packet
        .files()
        .iter()
        .position(|f| f == name)
        .map(|i| &ctx.packet.targets()[i]);
    if let Some(Target::File(..)) = listed
        && !name.contains('/')
    {
        return read_checklists(ctx, field, node, name, &path, severity);
    }
    let Ok(meta) = std::fs::symlink_metadata(&path) else {
        ctx.report(
            &ATTACHMENT_MISSING,
            severity,
            node.pos,
            node.span_len(),
            format!("`{name}` does not exist in the packet folder"),
            format!(
                "create {} ({})",
                crate::support::paths::shown(&path),
                field.prompt
            ),
        );
        return;
    };
    // A regular file named directly in the folder is inside it; a link, or a path through
    // sub-folders (any of which may be a link), is resolved to be sure.
    let direct = meta.is_file()
        && rel
            .components()
            .filter(|c| matches!(c, Component::Normal(_)))
            .count()
            == 1;
    let inside = direct
        || match (path.canonicalize(), ctx.packet.dir.canonicalize()) {
            (Ok(real), Ok(dir)) => real.starts_with(dir),
            _ => false,
        };
    if !inside {
        ctx.report(
            &ATTACHMENT_INVALID,
            Severity::Error,
            node.pos,
            node.span_len(),
            format!("`{name}` is a symbolic link that leaves the packet (or leads to nothing)"),
            "replace the link with the file itself, committed in the packet folder".into(),
        );
        return;
    }
    let rel_name = rel
        .to_string_lossy()
        .trim_start_matches("./")
        .replace('\\', "/");
    if !ctx.packet.files().contains(&rel_name) {
        ctx.report(
            &ATTACHMENT_INVALID,
            Severity::Error,
            node.pos,
            node.span_len(),
            format!("`{name}` is ignored by git, so it is not part of the packet: a fresh clone would not have it, and no sign-off covers it"),
            "remove the ignore rule that covers it (see `git check-ignore -v <file>`), then commit the file".into(),
        );
        return;
    }
    read_checklists(ctx, field, node, name, &path, severity);
}

/// Read a linked file that is part of the packet and check the checklists its kind requires.
fn read_checklists(
    ctx: &mut Ctx,
    field: &FieldSpec,
    node: &Node,
    name: &str,
    path: &Path,
    severity: Severity,
) {
    let shown = crate::support::paths::shown_path(path);
    let text = match read_text(path) {
        ReadOutcome::Text(t) => t,
        ReadOutcome::Bad { message, help, .. } => {
            ctx.report(
                &ATTACHMENT_INVALID,
                Severity::Error,
                node.pos,
                node.span_len(),
                format!("`{name}`: {message}"),
                help,
            );
            return;
        }
    };
    let file = Arc::new(SourceFile::new(shown, text));
    let body = Body::parse(&file, 0);
    for title in &field.checklists {
        let Some(section) = body.section(title) else {
            ctx.push(Diagnostic::at(
                CHECKLIST_MISSING.id,
                severity,
                &file,
                file.pos(0),
                1,
                format!("`{name}` has no `## {title}` section"),
                format!("add a `## {title}` heading followed by `- [ ]` steps"),
            ));
            continue;
        };
        if body.tasks_in(section).next().is_none() {
            ctx.push(Diagnostic::at(
                CHECKLIST_MISSING.id,
                severity,
                &file,
                section.pos,
                section.title.len() + 3,
                format!("the `{title}` checklist has no `- [ ]` items"),
                "list each step as a `- [ ]` item",
            ));
        }
        if let Some(todo) = section.todo {
            let len = file.text[todo.offset..].find('\n').unwrap_or(1).max(1);
            ctx.push(Diagnostic::at(
                ANSWER_MISSING.id,
                severity,
                &file,
                todo,
                len,
                format!("the `{title}` checklist still has a TODO placeholder"),
                "replace each TODO step with the real step someone can follow",
            ));
        }
    }
}
