//! Sign-offs, as facts: what a packet's `signoffs` say, the digest they are checked against, who
//! may sign which role, how each recorded sign-off stands today, and the exact edit that records a
//! new one. The judgements (which of these facts fail a gate) are in `rules/signoff.rs`.
//!
//! The digest covers every file of the packet (see [`crate::facts::packet::files`]), with two parts of
//! `handoff.md` left out: the `signoffs` block, so that adding a sign-off never changes it, and the
//! `status` value, so that moving the status forward after everyone signed keeps the sign-offs
//! fresh. Each sign-off records the status it was signed at; a status moved back below it (a packet
//! sent back) makes the sign-off stale all the same.

use crate::facts::config::{Holders, Settings};
use crate::facts::gate::Status;
use crate::facts::kind::{KindSpec, RoleSpec};
use crate::facts::packet::Packet;
use crate::facts::packet::files::{self, Target};
use crate::facts::packet::source::Pos;
use crate::facts::packet::yaml::{Node, Value};
use crate::facts::person;
use sha2::{Digest, Sha256};
use std::fmt::Write as _;
use std::path::Path;

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
    /// The packet's status when signed (older sign-offs may lack it).
    pub status: Option<String>,
    /// An optional note.
    pub note: Option<String>,
    /// The kind it was made under: `gtm-play 3 sha256:…` (name, version, digest of its
    /// requirements; see `kind::signed`). Older sign-offs lack it.
    pub kind: Option<String>,
    /// The pull request review or comment it was given in (`handoff apply`), as the forge's
    /// page address.
    pub via: Option<String>,
    /// Where the entry starts.
    #[serde(skip)]
    pub pos: Pos,
}

/// What tells one recorded sign-off from another: every field of the entry.
pub type Key = (
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
);

impl Signoff {
    /// The entry's identity, for finding the commit that recorded it.
    pub fn key(&self) -> Key {
        (
            self.role.clone(),
            self.by.clone(),
            self.at.clone(),
            self.digest.clone(),
            self.status.clone(),
            self.note.clone(),
            self.via.clone(),
        )
    }

