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

use std::collections::{HashMap, HashSet};
use std::path::{Component, Path};

/// Largest index read (a repository of 100,000 packets has an index of about 16 MiB).
const MAX_INDEX_BYTES: u64 = 256 * 1024 * 1024;

/// The files of the packet folder `dir`, relative to it with `/` separators, as git would list
/// them; `None` when only git can say.
pub fn files_of(dir: &Path) -> Option<Vec<String>> {
    let (index, prefix) = index_for(dir)?;
    let mut tracked = Vec::new();
    each_tracked(&index, prefix.as_bytes(), |rel| {
        tracked.push(String::from_utf8_lossy(rel).into_owned());
    })?;
    // Every file on disk must be one the index tracks; anything else, git decides.
    only_known(dir, &tracked)?.then_some(tracked)
}

/// The index's files of every folder in `root` (a packets root), by folder name, relative to
/// the folder. Each folder's list is its files as git would list them only when
/// [`only_known`] holds for it; `None` when only git can say for any.
pub fn tracked_by_folder(root: &Path) -> Option<HashMap<String, Vec<String>>> {
    let (index, prefix) = index_for(root)?;
    let mut folders: HashMap<String, Vec<String>> = HashMap::new();
    let mut current: Option<(Vec<u8>, Vec<String>)> = None;
    each_tracked(&index, prefix.as_bytes(), |rel| {
        let Some(slash) = memchr::memchr(b'/', rel) else {
            return; // a file of the packets root itself, not of a packet
        };
        let (folder, file) = (&rel[..slash], &rel[slash + 1..]);
        // Entries come sorted, so a folder's files come together.
        if current.as_ref().is_none_or(|(f, _)| f.as_slice() != folder) {
            if let Some((f, files)) = current.take() {
                folders.insert(String::from_utf8_lossy(&f).into_owned(), files);
            }
            current = Some((folder.to_vec(), Vec::new()));
        }
        if let Some((_, files)) = current.as_mut() {
            files.push(String::from_utf8_lossy(file).into_owned());
        }
    })?;
    if let Some((f, files)) = current {
        folders.insert(String::from_utf8_lossy(&f).into_owned(), files);
    }
    Some(folders)
}

/// The index of the work tree holding `dir`, and `dir`'s path in it with a trailing `/`; `None`
/// when git settings or the repository's layout make git the one to ask.
fn index_for(dir: &Path) -> Option<(Vec<u8>, String)> {
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
    Some((read_index(&top.join(".git").join("index"))?, prefix))
}

