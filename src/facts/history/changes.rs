//! What a commit changed in a packet, in the packet's own terms: answers, status, sign-offs,
//! send-backs, acceptance criteria, the body and the packet's other files.

use crate::facts::packet::Packet;
use crate::facts::packet::yaml::{Entry, Node, Value};
use crate::facts::signoff::{self, Signoff};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

/// What a commit changed in a packet, in the packet's own terms.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "event", rename_all = "kebab-case")]
pub enum Change {
    /// The packet was created.
    Created,
    /// The packet was deleted.
    Deleted,
    /// How many answers a new packet came with.
    Answers {
        /// Answered questions.
        count: usize,
        /// Questions still open.
        open: usize,
    },
    /// The status moved.
    Status {
        /// Before.
        from: String,
        /// After.
        to: String,
    },
    /// A question got its first answer.
    Answered {
        /// Dotted path.
        path: String,
    },
    /// An answer changed.
    Changed {
        /// Dotted path.
        path: String,
    },
    /// An answer was removed or reset to a placeholder.
    Unanswered {
        /// Dotted path.
        path: String,
    },
    /// An acceptance criterion was checked.
    Checked {
        /// Its text.
        criterion: String,
    },
    /// An acceptance criterion was unchecked.
    Unchecked {
        /// Its text.
        criterion: String,
    },
    /// A sign-off was added.
    SignedOff {
        /// Role.
        role: String,
        /// Signer.
        by: String,
        /// When.
        at: String,
    },
    /// The receiving team sent the packet back.
    SentBack {
        /// Who.
        by: String,
        /// Why.
        reason: String,
    },
    /// The markdown body was edited.
    Body,
    /// Another file of the packet changed.
    File {
        /// Its path in the packet.
        file: String,
    },
}

/// The changes between two versions of a packet.
pub fn diff(old: Option<&Packet>, new: Option<&Packet>) -> Vec<Change> {
    let mut out = Vec::new();
    let (old, new) = match (old, new) {
        (_, None) => return vec![Change::Deleted],
        (None, Some(n)) => {
            out.push(Change::Created);
            (None, n)
        }
        (Some(o), Some(n)) => (Some(o), n),
    };
    // Answers, status, sign-offs and send-backs all live in the front matter: when its text is
    // the same in both versions (an edit of the body, a box checked), none of them moved.
    let same_front = old.is_some_and(|o| {
        o.front.is_some() == new.front.is_some() && front_text(o) == front_text(new)
    });
    let old_status = old.and_then(|o| o.text("status")).unwrap_or("");
    let new_status = new.text("status").unwrap_or("");
    if old.is_some() && !same_front && old_status != new_status {
        out.push(Change::Status {
            from: old_status.into(),
            to: new_status.into(),
        });
    }
    fn front(p: Option<&Packet>) -> Option<&Node> {
        p.and_then(|p| p.front.as_ref())
    }
    if old.is_none() {
        let (mut count, mut open) = (0, 0);
        leaves(front(Some(new)), true, &mut |value| {
            if is_open(value) {
                open += 1;
            } else {
                count += 1;
            }
        });
        out.push(Change::Answers { count, open });
    } else if !same_front {
        let mut answers = Answers::default();
        answers.walk(front(old), front(Some(new)), &mut String::new(), true);
        answers.now.sort_by(|a, b| a.0.cmp(&b.0));
        answers.gone.sort_by(|a, b| a.0.cmp(&b.0));
        out.extend(answers.now.into_iter().chain(answers.gone).map(|(_, c)| c));
    }
    if let Some(old) = old {
        let before: HashMap<&str, bool> = old
            .body
            .tasks
            .iter()
            .map(|t| (t.text.as_str(), t.checked))
            .collect();
        for t in &new.body.tasks {
            match before.get(t.text.as_str()) {
                Some(false) if t.checked => out.push(Change::Checked {
                    criterion: t.text.clone(),
                }),
                Some(true) if !t.checked => out.push(Change::Unchecked {
                    criterion: t.text.clone(),
                }),
                None if t.checked => out.push(Change::Checked {
                    criterion: t.text.clone(),
                }),
                _ => {}
            }
        }
        fn body(p: &Packet) -> Option<&str> {
            p.file.as_ref().map(|f| &f.text[p.front_range.1..])
        }
        let task_change = out
            .iter()
            .any(|c| matches!(c, Change::Checked { .. } | Change::Unchecked { .. }));
        if body(old) != body(new) && !task_change {
            out.push(Change::Body);
        }
    }
    if same_front {
        return out;
    }
    let before: Vec<Signoff> = old.map(|o| signoff::read(o).0).unwrap_or_default();
    for s in signoff::read(new).0 {
        if !before.iter().any(|b| b.key() == s.key()) {
            out.push(Change::SignedOff {
                role: s.role,
                by: s.by,
                at: s.at,
            });
        }
    }
    let earlier = old.map_or(0, |o| crate::facts::sendback::read(o).len());
    for s in crate::facts::sendback::read(new).into_iter().skip(earlier) {
        out.push(Change::SentBack {
            by: s.by,
            reason: s.reason,
        });
    }
    out
}

