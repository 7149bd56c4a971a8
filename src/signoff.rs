//! Sign-offs: the packet digest, recording a sign-off, and finding stale or missing ones.
//!
//! The digest covers every file of the packet folder, with the `signoffs` block of `handoff.md`
//! left out, so adding a sign-off never changes it while any other edit does.

use crate::diagnostic::{Diagnostic, Severity};
use crate::gate::Gate;
use crate::kind::KindSpec;
use crate::kind::scaffold::scalar;
use crate::packet::Packet;
use crate::packet::source::Pos;
use crate::packet::yaml::Node;
use crate::rules::{Ctx, Rule, did_you_mean};
use sha2::{Digest, Sha256};
use std::fmt::Write as _;
use std::path::Path;

/// A sign-off entry is malformed or names a role the kind does not have.
pub static SIGNOFF_INVALID: Rule = Rule {
    id: "signoff-invalid",
    summary: "each sign-off has a known role, a signer, a time and a digest",
    explanation: "Sign-offs are written by `handoff sign`, never by hand. An entry without its \
digest cannot be checked against the packet, and a role the kind does not list signs nothing.\n\n\
Fix: remove the entry and run `handoff sign <id> --role <role>`.",
};

/// A required role has not signed.
pub static SIGNOFF_MISSING: Rule = Rule {
    id: "signoff-missing",
    summary: "from the signed-off gate on, every role the kind lists has signed",
    explanation: "A handoff is done when both sides say so. At the signed-off gate (status \
signed-off, or day +14) each role of the kind (for `gtm-play`: pm, ops-lead, revops-director) must \
have a sign-off that matches the packet as it is now.\n\nFix: `handoff sign <id> --role <role>` as \
that person, and commit it.",
};

/// A sign-off no longer matches the packet.
pub static SIGNOFF_STALE: Rule = Rule {
    id: "signoff-stale",
    summary: "a sign-off's digest matches the packet as it is now",
    explanation: "Each sign-off records a digest of the whole packet (except the sign-offs). If \
anyone edits an answer, a criterion, the body or an attachment afterwards, the sign-off no longer \
covers what the packet says: it is stale. A warning before the signed-off gate, an error at it.\n\n\
Fix: review what changed (`handoff log <id>`), then re-sign with `handoff sign <id> --role <role>`.",
};

/// Rules of this area.
pub static RULES: [&Rule; 3] = [&SIGNOFF_INVALID, &SIGNOFF_MISSING, &SIGNOFF_STALE];

/// One recorded sign-off.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Signoff {
    /// The role signed for.
    pub role: String,
    /// Who signed, `Name <email>`.
    pub by: String,
    /// When, RFC 3339.
    pub at: String,
    /// `sha256:` digest of the packet when signed.
    pub digest: String,
    /// An optional note.
    pub note: Option<String>,
    /// Where the entry starts.
    #[serde(skip)]
    pub pos: Pos,
}

/// A malformed entry.
#[derive(Debug)]
pub struct BadEntry {
    /// Where.
    pub pos: Pos,
    /// What is wrong.
    pub message: String,
}

/// The sign-offs of a packet, and the entries that could not be read.
pub fn read(packet: &Packet) -> (Vec<Signoff>, Vec<BadEntry>) {
    let mut good = Vec::new();
    let mut bad = Vec::new();
    let Some(node) = packet.front.as_ref().and_then(|f| f.get("signoffs")) else {
        return (good, bad);
    };
    if node.is_null() {
        return (good, bad);
    }
    let Some(items) = node.items() else {
        bad.push(BadEntry {
            pos: node.pos,
            message: format!("`signoffs` must be a list, but it is {}", node.shape()),
        });
        return (good, bad);
    };
    for item in items {
        let text = |k: &str| item.get(k).and_then(Node::as_str).map(str::to_string);
        match (text("role"), text("by"), text("at"), text("digest")) {
            (Some(role), Some(by), Some(at), Some(digest)) => good.push(Signoff {
                role,
                by,
                at,
                digest,
                note: text("note"),
                pos: item.pos,
            }),
            _ => bad.push(BadEntry {
                pos: item.pos,
                message: "a sign-off needs `role`, `by`, `at` and `digest`".into(),
            }),
        }
    }
    (good, bad)
}