    /// The entry as a record to prove.
    pub fn record(&self) -> crate::facts::proof::Record {
        use crate::facts::proof::{Record, RecordKind};
        let opt = |o: &Option<String>| o.clone().unwrap_or_default();
        let (status, note, kind, via) = (
            opt(&self.status),
            opt(&self.note),
            opt(&self.kind),
            opt(&self.via),
        );
        Record {
            kind: RecordKind::SignOff,
            key: Record::key_of(
                RecordKind::SignOff,
                [
                    ("role", self.role.as_str()),
                    ("by", &self.by),
                    ("at", &self.at),
                    ("digest", &self.digest),
                    ("status", &status),
                    ("note", &note),
                    ("kind", &kind),
                    ("via", &via),
                ],
            ),
            by: self.by.clone(),
            via: self.via.clone(),
            role: Some(self.role.clone()),
            digest: Some(self.digest.clone()),
            target: None,
            until: None,
        }
    }
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
                status: text("status"),
                note: text("note"),
                kind: text("kind"),
                via: text("via"),
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

/// Byte range of the top-level `signoffs` entry in `handoff.md`, when there is one: exactly the
/// bytes of that entry, so that no other answer is ever left out of the digest.
///
/// In a block mapping (how packets are written) every key starts a line of its own, so the entry
/// is the whole lines from its key to the next key (comments in between included). In a flow
/// mapping (`{id: p, signoffs: [...], metric: ...}`) other entries may share those lines, so the
/// entry is cut from its key to the end of its value as the YAML parser reads it.
pub fn block_range(packet: &Packet) -> Option<(usize, usize)> {
    let front = packet.front.as_ref()?;
    let file = packet.file.as_ref()?;
    let entries = front.entries()?;
    let i = entries.iter().position(|e| e.key == "signoffs")?;
    let entry = &entries[i];
    let text = file.text.as_str();
    let value_end = value_end(packet, &entry.value);
    let flow = text.as_bytes().get(front.pos.offset) == Some(&b'{');
    if !flow {
        let start = file.line_start(entry.key_pos.line);
        let end = entries.get(i + 1).map_or(packet.front_range.1, |next| {
            file.line_start(next.key_pos.line)
        });
        // Every key of a block mapping begins its line; anything else is read exactly.
        let blank_before = |line: usize, at: usize| {
            text.get(file.line_start(line)..at)
                .is_some_and(|t| t.trim().is_empty())
        };
        let own_lines = blank_before(entry.key_pos.line, entry.key_pos.offset)
            && entries.get(i + 1).is_none_or(|next| {
                blank_before(next.key_pos.line, next.key_pos.offset) && end >= value_end
            });
        if own_lines && start <= end {
            return Some((start, end));
        }
    }
    let end = value_end.min(packet.front_range.1.max(entry.key_pos.offset));
    Some((entry.key_pos.offset, end.max(entry.key_pos.offset)))
}

/// The byte just past a value. Scalars know where they end; a value holding a collection in
/// brackets is measured by the YAML parser's own events, so no quote, apostrophe or bracket
/// inside a scalar can stretch it. When that cannot be told, its last scalar: a shorter cut
/// leaves more of the file in the digest, never less.
fn value_end(packet: &Packet, node: &Node) -> usize {
    let last_scalar = scalar_end(node);
    let (Some(file), (start, end)) = (packet.file.as_ref(), packet.front_range) else {
        return last_scalar;
    };
    if !has_flow(&file.text, node) {
        return last_scalar;
    }
    crate::facts::packet::yaml::value_end(file, start, end, node.pos.offset).unwrap_or(last_scalar)
}

/// The end of the last scalar of a value.
fn scalar_end(node: &Node) -> usize {
    let own = node.end.max(node.pos.offset);
    match &node.value {
        Value::Seq(items) => items.iter().map(scalar_end).fold(own, usize::max),
        Value::Map(entries) => entries
            .iter()
            .map(|e| scalar_end(&e.value))
            .fold(own, usize::max),
        _ => own,
    }
}

/// Whether a value is, or holds, a collection written in brackets.
fn has_flow(text: &str, node: &Node) -> bool {
    match &node.value {
        Value::Seq(items) => {
            matches!(text.as_bytes().get(node.pos.offset), Some(b'['))
                || items.iter().any(|i| has_flow(text, i))
        }
        Value::Map(entries) => {
            matches!(text.as_bytes().get(node.pos.offset), Some(b'{'))
                || entries.iter().any(|e| has_flow(text, &e.value))
        }
        _ => false,
    }
}

/// `handoff.md`'s text as a sign-off covers it: without the `signoffs` block and without the
/// `status` value.
pub fn content(packet: &Packet) -> String {
    let Some(file) = &packet.file else {
        return String::new();
    };
    let mut cut: Vec<(usize, usize)> = block_range(packet).into_iter().collect();
    if let Some(status) = packet.front.as_ref().and_then(|f| f.get("status"))
        && matches!(status.value, Value::Str(_) | Value::Null)
    {
        cut.push((status.pos.offset, status.end.max(status.pos.offset)));
    }
    cut.sort();
    let mut out = String::with_capacity(file.text.len());
    let mut at = 0;
    for (a, b) in cut {
        if a >= at && b <= file.text.len() {
            out.push_str(&file.text[at..a]);
            at = b;
        }
    }
    out.push_str(&file.text[at..]);
    out
}

/// The packet's digest: every file of the packet (as [`files::list`] decides), links by their
/// target text and, when they lead to a file inside the repository, by that file's content too;
/// `handoff.md` as [`content`] gives it; the KPI series files its metric names left out. Text
/// files hash with their line endings normalised (CRLF as LF), so a checkout's end-of-line
/// settings never stale a sign-off. Files are streamed, never read whole.
pub fn digest(packet: &Packet) -> String {
    packet.digest.get_or_init(|| compute_digest(packet)).clone()
}

fn compute_digest(packet: &Packet) -> String {
    let within =
        crate::facts::packet::tree::work_tree_of(&crate::support::paths::absolute(&packet.dir))
            .unwrap_or_else(|| packet.dir.clone());
    let series = crate::facts::metrics::series_files(packet);
    let mut d = Digester::default();
    for rel in packet.files() {
        let rel = rel.as_str();
        // Pulled KPI series change every day after the handoff; the gate judges them itself.
        if series.iter().any(|f| f == rel) {
            continue;
        }
        d.name(rel);
        if rel == crate::facts::packet::PACKET_FILE && packet.file.is_some() {
            d.packet_text(&content(packet));
            continue;
        }
        match files::target(&packet.dir, rel, &within) {
            Target::File(path, len) => {
                // Over the cap, `check` fails the packet; the digest records the size unread.
                if len > files::MAX_FILE_BYTES {
                    d.big(len);
                } else {
                    d.file(std::fs::File::open(&path).ok());
                }
            }
            Target::Link { written, inside } => {
                d.link(written.to_string_lossy().as_bytes());
                if let Some(real) = inside {
                    let len = std::fs::metadata(&real).map_or(0, |m| m.len());
                    if len > files::MAX_FILE_BYTES {
                        d.link_big(len);
                    } else {
                        d.link_file(std::fs::File::open(&real).ok());
                    }
                }
            }
            Target::Missing => d.tag(b"M"),
            Target::Other => d.tag(b"O"),
        }
    }
    d.finish()
}

/// The digest of the packet in the folder `dir` (relative to the work tree's top) as commit
/// `commit` has it: what a sign-off made at that commit would carry. Reads git's objects, never
/// the working tree.
pub fn digest_at(
    top: &Path,
    commit: &str,
    dir: &str,
) -> Result<Option<String>, crate::facts::git::GitError> {
    use crate::facts::git::{self, Object};
    let entries = git::tree(top, commit, dir)?;
    let Some(handoff) = entries
        .iter()
        .find(|e| e.rel == crate::facts::packet::PACKET_FILE)
    else {
        return Ok(None);
    };
    let cap = files::MAX_FILE_BYTES;
    let ids: Vec<String> = entries.iter().map(|e| e.id.clone()).collect();
    let objects = git::objects(top, &ids, cap)?;
    let text = match objects.get(entries.iter().position(|e| e == handoff).unwrap_or(0)) {
        Some(Object::Bytes(b)) => String::from_utf8_lossy(b).into_owned(),
        _ => return Ok(None),
    };
    let packet = Packet::from_text(Path::new(dir), Path::new(dir), text);
    let series = crate::facts::metrics::series_files(&packet);
    // Where each link leads, when inside the repository: read in a second pass.
    let links: Vec<Option<String>> = entries
        .iter()
        .zip(&objects)
        .map(|(e, o)| match (e.mode.as_str(), o) {
            ("120000", Object::Bytes(target)) => link_inside(
                &format!("{dir}/{}", e.rel),
                &String::from_utf8_lossy(target),
            ),
            _ => None,
        })
        .collect();
    let wanted: Vec<String> = links
        .iter()
        .flatten()
        .map(|path| format!("{commit}:{path}"))
        .collect();
    let mut targets = git::objects(top, &wanted, cap)?.into_iter();
    let mut d = Digester::default();
    for ((e, object), link) in entries.iter().zip(objects).zip(links) {
        let rel = e.rel.as_str();
        let target = link.as_ref().and_then(|_| targets.next());
        if files::is_temp(rel) || series.iter().any(|f| f == rel) {
            continue;
        }
        d.name(rel);
        if rel == crate::facts::packet::PACKET_FILE {
            d.packet_text(&content(&packet));
            continue;
        }
        match (e.mode.as_str(), object) {
            ("160000", _) => d.tag(b"O"),
            ("120000", Object::Bytes(written)) => {
                d.link(&written);
                match target {
                    Some(Object::Bytes(b)) => d.link_file(Some(std::io::Cursor::new(b))),
                    Some(Object::TooBig(len)) => d.link_big(len),
                    _ => {}
                }
            }
            (_, Object::Bytes(b)) => d.file(Some(std::io::Cursor::new(b))),
            (_, Object::TooBig(len)) => d.big(len),
            (_, Object::Missing) => d.tag(b"M"),
        }
    }
    Ok(Some(d.finish()))
}

/// Where a link at `path` (from the top, `/`-separated) leads when it stays inside the
/// repository, resolved by its text alone.
fn link_inside(path: &str, target: &str) -> Option<String> {
    if target.starts_with('/') || target.contains(['\0', '\n']) {
        return None;
    }
    let mut parts: Vec<&str> = path.split('/').collect();
    parts.pop();
    for part in target.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    (!parts.is_empty()).then(|| parts.join("/"))
}

/// The digest's hashing, one file after another in the order listed.
#[derive(Default)]
struct Digester {
    hasher: Sha256,
}

impl Digester {
    fn name(&mut self, rel: &str) {
        self.hasher.update(rel.as_bytes());
        self.hasher.update([0]);
    }