/// Whether git settings in the environment may point git at another repository, work tree,
/// index or shallow file (a pre-commit hook sets GIT_INDEX_FILE): then only git can say.
pub fn steered_by_env() -> bool {
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
pub fn plain_work_tree(dir: &Path) -> Option<std::path::PathBuf> {
    if steered_by_env() {
        return None;
    }
    let top = super::files::work_tree_of(dir)?;
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

fn read_index(path: &Path) -> Option<Vec<u8>> {
    use std::io::Read;
    let file = std::fs::File::open(path).ok()?;
    let mut bytes = Vec::new();
    file.take(MAX_INDEX_BYTES + 1)
        .read_to_end(&mut bytes)
        .ok()?;
    (bytes.len() as u64 <= MAX_INDEX_BYTES).then_some(bytes)
}

fn be32(bytes: &[u8], at: usize) -> Option<u32> {
    let b = bytes.get(at..at.checked_add(4)?)?;
    Some(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
}

/// The paths under `prefix` (stripped of it) in an index file's bytes, deduplicated.
#[cfg(test)]
fn tracked_under(index: &[u8], prefix: &[u8]) -> Option<Vec<String>> {
    let mut found = Vec::new();
    each_tracked(index, prefix, |rel| {
        found.push(String::from_utf8_lossy(rel).into_owned());
    })?;
    Some(found)
}

/// Call `found` with each path under `prefix` (stripped of it, once per path, in order) in an
/// index file's bytes; `None` when the bytes are not an index this reader fully understands
/// (then whatever `found` was given must be thrown away).
fn each_tracked(index: &[u8], prefix: &[u8], mut found: impl FnMut(&[u8])) -> Option<()> {
    /// Bytes of a SHA-1 object id; an index of a SHA-256 repository does not add up with it and
    /// is left to git.
    const ID: usize = 20;
    /// ctime, mtime, dev, ino, mode, uid, gid, size: ten 32-bit fields.
    const STAT: usize = 40;
    if index.get(..4)? != b"DIRC" {
        return None;
    }
    let version = be32(index, 4)?;
    if !(2..=4).contains(&version) {
        return None;
    }
    let count = be32(index, 8)? as usize;
    let end = index.len().checked_sub(ID)?;
    // The trailing checksum: the SHA-1 of everything before it, or zeros (`index.skipHash`).
    let sum = &index[end..];
    if sum.iter().any(|b| *b != 0) {
        use sha1::Digest;
        if sha1::Sha1::digest(&index[..end]).as_slice() != sum {
            return None;
        }
    }
    let mut at: usize = 12;
    let mut path: Vec<u8> = Vec::new();
    let mut previous: Vec<u8> = Vec::new();
    for _ in 0..count {
        let start = at;
        let flags_at = start.checked_add(STAT + ID)?;
        let flags = u16::from_be_bytes([*index.get(flags_at)?, *index.get(flags_at + 1)?]);
        at = flags_at + 2;
        if flags & 0x4000 != 0 {
            // Extended flags exist from version 3 on.
            if version < 3 {
                return None;
            }
            at += 2;
        }
        let mode = be32(index, start + 24)?;
        // A sparse index's folder entries: left to git.
        if mode & 0o170000 == 0o040000 {
            return None;
        }
        if version == 4 {
            let (strip, used) = varint(index.get(at..end)?)?;
            at += used;
            let keep = previous.len().checked_sub(usize::try_from(strip).ok()?)?;
            let len = memchr::memchr(0, index.get(at..end)?)?;
            path.clear();
            path.extend_from_slice(&previous[..keep]);
            path.extend_from_slice(&index[at..at + len]);
            at += len + 1;
        } else {
            let len = memchr::memchr(0, index.get(at..end)?)?;
            path.clear();
            path.extend_from_slice(&index[at..at + len]);
            // Padded with 1 to 8 NULs to a multiple of 8 bytes from the entry's start.
            let entry = (at + len - start + 8) & !7;
            if index.get(at + len..start + entry)?.iter().any(|b| *b != 0) {
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
        let signature = index.get(at..at + 4)?;
        let size = be32(index, at + 4)? as usize;
        // A split index keeps its entries in another file; an unknown required extension
        // (lower-case first letter) changes what the entries mean.
        if signature == b"link" || signature == b"sdir" || !signature[0].is_ascii_uppercase() {
            return None;
        }
        at = at.checked_add(8)?.checked_add(size)?;
    }
    (at == end).then_some(())
}

/// Git's variable-length offset encoding (index version 4): the value and the bytes it took.
fn varint(bytes: &[u8]) -> Option<(u64, usize)> {
    let mut used = 0;
    let mut byte = *bytes.get(used)?;
    used += 1;
    let mut value = u64::from(byte & 0x7f);
    while byte & 0x80 != 0 {
        byte = *bytes.get(used)?;
        used += 1;
        value = value.checked_add(1)?.checked_mul(128)? | u64::from(byte & 0x7f);
    }
    Some((value, used))
}

/// Whether every file below `dir` on disk (links counted as files, never followed) is in
/// `known`; `None` when the folder cannot be read whole or holds a repository of its own.
pub fn only_known(dir: &Path, known: &[String]) -> Option<bool> {
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
            if seen > super::files::MAX_WALK_FILES || depth > super::files::MAX_WALK_DEPTH {
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
        let mut names: Vec<&String> = folders.keys().collect();
        names.sort();
        assert_eq!(
            names,
            ["p", "q"],
            "pq.md is a file of the root, r is untracked"
        );
        for name in ["p", "q", "r"] {
            let files = folders.get(name).cloned().unwrap_or_default();
            let mut sorted = files.clone();
            sorted.sort();
            match only_known(&root.join(name), &files).unwrap() {
                true => assert_eq!(sorted, git_lists(&root, name), "{name}"),
                false => assert_ne!(name, "q", "q holds no file the index does not know"),
            }
        }
        assert_eq!(only_known(&p, &folders["p"]), Some(false));
        assert_eq!(only_known(&root.join("r"), &[]), Some(false));
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