/// The text of a packet's front matter (empty without one).
fn front_text(p: &Packet) -> Option<&str> {
    let (from, to) = p.front_range;
    p.file.as_ref().and_then(|f| f.text.get(from..to))
}

fn is_open(v: &str) -> bool {
    crate::facts::packet::is_placeholder(v)
}

const SKIP: [&str; 3] = ["status", "signoffs", "sent_back"];

fn flatten(node: &Node, path: &mut String, out: &mut BTreeMap<String, String>) {
    if let Some(value) = leaf(node) {
        out.insert(path.clone(), value.to_string());
        return;
    }
    for (segment, child) in children(node) {
        if path.is_empty() && matches!(segment, Segment::Key(k) if SKIP.contains(&k)) {
            continue;
        }
        let len = path.len();
        segment.push(path);
        flatten(child, path, out);
        path.truncate(len);
    }
}

/// The text of a leaf answer (an empty answer is empty text); `None` for a list or mapping.
fn leaf(node: &Node) -> Option<&str> {
    match &node.value {
        Value::Str(s) => Some(s),
        Value::Null => Some(""),
        Value::Seq(_) | Value::Map(_) => None,
    }
}

/// Whether two trees hold the same values (positions aside).
fn same(a: &Node, b: &Node) -> bool {
    match (&a.value, &b.value) {
        (Value::Null, Value::Null) => true,
        (Value::Str(x), Value::Str(y)) => x == y,
        (Value::Seq(x), Value::Seq(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(p, q))
        }
        (Value::Map(x), Value::Map(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|(p, q)| p.key == q.key && same(&p.value, &q.value))
        }
        _ => false,
    }
}

/// The children of a list or mapping, each with the path segment that leads to it.
fn children(node: &Node) -> Vec<(Segment<'_>, &Node)> {
    match &node.value {
        Value::Map(entries) => entries
            .iter()
            .map(|e| (Segment::Key(&e.key), &e.value))
            .collect(),
        Value::Seq(items) => items
            .iter()
            .enumerate()
            .map(|(i, n)| (Segment::Item(i + 1), n))
            .collect(),
        _ => Vec::new(),
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Segment<'a> {
    Key(&'a str),
    Item(usize),
}

impl Segment<'_> {
    fn push(self, path: &mut String) {
        match self {
            Segment::Key(k) => {
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(k);
            }
            Segment::Item(i) => {
                let _ = write!(path, "[{i}]");
            }
        }
    }
}

/// A version's answers in a few bytes, for telling whether [`diff`] would find an answer
/// changed between two versions without holding both: a 128-bit hash of the answers given (path
/// and value), and a 64-bit hash of each open answer's path and value (an open answer counts
/// only where the other version has the same question). Two versions differ here exactly when
/// `diff` reports an answer given, changed or removed between them, but for a hash collision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerPrint {
    given: u128,
    /// `(path, value)` hashes, sorted by path.
    open: Vec<(u64, u64)>,
}

/// The hash of answer prints: prints are only compared within one run, so a fast one will do
/// (foldhash's, made for quality), seeded the same every run.
pub const PRINT: foldhash::quality::FixedState =
    foldhash::quality::FixedState::with_seed(0x6861_6e64_6f66_6621);

/// The hasher [`PRINT`] builds.
type PrintHasher = foldhash::quality::FoldHasher<'static>;

impl AnswerPrint {
    /// The print of a packet's answers (status, sign-offs and send-backs left out).
    pub fn of(packet: &Packet) -> AnswerPrint {
        AnswerPrint::asked_by_ready(packet, None)
    }