    fn tag(&mut self, tag: &[u8]) {
        self.hasher.update(tag);
    }

    /// `handoff.md` as a sign-off covers it.
    fn packet_text(&mut self, text: &str) {
        let text = crlf_to_lf(text);
        self.hasher.update(b"F");
        self.hasher.update((text.len() as u64).to_le_bytes());
        self.hasher.update(text.as_bytes());
    }

    fn file(&mut self, file: Option<impl std::io::Read>) {
        self.hasher.update(b"F");
        self.stream(file);
    }

    fn big(&mut self, len: u64) {
        self.hasher.update(b"B");
        self.hasher.update(len.to_le_bytes());
    }

    fn link(&mut self, written: &[u8]) {
        self.hasher.update(b"L");
        self.hasher.update(written);
        self.hasher.update([0]);
    }

    fn link_file(&mut self, file: Option<impl std::io::Read>) {
        self.stream(file);
    }

    fn link_big(&mut self, len: u64) {
        self.hasher.update(len.to_le_bytes());
    }

    /// A file's bytes in chunks, then its length; a text file's CRLF line endings as LF (a lone
    /// CR still counts); an unreadable file hashes as such.
    fn stream(&mut self, file: Option<impl std::io::Read>) {
        let Some(mut file) = file else {
            self.hasher.update(b"unreadable");
            return;
        };
        let mut buf = vec![0u8; 64 * 1024];
        let mut total: u64 = 0;
        // Text or not is told as git tells it: a NUL byte in the first 8,000 bytes.
        let mut binary = None;
        let mut cr_pending = false;
        loop {
            let n = match file.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(_) => {
                    self.hasher.update(b"unreadable");
                    break;
                }
            };
            let chunk = &buf[..n];
            let binary =
                *binary.get_or_insert_with(|| memchr::memchr(0, &chunk[..n.min(8000)]).is_some());
            if binary || (!cr_pending && memchr::memchr(b'\r', chunk).is_none()) {
                self.hasher.update(chunk);
                total += n as u64;
                continue;
            }
            let mut out = Vec::with_capacity(n + 1);
            for &b in chunk {
                if cr_pending {
                    cr_pending = false;
                    if b != b'\n' {
                        out.push(b'\r');
                    }
                }
                if b == b'\r' {
                    cr_pending = true;
                } else {
                    out.push(b);
                }
            }
            self.hasher.update(&out);
            total += out.len() as u64;
        }
        if cr_pending {
            self.hasher.update(b"\r");
            total += 1;
        }
        self.hasher.update(total.to_le_bytes());
    }