/// Byte range of the top-level `signoffs` block in `handoff.md`, when there is one.
pub fn block_range(packet: &Packet) -> Option<(usize, usize)> {
    let front = packet.front.as_ref()?;
    let file = packet.file.as_ref()?;
    let entries = front.entries()?;
    let i = entries.iter().position(|e| e.key == "signoffs")?;
    let start = file.line_start(entries[i].key_pos.line);
    let end = entries.get(i + 1).map_or(packet.front_range.1, |next| {
        file.line_start(next.key_pos.line)
    });
    Some((start, end))
}

/// `handoff.md`'s text without its `signoffs` block: what a sign-off covers in that file.
pub fn content(packet: &Packet) -> String {
    match (&packet.file, block_range(packet)) {
        (Some(file), Some((a, b))) => format!("{}{}", &file.text[..a], &file.text[b..]),
        (Some(file), None) => file.text.clone(),
        (None, _) => String::new(),
    }
}

/// The packet's digest: every file in its folder, `handoff.md` without its `signoffs` block.
pub fn digest(packet: &Packet) -> String {
    let mut hasher = Sha256::new();
    let mut files = Vec::new();
    collect_files(&packet.dir, Path::new(""), &mut files, 0);
    files.sort();
    for rel in files {
        let name = rel.to_string_lossy().replace('\\', "/");
        let content: Vec<u8> = if name == crate::packet::PACKET_FILE {
            match (&packet.file, block_range(packet)) {
                (Some(file), Some((a, b))) => {
                    [&file.text.as_bytes()[..a], &file.text.as_bytes()[b..]].concat()
                }
                (Some(file), None) => file.text.as_bytes().to_vec(),
                (None, _) => std::fs::read(packet.dir.join(&rel)).unwrap_or_default(),
            }
        } else {
            std::fs::read(packet.dir.join(&rel)).unwrap_or_default()
        };
        hasher.update(name.as_bytes());
        hasher.update([0]);
        hasher.update((content.len() as u64).to_le_bytes());
        hasher.update(&content);
    }
    let hash = hasher.finalize();
    let mut out = String::from("sha256:");
    for b in hash {
        let _ = write!(out, "{b:02x}");
    }
    out
}

fn collect_files(dir: &Path, rel: &Path, out: &mut Vec<std::path::PathBuf>, depth: usize) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        if name.to_string_lossy().starts_with('.') {
            continue;
        }
        let Ok(ty) = entry.file_type() else { continue };
        if ty.is_file() {
            out.push(rel.join(&name));
        } else if ty.is_dir() && depth < 8 {
            collect_files(&entry.path(), &rel.join(&name), out, depth + 1);
        }
    }
}

/// The YAML text of a `signoffs` block.
pub fn render_block(signoffs: &[Signoff]) -> String {
    if signoffs.is_empty() {
        return "signoffs: []\n".into();
    }
    let mut out = String::from("signoffs:  # written by `handoff sign`, never by hand\n");
    for s in signoffs {
        let _ = writeln!(out, "  - role: {}", scalar(&s.role));
        let _ = writeln!(out, "    by: {}", scalar(&s.by));
        let _ = writeln!(out, "    at: {}", scalar(&s.at));
        let _ = writeln!(out, "    digest: {}", s.digest);
        if let Some(note) = &s.note {
            let _ = writeln!(out, "    note: {}", scalar(note));
        }
    }
    out
}

