//! The files git tracks under a few packet folders, read from the work tree's index without
//! starting git.
//!
//! Starting `git ls-files` costs a process (about 1.3 ms, more than checking a packet) and, in a
//! repository of thousands of packets, a read of the whole index by git anyway. When a packet
//! folder on disk holds only files the index tracks (the usual state of a committed or staged
//! packet), its files as `git ls-files --cached --others --exclude-standard` lists them are exactly
//! the index's entries under it, which this module reads. Anything it cannot be certain of gives
//! `None`, and the caller asks git: an untracked file (only git knows whether an ignore rule
//! covers it), a nested repository, a split or sparse index, an index format it does not know,
//! an index whose layout does not add up to its size, or git settings in the environment.

use std::collections::HashSet;
use std::path::{Component, Path};

/// Largest index read (a repository of 100,000 packets has an index of about 16 MiB).
const MAX_INDEX_BYTES: u64 = 256 * 1024 * 1024;

/// The files of the packet folder `dir`, relative to it with `/` separators, as git would list
/// them; `None` when only git can say.
pub(crate) fn files_of(dir: &Path) -> Option<Vec<String>> {
    let (top, prefix) = index_for(dir)?;
    let mut tracked = Vec::new();
    read_tracked(&top, prefix.as_bytes(), |rel| {
        tracked.push(String::from_utf8_lossy(rel).into_owned());
    })?;
    // Every file on disk must be one the index tracks; anything else, git decides.
    only_known(dir, &tracked)?.then_some(tracked)
}

/// The index's paths under a packets root, relative to it, held compactly (a repository of
/// 100,000 packets lists 200,000 of them): each folder's files are found by a binary search.
pub(crate) struct Tracked {
    bytes: Vec<u8>,
    ends: Vec<usize>,
}

impl Tracked {
    fn entry(&self, i: usize) -> &[u8] {
        let from = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.bytes[from..self.ends[i]]
    }