    fn finish(self) -> String {
        let hash = self.hasher.finalize();
        let mut out = String::from("sha256:");
        for b in hash {
            let _ = write!(out, "{b:02x}");
        }
        out
    }
}

/// `text` with each CRLF as LF; a lone CR stays.
fn crlf_to_lf(text: &str) -> std::borrow::Cow<'_, str> {
    if text.contains("\r\n") {
        std::borrow::Cow::Owned(text.replace("\r\n", "\n"))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// Who may sign `role` for this packet: the people at the packet field the kind binds it to,
/// else the `[people]` entry named like the role, else anyone.
pub fn holders(packet: &Packet, role: &RoleSpec, settings: &Settings) -> Holders {
    if let Some(path) = &role.held_by {
        return Holders::Bound {
            people: settings.people_at(packet, path),
            source: format!("the packet's `{path}`"),
        };
    }
    match settings.people.get(&role.name) {
        Some(entry) => Holders::Bound {
            people: entry.all().to_vec(),
            source: format!("handoff.toml [people] {}", role.name),
        },
        None => Holders::Unbound,
    }
}

/// How a recorded sign-off compares with the packet as it is now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Freshness {
    /// It covers the packet as it is.
    Fresh,
    /// The packet was edited after it was signed.
    Edited,
    /// The status moved back below the one it was signed at (the packet was sent back).
    SentBack {
        /// The status when signed.
        signed_at: String,
        /// The status now.
        now: String,
    },
}