/// `handoff.md`'s new text with `signoffs` in place of the old block; every other byte unchanged.
pub fn splice(packet: &Packet, signoffs: &[Signoff]) -> Option<String> {
    let file = packet.file.as_ref()?;
    let block = render_block(signoffs);
    let (a, b) = block_range(packet).unwrap_or((packet.front_range.1, packet.front_range.1));
    let mut text = String::with_capacity(file.text.len() + block.len());
    text.push_str(&file.text[..a]);
    if a > 0 && !file.text[..a].ends_with('\n') {
        text.push('\n');
    }
    text.push_str(&block);
    text.push_str(&file.text[b..]);
    Some(text)
}

/// The date part of an RFC 3339 time, for messages.
pub fn day_of(at: &str) -> &str {
    at.get(..10).unwrap_or(at)
}

/// Check sign-offs: well formed, known roles, fresh, and complete at the signed-off gate.
pub fn check(ctx: &mut Ctx, spec: &KindSpec) {
    let packet = ctx.packet;
    let (signoffs, bad) = read(packet);
    for b in bad {
        ctx.report(
            &SIGNOFF_INVALID,
            Severity::Error,
            b.pos,
            1,
            b.message,
            "remove the entry and run `handoff sign`".into(),
        );
    }
    let roles: Vec<&str> = spec.roles.iter().map(|r| r.name.as_str()).collect();
    let current = if signoffs.is_empty() {
        String::new()
    } else {
        digest(packet)
    };
    for s in &signoffs {
        if !roles.contains(&s.role.as_str()) {
            let hint = did_you_mean(&s.role, roles.iter().copied())
                .map(|r| format!("did you mean `{r}`? "))
                .unwrap_or_default();
            ctx.report(
                &SIGNOFF_INVALID,
                Severity::Error,
                s.pos,
                1,
                format!(
                    "`{}` is not a sign-off role of the {} kind",
                    s.role, spec.name
                ),
                format!("{hint}the roles are: {}", roles.join(", ")),
            );
        } else if s.digest != current {
            ctx.report(
                &SIGNOFF_STALE,
                ctx.severity(Gate::SignedOff),
                s.pos,
                1,
                format!("the {} sign-off by {} on {} is stale: the packet changed after it was signed", s.role, s.by, day_of(&s.at)),
                format!(
                    "review the changes (`handoff log {id}`), then re-sign: `handoff sign {id} --role {}`",
                    s.role,
                    id = packet.id
                ),
            );
        }
    }
    if ctx.gate >= Gate::SignedOff {
        let anchor = packet
            .front
            .as_ref()
            .and_then(|f| f.entry("signoffs"))
            .map(|e| e.key_pos);
        let anchor = anchor
            .or(packet.front.as_ref().map(|f| f.pos))
            .unwrap_or_default();
        for role in &spec.roles {
            if !signoffs.iter().any(|s| s.role == role.name) {
                ctx.report(
                    &SIGNOFF_MISSING,
                    Severity::Error,
                    anchor,
                    8,
                    format!("the {} role has not signed off", role.name),
                    format!(
                        "{}: `handoff sign {} --role {}`",
                        role.description, packet.id, role.name
                    ),
                );
            }
        }
    }
}

/// Whether every role has a fresh sign-off.
pub fn all_signed(packet: &Packet, spec: &KindSpec) -> bool {
    let (signoffs, _) = read(packet);
    if spec.roles.is_empty() || signoffs.is_empty() {
        return spec.roles.is_empty();
    }
    let current = digest(packet);
    spec.roles.iter().all(|r| {
        signoffs
            .iter()
            .any(|s| s.role == r.name && s.digest == current)
    })
}

/// A diagnostic for an unrecorded or mis-authored sign-off (from git history).
pub fn audit_warning(
    packet: &Packet,
    s: &Signoff,
    message: String,
    help: String,
) -> Option<Diagnostic> {
    let file = packet.file.as_ref()?;
    Some(Diagnostic::at(
        crate::history::SIGNOFF_AUDIT.id,
        Severity::Warning,
        file,
        s.pos,
        1,
        message,
        help,
    ))
}