    /// The print of the answers a packet owes by the ready gate: with the kind's questions
    /// (`fields`), those asked only from a later gate or on a day after day 0 are left out, with
    /// everything below them.
    pub fn asked_by_ready(
        packet: &Packet,
        fields: Option<&[crate::facts::kind::FieldSpec]>,
    ) -> AnswerPrint {
        use std::hash::{BuildHasher, Hash, Hasher};
        let mut given: Vec<(u64, u64)> = Vec::new();
        let mut open: Vec<(u64, u64)> = Vec::new();
        fn walk(
            node: &Node,
            path: PrintHasher,
            top: bool,
            fields: Option<&[crate::facts::kind::FieldSpec]>,
            given: &mut Vec<(u64, u64)>,
            open: &mut Vec<(u64, u64)>,
        ) {
            if let Some(value) = leaf(node) {
                let entry = (path.finish(), PRINT.hash_one(value));
                if is_open(value) {
                    open.push(entry);
                } else {
                    given.push(entry);
                }
                return;
            }
            for (segment, child) in children(node) {
                if top && matches!(segment, Segment::Key(k) if SKIP.contains(&k)) {
                    continue;
                }
                let mut h = path.clone();
                let mut below = fields;
                match segment {
                    Segment::Key(k) => {
                        let field = fields.and_then(|fs| fs.iter().find(|f| f.key == k));
                        if field.is_some_and(|f| {
                            f.gate > crate::facts::gate::Gate::Ready || f.due.is_some()
                        }) {
                            continue;
                        }
                        below = field.map(|f| f.fields.as_slice());
                        0u8.hash(&mut h);
                        k.hash(&mut h);
                    }
                    Segment::Item(i) => {
                        1u8.hash(&mut h);
                        i.hash(&mut h);
                    }
                }
                walk(child, h, false, below, given, open);
            }
        }
        if let Some(front) = packet.front.as_ref() {
            walk(
                front,
                PRINT.build_hasher(),
                true,
                fields,
                &mut given,
                &mut open,
            );
        }
        given.sort_unstable();
        open.sort_unstable();
        let mut low = PRINT.build_hasher();
        let mut high = PRINT.build_hasher();
        0xa5u8.hash(&mut high);
        for pair in &given {
            pair.hash(&mut low);
            pair.hash(&mut high);
        }
        AnswerPrint {
            given: (u128::from(high.finish()) << 64) | u128::from(low.finish()),
            open,
        }
    }

    /// Whether `diff` between the two versions reports an answer given, changed or removed.
    pub fn differs(&self, other: &AnswerPrint) -> bool {
        if self.given != other.given {
            return true;
        }
        // An open answer changed to another open answer (one placeholder for another).
        let (mut a, mut b) = (self.open.iter().peekable(), other.open.iter().peekable());
        while let (Some(x), Some(y)) = (a.peek(), b.peek()) {
            match x.0.cmp(&y.0) {
                std::cmp::Ordering::Less => {
                    a.next();
                }
                std::cmp::Ordering::Greater => {
                    b.next();
                }
                std::cmp::Ordering::Equal => {
                    if x.1 != y.1 {
                        return true;
                    }
                    a.next();
                    b.next();
                }
            }
        }
        false
    }
}

/// Every leaf answer under `node` (status, sign-offs and send-backs left out at the top).
fn leaves<'n>(node: Option<&'n Node>, top: bool, each: &mut impl FnMut(&'n str)) {
    let Some(node) = node else { return };
    if let Some(value) = leaf(node) {
        each(value);
        return;
    }
    for (segment, child) in children(node) {
        if top && matches!(segment, Segment::Key(k) if SKIP.contains(&k)) {
            continue;
        }
        leaves(Some(child), false, each);
    }
}

/// The answer changes between two front matters, found by walking both trees side by side: paths
/// are only written out for the answers that changed.
#[derive(Default)]
struct Answers {
    /// Answers given, changed or reset, by path.
    now: Vec<(String, Change)>,
    /// Answers removed, by path.
    gone: Vec<(String, Change)>,
}