/// One recorded sign-off, judged against today's packet.
#[derive(Debug, Clone)]
pub struct Standing {
    /// The entry.
    pub signoff: Signoff,
    /// The kind's role, when the entry names one.
    pub role: Option<RoleSpec>,
    /// Whether it covers the packet as it is.
    pub freshness: Freshness,
    /// Who may sign the role.
    pub holders: Holders,
    /// The role of an earlier sign-off by the same person, when the kind forbids one person two
    /// sign-offs.
    pub also_signed_as: Option<String>,
    /// With trust read from a base commit (`check --base`): who might sign the role there, when
    /// only a binding made since then allows this signer.
    pub unlanded: Option<Holders>,
    /// How it is proven to come from its signer, and whether that counts.
    pub proven: crate::facts::proof::Proven,
}

impl Standing {
    /// Whether this sign-off counts toward its role: a known role, fresh, by one of its holders,
    /// and not a second sign-off of one person.
    pub fn counts(&self) -> bool {
        self.role.is_some()
            && chrono::DateTime::parse_from_rfc3339(self.signoff.at.trim()).is_ok()
            && self.freshness == Freshness::Fresh
            && self.holders.allows(&self.signoff.by)
            && self.also_signed_as.is_none()
            && self.unlanded.is_none()
            && self.proven.counts
    }
}

/// Every recorded sign-off of a packet, judged; and the entries that could not be read.
#[derive(Debug)]
pub struct Review {
    /// One per well-formed entry, in file order.
    pub standings: Vec<Standing>,
    /// Entries that could not be read.
    pub bad: Vec<BadEntry>,
    /// The packet's digest now (empty when nothing is signed).
    pub digest: String,
}

impl Review {
    /// The sign-offs of a packet against its kind and the people directory.
    pub fn of(packet: &Packet, spec: &KindSpec, settings: &Settings) -> Review {
        let (signoffs, bad) = read(packet);
        let digest = if signoffs.is_empty() {
            String::new()
        } else {
            digest(packet)
        };
        let now = packet.status();
        let records: Vec<crate::facts::proof::Record> =
            signoffs.iter().map(Signoff::record).collect();
        let mut proofs = settings.prove(packet, &records).into_iter();
        let mut standings: Vec<Standing> = Vec::with_capacity(signoffs.len());
        for s in signoffs {
            let role = spec.roles.iter().find(|r| r.name == s.role).cloned();
            let holders = role
                .as_ref()
                .map_or(Holders::Unbound, |r| holders(packet, r, settings));
            let signed_at = s.status.as_deref().and_then(Status::parse);
            let freshness = if s.digest != digest {
                Freshness::Edited
            } else {
                match (signed_at, now) {
                    (Some(then), Some(now)) if now < then => Freshness::SentBack {
                        signed_at: then.to_string(),
                        now: now.to_string(),
                    },
                    _ => Freshness::Fresh,
                }
            };
            let also_signed_as = if spec.allow_same_signer {
                None
            } else {
                standings
                    .iter()
                    .find(|o| o.signoff.role != s.role && person::same(&o.signoff.by, &s.by))
                    .map(|o| o.signoff.role.clone())
            };
            let unlanded = match (&settings.base, &role) {
                (Some(base), Some(r)) if holders.allows(&s.by) => {
                    let then = base.holders(packet, r);
                    (!then.allows(&s.by)).then_some(then)
                }
                _ => None,
            };
            standings.push(Standing {
                signoff: s,
                role,
                freshness,
                holders,
                also_signed_as,
                unlanded,
                proven: proofs
                    .next()
                    .unwrap_or_else(crate::facts::proof::Proven::identity),
            });
        }
        Review {
            standings,
            bad,
            digest,
        }
    }