    /// The files of the folder `name`, relative to it. They are its files as git would list
    /// them only when [`only_known`] holds for it.
    pub(crate) fn files_in(&self, name: &str) -> Vec<String> {
        let mut key = name.as_bytes().to_vec();
        key.push(b'/');
        // Entries come sorted by path, so a folder's files come together.
        let mut lo = 0;
        let mut hi = self.ends.len();
        while lo < hi {
            let mid = (lo + hi) / 2;
            if self.entry(mid) < key.as_slice() {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        (lo..self.ends.len())
            .map(|i| self.entry(i))
            .take_while(|e| e.starts_with(&key))
            .map(|e| String::from_utf8_lossy(&e[key.len()..]).into_owned())
            .collect()
    }
}

/// The index's files of every folder in `root` (a packets root); `None` when only git can say.
pub(crate) fn tracked_by_folder(root: &Path) -> Option<Tracked> {
    let (top, prefix) = index_for(root)?;
    let mut tracked = Tracked {
        bytes: Vec::new(),
        ends: Vec::new(),
    };
    read_tracked(&top, prefix.as_bytes(), |rel| {
        // A file of the packets root itself is no packet's.
        if memchr::memchr(b'/', rel).is_some() {
            tracked.bytes.extend_from_slice(rel);
            tracked.ends.push(tracked.bytes.len());
        }
    })?;
    tracked.bytes.shrink_to_fit();
    tracked.ends.shrink_to_fit();
    Some(tracked)
}

/// The work tree holding `dir` and `dir`'s path in it with a trailing `/`; `None` when git
/// settings or the repository's layout make git the one to ask.
fn index_for(dir: &Path) -> Option<(std::path::PathBuf, String)> {
    let top = plain_work_tree(dir)?;
    let rel = dir.strip_prefix(&top).ok()?;
    let mut prefix = String::new();
    for part in rel.components() {
        let Component::Normal(part) = part else {
            return None;
        };
        prefix.push_str(part.to_str()?);
        prefix.push('/');
    }
    if prefix.is_empty() {
        return None;
    }
    Some((top, prefix))
}

/// [`each_tracked`] over the index file of the work tree `top`, read a window at a time.
fn read_tracked(top: &Path, prefix: &[u8], found: impl FnMut(&[u8])) -> Option<()> {
    use std::io::Read;
    let file = std::fs::File::open(top.join(".git").join("index")).ok()?;
    let len = file.metadata().ok()?.len();
    if len > MAX_INDEX_BYTES {
        return None;
    }
    each_tracked(file.take(len), usize::try_from(len).ok()?, prefix, found)
}

/// Whether git settings in the environment may point git at another repository, work tree,
/// index or shallow file (a pre-commit hook sets GIT_INDEX_FILE): then only git can say.
pub(crate) fn steered_by_env() -> bool {
    const STEERING: [&str; 8] = [
        "GIT_DIR",
        "GIT_WORK_TREE",
        "GIT_INDEX_FILE",
        "GIT_COMMON_DIR",
        "GIT_CEILING_DIRECTORIES",
        "GIT_DISCOVERY_ACROSS_FILESYSTEM",
        "GIT_CONFIG",
        "GIT_SHALLOW_FILE",
    ];
    std::env::vars_os().any(|(k, _)| {
        let k = k.to_string_lossy();
        STEERING.iter().any(|s| k.starts_with(s))
    })
}

/// The work tree holding `dir` when it is a plain one (a `.git` folder, no work tree configured
/// elsewhere, no git settings in the environment); `None` when only git can say.
pub(crate) fn plain_work_tree(dir: &Path) -> Option<std::path::PathBuf> {
    if steered_by_env() {
        return None;
    }
    let top = super::tree::work_tree_of(dir)?;
    // A `.git` file (a linked work tree, a submodule) leads elsewhere: git reads that.
    if !std::fs::symlink_metadata(top.join(".git")).is_ok_and(|m| m.is_dir()) {
        return None;
    }
    // A work tree set elsewhere in the repository's configuration: git knows where.
    let config = std::fs::read(top.join(".git").join("config")).unwrap_or_default();
    if memchr::memmem::find(&config.to_ascii_lowercase(), b"worktree").is_some() {
        return None;
    }
    Some(top)
}

fn be32(bytes: &[u8], at: usize) -> Option<u32> {
    let b = bytes.get(at..at.checked_add(4)?)?;
    Some(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
}

/// The paths under `prefix` (stripped of it) in an index file's bytes, deduplicated.
#[cfg(test)]
fn tracked_under(index: &[u8], prefix: &[u8]) -> Option<Vec<String>> {
    let mut found = Vec::new();
    each_tracked(index, index.len(), prefix, |rel| {
        found.push(String::from_utf8_lossy(rel).into_owned());
    })?;
    Some(found)
}

/// An index file read a window at a time: only the bytes from the entry being read on are
/// held, and those let go are added to the checksum.
struct Window<R> {
    reader: R,
    buf: Vec<u8>,
    /// The file offset of `buf[0]`.
    base: usize,
    /// Bytes of the file that come before its checksum.
    end: usize,
    hasher: sha1::Sha1,
}

impl<R: std::io::Read> Window<R> {
    /// The file's bytes `at..at + n`, reading on as needed; `None` past `limit` or the file.
    fn get(&mut self, at: usize, n: usize, limit: usize) -> Option<&[u8]> {
        let to = at.checked_add(n)?;
        if at < self.base || to > limit {
            return None;
        }
        while self.base + self.buf.len() < to {
            let had = self.buf.len();
            self.buf.resize(had + 64 * 1024, 0);
            let got = self.reader.read(&mut self.buf[had..]).ok()?;
            self.buf.truncate(had + got);
            if got == 0 {
                return None;
            }
        }
        Some(&self.buf[at - self.base..to - self.base])
    }

    /// The bytes from `at` up to the next NUL (not included), within the entries.
    fn until_nul(&mut self, at: usize) -> Option<&[u8]> {
        let mut n = 0;
        loop {
            let have = self.base + self.buf.len();
            if let Some(len) = at
                .checked_sub(self.base)
                .and_then(|from| memchr::memchr(0, self.buf.get(from + n..)?))
            {
                return self.get(at, n + len, self.end);
            }
            n = have.checked_sub(at)?;
            // Read on by one more byte's worth (a whole read, in fact).
            self.get(at, n + 1, self.end)?;
        }
    }

    /// Let go of the bytes before `upto` (adding them to the checksum), once enough gathered.
    fn release(&mut self, upto: usize, force: bool) {
        use sha1::Digest;
        let n = upto.saturating_sub(self.base).min(self.buf.len());
        if n >= 256 * 1024 || (force && n > 0) {
            self.hasher.update(&self.buf[..n]);
            self.buf.drain(..n);
            self.base += n;
        }
    }
}

/// Call `found` with each path under `prefix` (stripped of it, once per path, in order) in an
/// index file of `len` bytes; `None` when the bytes are not an index this reader fully
/// understands (then whatever `found` was given must be thrown away).
fn each_tracked(
    reader: impl std::io::Read,
    len: usize,
    prefix: &[u8],
    mut found: impl FnMut(&[u8]),
) -> Option<()> {
    /// Bytes of a SHA-1 object id; an index of a SHA-256 repository does not add up with it and
    /// is left to git.
    const ID: usize = 20;
    /// ctime, mtime, dev, ino, mode, uid, gid, size: ten 32-bit fields.
    const STAT: usize = 40;
    let end = len.checked_sub(ID)?;
    let mut w = Window {
        reader,
        buf: Vec::new(),
        base: 0,
        end,
        hasher: sha1::Sha1::default(),
    };
    let header = w.get(0, 12, end)?;
    if &header[..4] != b"DIRC" {
        return None;
    }
    let version = be32(header, 4)?;
    if !(2..=4).contains(&version) {
        return None;
    }
    let count = be32(header, 8)? as usize;
    let mut at: usize = 12;
    let mut path: Vec<u8> = Vec::new();
    let mut previous: Vec<u8> = Vec::new();
    for _ in 0..count {
        let start = at;
        w.release(start, false);
        let fixed = w.get(start, STAT + ID + 2, end)?;
        let mode = be32(fixed, 24)?;
        let flags = u16::from_be_bytes([fixed[STAT + ID], fixed[STAT + ID + 1]]);
        at = start + STAT + ID + 2;
        if flags & 0x4000 != 0 {
            // Extended flags exist from version 3 on.
            if version < 3 {
                return None;
            }
            w.get(at, 2, end)?;
            at += 2;
        }
        // A sparse index's folder entries: left to git.
        if mode & 0o170000 == 0o040000 {
            return None;
        }
        if version == 4 {
            let (strip, used) = varint(&mut w, at)?;
            at += used;
            let keep = previous.len().checked_sub(usize::try_from(strip).ok()?)?;
            let name = w.until_nul(at)?;
            let len = name.len();
            path.clear();
            path.extend_from_slice(&previous[..keep]);
            path.extend_from_slice(name);
            at += len + 1;
        } else {
            let name = w.until_nul(at)?;
            let len = name.len();
            path.clear();
            path.extend_from_slice(name);
            // Padded with 1 to 8 NULs to a multiple of 8 bytes from the entry's start.
            let entry = (at + len - start + 8) & !7;
            if w.get(at + len, start + entry - (at + len), end)?
                .iter()
                .any(|b| *b != 0)
            {
                return None;
            }
            at = start + entry;
        }
        let name_len = usize::from(flags & 0x0fff);
        if (name_len < 0x0fff && name_len != path.len()) || path.is_empty() {
            return None;
        }
        // Entries are sorted by path (stages of one path side by side): a layout read wrong
        // shows here at once.
        if path < previous {
            return None;
        }
        if let Some(rel) = path.strip_prefix(prefix)
            && path != previous
        {
            found(rel);
        }
        std::mem::swap(&mut path, &mut previous);
    }
    // Extensions, each a signature and a size, up to the trailing checksum.
    while at < end {
        w.release(at, false);
        let head = w.get(at, 8, end)?;
        let size = be32(head, 4)? as usize;
        // A split index keeps its entries in another file; an unknown required extension
        // (lower-case first letter) changes what the entries mean.
        if &head[..4] == b"link" || &head[..4] == b"sdir" || !head[0].is_ascii_uppercase() {
            return None;
        }
        let next = at.checked_add(8)?.checked_add(size)?;
        if next > end {
            return None;
        }
        // Read through it, a window at a time, for the checksum.
        let mut through = at + 8;
        while through < next {
            let step = (next - through).min(64 * 1024);
            w.get(through, step, end)?;
            through += step;
            w.release(through, false);
        }
        at = next;
    }
    if at != end {
        return None;
    }
    // The trailing checksum: the SHA-1 of everything before it, or zeros (`index.skipHash`).
    w.release(end, true);
    let sum = w.get(end, ID, len)?.to_vec();
    if sum.iter().any(|b| *b != 0) {
        use sha1::Digest;
        if w.hasher.finalize().as_slice() != sum.as_slice() {
            return None;
        }
    }
    Some(())
}

/// Git's variable-length offset encoding (index version 4), at `at`: the value and the bytes
/// it took.
fn varint<R: std::io::Read>(w: &mut Window<R>, at: usize) -> Option<(u64, usize)> {
    let mut used = 0;
    let mut byte = w.get(at, 1, w.end)?[0];
    used += 1;
    let mut value = u64::from(byte & 0x7f);
    while byte & 0x80 != 0 {
        byte = w.get(at + used, 1, w.end)?[0];
        used += 1;
        value = value.checked_add(1)?.checked_mul(128)? | u64::from(byte & 0x7f);
    }
    Some((value, used))
}

/// Whether every file below `dir` on disk (links counted as files, never followed) is in
/// `known`; `None` when the folder cannot be read whole or holds a repository of its own.
pub(crate) fn only_known(dir: &Path, known: &[String]) -> Option<bool> {
    // A packet has a handful of files: a set pays only for many.
    let set: Option<HashSet<&str>> =
        (known.len() > 16).then(|| known.iter().map(String::as_str).collect());
    let is_known = |rel: &str| match &set {
        Some(set) => set.contains(rel),
        None => known.iter().any(|k| k == rel),
    };
    let mut stack = vec![(dir.to_path_buf(), String::new(), 0usize)];
    let mut seen = 0usize;
    while let Some((path, rel, depth)) = stack.pop() {
        for entry in std::fs::read_dir(&path).ok()? {
            let entry = entry.ok()?;
            seen += 1;
            if seen > super::tree::MAX_WALK_FILES || depth > super::tree::MAX_WALK_DEPTH {
                return None;
            }
            let name = entry.file_name();
            let name = name.to_str()?;
            if name == ".git" {
                return None;
            }
            let rel = if rel.is_empty() {
                name.to_string()
            } else {
                format!("{rel}/{name}")
            };
            if entry.file_type().ok()?.is_dir() {
                stack.push((entry.path(), rel, depth + 1));
            } else if !is_known(&rel) {
                return Some(false);
            }
        }
    }
    Some(true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::Command;

    fn git(dir: &Path, args: &[&str]) {
        let out = Command::new("git")
            .current_dir(dir)
            .args(["-c", "user.name=T", "-c", "user.email=t@example.com"])
            .args(args)
            .env_remove("GIT_DIR")
            .output()
            .unwrap();
        assert!(out.status.success(), "git {args:?}: {out:?}");
    }

    fn git_lists(root: &Path, name: &str) -> Vec<String> {
        let out = Command::new("git")
            .current_dir(root)
            .args(["-c", "core.quotePath=false", "ls-files", "-z", "--cached"])
            .args(["--others", "--exclude-standard", "--"])
            .arg(format!(":(literal){name}"))
            .output()
            .unwrap();
        let mut files: Vec<String> = out
            .stdout
            .split(|b| *b == 0)
            .filter(|p| !p.is_empty())
            .map(|p| {
                let p = String::from_utf8_lossy(p);
                p.split_once('/').unwrap().1.to_string()
            })
            .collect();
        files.sort();
        files.dedup();
        files
    }

    fn ours(dir: &Path) -> Option<Vec<String>> {
        let mut files = files_of(dir)?;
        files.sort();
        Some(files)
    }

    /// A repository with two packets; `p` holds nested, hidden, long and non-ASCII names.
    fn repo() -> (tempfile::TempDir, std::path::PathBuf) {
        let tmp = tempfile::tempdir().unwrap();
        let top = tmp.path().to_path_buf();
        git(&top, &["init", "-q"]);
        let p = top.join("handoffs/p");
        std::fs::create_dir_all(p.join("a/b")).unwrap();
        std::fs::create_dir_all(top.join("handoffs/q")).unwrap();
        let long = format!("a/{}", "n".repeat(250));
        for f in [
            "handoff.md",
            ".hidden.md",
            "a/b/deep.md",
            "é ü.md",
            long.as_str(),
        ] {
            std::fs::write(p.join(f), "x").unwrap();
        }
        std::fs::write(top.join("handoffs/q/handoff.md"), "x").unwrap();
        std::fs::write(top.join("handoffs/pq.md"), "x").unwrap();
        git(&top, &["add", "-A"]);
        git(&top, &["commit", "-qm", "packets"]);
        (tmp, p)
    }

    #[test]
    fn committed_packets_read_as_git_lists_them_in_every_index_version() {
        let (tmp, p) = repo();
        let root = tmp.path().join("handoffs");
        for version in ["2", "3", "4", "2"] {
            git(tmp.path(), &["update-index", "--index-version", version]);
            assert_eq!(
                ours(&p).unwrap(),
                git_lists(&root, "p"),
                "version {version}"
            );
            assert_eq!(
                ours(&root.join("q")).unwrap(),
                git_lists(&root, "q"),
                "version {version}"
            );
        }
        // Staged, intent-to-add (extended flags) and deleted-on-disk files are all git's files.
        std::fs::write(p.join("staged.md"), "x").unwrap();
        git(tmp.path(), &["add", "handoffs/p/staged.md"]);
        std::fs::write(p.join("later.md"), "x").unwrap();
        git(tmp.path(), &["add", "-N", "handoffs/p/later.md"]);
        std::fs::remove_file(p.join("a/b/deep.md")).unwrap();
        for version in ["3", "4"] {
            git(tmp.path(), &["update-index", "--index-version", version]);
            assert_eq!(
                ours(&p).unwrap(),
                git_lists(&root, "p"),
                "version {version}"
            );
        }
    }

    #[test]
    fn a_whole_packets_root_reads_as_git_lists_each_folder_that_holds_only_tracked_files() {
        let (tmp, p) = repo();
        let root = tmp.path().join("handoffs");
        std::fs::create_dir_all(root.join("r")).unwrap();
        std::fs::write(root.join("r/handoff.md"), "untracked").unwrap();
        std::fs::write(p.join("new.md"), "untracked").unwrap();
        std::fs::remove_file(root.join("q/handoff.md")).unwrap();
        let folders = tracked_by_folder(&root).unwrap();
        // pq.md is a file of the root, r is untracked, and `p` is no prefix of `pq`.
        assert_eq!(folders.files_in("p").len(), 5);
        assert_eq!(folders.files_in("q"), ["handoff.md"]);
        assert!(folders.files_in("r").is_empty());
        assert!(folders.files_in("pq.md").is_empty());
        assert!(folders.files_in("").is_empty());
        for name in ["p", "q", "r"] {
            let files = folders.files_in(name);
            let mut sorted = files.clone();
            sorted.sort();
            match only_known(&root.join(name), &files).unwrap() {
                true => assert_eq!(sorted, git_lists(&root, name), "{name}"),
                false => assert_ne!(name, "q", "q holds no file the index does not know"),
            }
        }
        assert_eq!(only_known(&p, &folders.files_in("p")), Some(false));
        assert_eq!(only_known(&root.join("r"), &[]), Some(false));
    }

    /// Hands out a few bytes per read, as a pipe or a slow disk may.
    struct Trickle<'a>(&'a [u8], usize);

    impl std::io::Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            self.1 = self.1 % 7 + 1;
            let n = self.1.min(buf.len()).min(self.0.len());
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    /// An index larger than the window (so that bytes are let go and summed as it is read),
    /// in versions 2 and 4, read in trickles or whole, lists what git lists.
    #[test]
    fn an_index_larger_than_the_window_reads_whole_in_every_version() {
        let tmp = tempfile::tempdir().unwrap();
        let top = tmp.path();
        git(top, &["init", "-q"]);
        let root = top.join("handoffs");
        for i in 0..2500 {
            let dir = root.join(format!("packet-with-a-longish-name-{i:05}"));
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(dir.join("handoff.md"), "x").unwrap();
            std::fs::write(dir.join("runbook.md"), "x").unwrap();
        }
        git(top, &["add", "-A"]);
        for version in ["2", "4"] {
            git(top, &["update-index", "--index-version", version]);
            let index = std::fs::read(top.join(".git/index")).unwrap();
            assert!(
                version == "4" || index.len() > 300 * 1024,
                "{}",
                index.len()
            );
            let whole = tracked_under(&index, b"handoffs/").unwrap();
            assert_eq!(whole.len(), 5000);
            let mut trickled = Vec::new();
            each_tracked(Trickle(&index, 0), index.len(), b"handoffs/", |rel| {
                trickled.push(String::from_utf8_lossy(rel).into_owned());
            })
            .unwrap();
            assert_eq!(trickled, whole);
            let folders = tracked_by_folder(&root).unwrap();
            for name in [
                "packet-with-a-longish-name-00000",
                "packet-with-a-longish-name-02499",
            ] {
                assert_eq!(folders.files_in(name), git_lists(&root, name), "{version}");
            }
            // A byte changed near the end, past the first windows, fails the checksum.
            let mut bent = index.clone();
            let at = bent.len() - 100;
            bent[at] ^= 1;
            assert_eq!(tracked_under(&bent, b"handoffs/"), None);
        }
    }

    #[test]
    fn whatever_only_git_can_decide_is_left_to_git() {
        let (tmp, p) = repo();
        // An untracked file: ignored or not is git's call.
        std::fs::write(p.join("new.md"), "x").unwrap();
        assert_eq!(ours(&p), None);
        std::fs::write(tmp.path().join(".gitignore"), "new.md\n").unwrap();
        assert_eq!(ours(&p), None);
        std::fs::remove_file(p.join("new.md")).unwrap();
        assert!(ours(&p).is_some());
        // A split index keeps entries elsewhere.
        git(tmp.path(), &["update-index", "--split-index"]);
        assert_eq!(ours(&p), None);
        git(tmp.path(), &["update-index", "--no-split-index"]);
        assert!(ours(&p).is_some());
        // A nested repository.
        std::fs::create_dir_all(p.join("sub/.git")).unwrap();
        assert_eq!(ours(&p), None);
    }

    #[test]
    fn a_damaged_index_is_never_half_read() {
        let (tmp, p) = repo();
        let index = std::fs::read(tmp.path().join(".git/index")).unwrap();
        let prefix = b"handoffs/p/";
        assert!(tracked_under(&index, prefix).is_some());
        for cut in 0..index.len() {
            assert_eq!(tracked_under(&index[..cut], prefix), None, "cut at {cut}");
        }
        for at in 0..index.len() - 20 {
            let mut bent = index.clone();
            bent[at] ^= 0x5a;
            assert_eq!(tracked_under(&bent, prefix), None, "byte {at}");
        }
        // Without a checksum (`index.skipHash`) the layout alone must add up.
        let end = index.len() - 20;
        let mut unsummed = index.clone();
        unsummed[end..].fill(0);
        assert_eq!(
            tracked_under(&unsummed, prefix),
            tracked_under(&index, prefix)
        );
        for cut in 0..end {
            let mut cut_short = index[..cut].to_vec();
            cut_short.extend([0; 20]);
            if let Some(files) = tracked_under(&cut_short, prefix) {
                // Only a cut exactly between entries and extensions still adds up.
                assert_eq!(Some(files), tracked_under(&index, prefix), "cut at {cut}");
            }
        }
        assert_eq!(ours(&p).unwrap().len(), 5);
    }
}