impl Answers {
    fn walk<'n>(
        &mut self,
        old: Option<&'n Node>,
        new: Option<&'n Node>,
        path: &mut String,
        top: bool,
    ) {
        // Most of a packet is the same from one version to the next: an unchanged subtree has
        // nothing to report, and is passed over without building its paths.
        if let (Some(o), Some(n)) = (old, new)
            && same(o, n)
        {
            return;
        }
        let (a, b) = (old.and_then(leaf), new.and_then(leaf));
        if let Some(value) = b {
            let change = match a {
                None if !is_open(value) => Some(Change::Answered { path: path.clone() }),
                Some(before) if before != value => Some(if is_open(before) && !is_open(value) {
                    Change::Answered { path: path.clone() }
                } else if is_open(value) {
                    Change::Unanswered { path: path.clone() }
                } else {
                    Change::Changed { path: path.clone() }
                }),
                _ => None,
            };
            if let Some(change) = change {
                self.now.push((path.clone(), change));
            }
        }
        if let Some(before) = a
            && b.is_none()
            && !is_open(before)
        {
            self.gone
                .push((path.clone(), Change::Unanswered { path: path.clone() }));
        }
        // Children by key (mappings) or by position (lists), with no list of them built: this
        // runs for every commit of every packet.
        let entries = |n: Option<&'n Node>, leafy: bool| match n.map(|n| &n.value) {
            Some(Value::Map(e)) if !leafy => e.as_slice(),
            _ => &[],
        };
        let items = |n: Option<&'n Node>, leafy: bool| match n.map(|n| &n.value) {
            Some(Value::Seq(i)) if !leafy => i.as_slice(),
            _ => &[],
        };
        let (old_entries, new_entries) = (entries(old, a.is_some()), entries(new, b.is_some()));
        let (old_items, new_items) = (items(old, a.is_some()), items(new, b.is_some()));
        let skip = |key: &str| top && SKIP.contains(&key);
        let find = |list: &'n [Entry], i: usize, key: &str| -> Option<&'n Node> {
            // Keys usually keep their order between versions: look at the same place first.
            match list.get(i) {
                Some(e) if e.key == key => Some(&e.value),
                _ => list.iter().find(|e| e.key == key).map(|e| &e.value),
            }
        };
        for (i, e) in new_entries.iter().enumerate() {
            if skip(&e.key) {
                continue;
            }
            let len = path.len();
            Segment::Key(&e.key).push(path);
            self.walk(find(old_entries, i, &e.key), Some(&e.value), path, false);
            path.truncate(len);
        }
        for (i, e) in old_entries.iter().enumerate() {
            if skip(&e.key) || find(new_entries, i, &e.key).is_some() {
                continue;
            }
            let len = path.len();
            Segment::Key(&e.key).push(path);
            self.walk(Some(&e.value), None, path, false);
            path.truncate(len);
        }
        for (i, item) in new_items.iter().enumerate() {
            let len = path.len();
            Segment::Item(i + 1).push(path);
            self.walk(old_items.get(i), Some(item), path, false);
            path.truncate(len);
        }
        for (i, item) in old_items.iter().enumerate().skip(new_items.len()) {
            let len = path.len();
            Segment::Item(i + 1).push(path);
            self.walk(Some(item), None, path, false);
            path.truncate(len);
        }
    }
}

/// Every answer of a packet by its dotted path (lists as `key[1]`), as text; the sign-offs,
/// send-backs and status left out.
pub fn answers(packet: &Packet) -> BTreeMap<String, String> {
    let mut map = BTreeMap::new();
    if let Some(front) = packet.front.as_ref() {
        flatten(front, &mut String::new(), &mut map);
    }
    map
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    /// The answer changes as a diff of the two packets' flattened answers, path by path.
    fn by_flattening(old: &Packet, new: &Packet) -> Vec<Change> {
        let (a, b) = (answers(old), answers(new));
        let mut out = Vec::new();
        for (path, value) in &b {
            let path = path.clone();
            match a.get(&path) {
                None if !is_open(value) => out.push(Change::Answered { path }),
                Some(before) if before != value => {
                    out.push(if is_open(before) && !is_open(value) {
                        Change::Answered { path }
                    } else if is_open(value) {
                        Change::Unanswered { path }
                    } else {
                        Change::Changed { path }
                    })
                }
                _ => {}
            }
        }
        for (path, value) in &a {
            if !b.contains_key(path) && !is_open(value) {
                out.push(Change::Unanswered { path: path.clone() });
            }
        }
        out
    }

    #[test]
    fn walking_both_trees_finds_what_comparing_every_answer_finds() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/handoffs");
        let mut packets: Vec<Packet> = std::fs::read_dir(&root)
            .unwrap()
            .flatten()
            .filter_map(|e| {
                let text = std::fs::read_to_string(e.path().join("handoff.md")).ok()?;
                Some(Packet::from_text(&e.path(), &e.path(), text))
            })
            .collect();
        // Versions that differ a little, as commits do: an answer changed, one reset, one removed.
        let first = std::fs::read_to_string(root.join("winback-email/handoff.md")).unwrap();
        for edit in [
            first.replacen("status: signed-off", "status: ready", 1),
            first.replacen("  kpi: ", "  kpi: TODO: ", 1),
            first.replacen("  backup: ", "  backup_old: ", 1),
        ] {
            packets.push(Packet::from_text(&root, &root, edit));
        }
        assert!(packets.len() >= 10);
        let mut compared = 0;
        for old in &packets {
            for new in &packets {
                let walked: Vec<Change> = diff(Some(old), Some(new))
                    .into_iter()
                    .filter(|c| {
                        matches!(
                            c,
                            Change::Answered { .. }
                                | Change::Changed { .. }
                                | Change::Unanswered { .. }
                        )
                    })
                    .collect();
                assert_eq!(walked, by_flattening(old, new));
                compared += usize::from(!walked.is_empty());
            }
        }
        assert!(compared > 50, "only {compared} pairs had answer changes");
    }
}