    /// The latest sign-off recorded for a role.
    pub fn of_role(&self, role: &str) -> Option<&Standing> {
        self.standings.iter().rev().find(|s| s.signoff.role == role)
    }

    /// Whether a role has a sign-off that counts.
    pub fn signed(&self, role: &str) -> bool {
        self.standings
            .iter()
            .any(|s| s.signoff.role == role && s.counts())
    }

    /// Whether every role the packet needs has a sign-off that counts.
    pub fn complete(&self, spec: &KindSpec, packet: &Packet) -> bool {
        spec.roles_for(packet.front.as_ref())
            .all(|r| self.signed(&r.name))
    }
}

/// Whether every role the packet needs has a sign-off that counts.
pub fn all_signed(packet: &Packet, spec: &KindSpec, settings: &Settings) -> bool {
    spec.roles_for(packet.front.as_ref()).next().is_none()
        || Review::of(packet, spec, settings).complete(spec, packet)
}

/// The date part of an RFC 3339 time, for messages.
pub fn day_of(at: &str) -> &str {
    at.get(..10).unwrap_or(at)
}

/// `handoff.md`'s new text with `new` recorded: in place of the entry at `replace` (an index
/// into [`read`]'s list), or after the last entry. Only the lines of that entry change; see
/// [`crate::facts::packet::edit::list_entry`].
pub fn record(packet: &Packet, new: &Signoff, replace: Option<usize>) -> Result<String, String> {
    let mut fields: Vec<(&str, String)> = vec![
        ("role", new.role.clone()),
        ("by", new.by.clone()),
        ("at", new.at.clone()),
        ("digest", new.digest.clone()),
    ];
    if let Some(status) = &new.status {
        fields.push(("status", status.clone()));
    }
    if let Some(note) = &new.note {
        fields.push(("note", note.clone()));
    }
    if let Some(kind) = &new.kind {
        fields.push(("kind", kind.clone()));
    }
    if let Some(via) = &new.via {
        fields.push(("via", via.clone()));
    }
    crate::facts::packet::edit::list_entry(packet, "signoffs", &fields, replace)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn covered(text: &str) -> String {
        let p = Packet::from_text(Path::new("p"), Path::new("p"), text.to_string());
        assert!(p.front.is_some(), "front matter reads:\n{text}");
        content(&p)
    }

    /// Two sign-offs, one a line, whose notes hold apostrophes and quotes in plain scalars, one
    /// of them in a flow sequence: a scanner that takes either for the start of a quoted string
    /// cuts too much.
    const SIGNOFFS: &str = "{role: r1, by: 'Ann Lee <ann@x.test>', at: '2026-12-01T10:00:00Z', digest: 'sha256:00', status: ready, note: [Ann's first pass]}\n{role: r0, by: \"Bo <bo@x.test>\", note: Bo's \"ok\" it's, at: '2026-12-01T10:00:00Z', digest: 'sha256:00', status: ready}";

    /// One front matter holding `answers` (`a0`, `a1`, … in order), written in `style`:
    /// 0 block, 1 one-line flow mapping, 2 flow mapping over several lines sharing lines with
    /// `signoffs`, 3 block mapping of flow values. `signoffs` holds one flow mapping a line.
    fn packet(style: u8, answers: &[String], signoffs: &str) -> String {
        let n = answers.len();
        let entries: Vec<&str> = signoffs.lines().collect();
        let signoffs = format!("[{}]", entries.join(", "));
        // Each answer in a scalar style of its own, by its position: plain, single-quoted,
        // double-quoted. A plain one keeps its quotes and apostrophes; what would end it or
        // make it a comment is written as `%XX` (and `%` as `%25`), which keeps edits distinct.
        let plain = |s: &str| {
            let mut out = String::from("x");
            for c in s.chars() {
                match c {
                    ' ' => out.push('_'),
                    '%' | '[' | ']' | '{' | '}' | ',' | '#' | ':' => {
                        out.push_str(&format!("%{:02X}", c as u32))
                    }
                    c => out.push(c),
                }
            }
            out.push('x');
            out
        };
        let scalar = |i: usize, s: &str| match i % 3 {
            0 => plain(s),
            1 => format!("'{}'", s.replace('\'', "''")),
            _ => format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\"")),
        };
        let q = |s: &String| plain(s);
        let pairs: Vec<String> = answers
            .iter()
            .enumerate()
            .map(|(i, a)| format!("a{i}: {}", scalar(i, a)))
            .collect();
        let front = match style {
            0 => {
                let mut out = String::from("id: p\nkind: many\n");
                for (i, p) in pairs.iter().enumerate() {
                    if i == n / 2 {
                        out.push_str("signoffs:\n");
                        for entry in &entries {
                            out.push_str(&format!("  - {entry}\n"));
                        }
                    }
                    out.push_str(p);
                    out.push('\n');
                }
                out
            }
            1 | 2 => {
                let mut items = vec!["id: p".to_string(), "kind: many".to_string()];
                items.extend(pairs.iter().take(n / 2).cloned());
                items.push(format!("signoffs: {signoffs}"));
                items.extend(pairs.iter().skip(n / 2).cloned());
                let sep = if style == 1 { ", " } else { ",\n " };
                // Style 2: every line holds an answer, `signoffs` and the next answer together.
                let body = if style == 1 {
                    items.join(sep)
                } else {
                    items
                        .chunks(2)
                        .map(|c| c.join(", "))
                        .collect::<Vec<_>>()
                        .join(sep)
                };
                format!("{{{body}}}\n")
            }
            _ => {
                let mut out = String::from("id: p\nkind: many\n");
                for (i, a) in answers.iter().enumerate() {
                    if i == n / 2 {
                        out.push_str(&format!("signoffs: {signoffs}\n"));
                    }
                    out.push_str(&format!(
                        "a{i}: {{target: {}, note: {}}}\n",
                        scalar(i, a),
                        q(a)
                    ));
                }
                out
            }
        };
        format!("---\n{front}---\n\n# P\n")
    }

    #[test]
    fn a_flow_front_matter_leaves_out_only_the_signoffs_entry() {
        let answers: Vec<String> = ["3 business days", "refunds under 2%"]
            .map(String::from)
            .to_vec();
        for style in 0..4 {
            let text = packet(style, &answers, SIGNOFFS);
            let cut = covered(&text);
            assert!(!cut.contains("sha256:00"), "style {style}: {cut}");
            assert!(cut.contains("x3_business_daysx") && cut.contains("'refunds under 2%'"));
            assert!(
                !cut.contains("first pass") && !cut.contains("Bo's"),
                "style {style}: {cut}"
            );
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        /// Whatever the style, editing any answer changes what the sign-offs cover, and editing
        /// the sign-offs themselves does not.
        #[test]
        fn every_answer_edit_changes_the_digest(
            answers in proptest::collection::vec("[a-z0-9 %<>='\"]{1,12}", 1..6),
            style in 0u8..4,
            which in 0usize..6,
            at in 0usize..12,
            with in "[A-Z#\\]\\[{}'\"]",
        ) {
            let before = covered(&packet(style, &answers, SIGNOFFS));
            let mut edited = answers.clone();
            let i = which % edited.len();
            let chars: Vec<char> = edited[i].chars().collect();
            let k = at % chars.len();
            let mut s: String = chars[..k].iter().collect();
            s.push_str(&with);
            s.extend(&chars[k + 1..]);
            prop_assume!(s != edited[i]);
            edited[i] = s;
            let after = covered(&packet(style, &edited, SIGNOFFS));
            prop_assert_ne!(&before, &after, "style {} answer {}", style, i);

            let resigned = SIGNOFFS.replace("sha256:00", "sha256:ff").replace("r1", "r2");
            let same = covered(&packet(style, &answers, &resigned));
            prop_assert_eq!(before, same);
        }
    }
}
