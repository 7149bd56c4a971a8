//! The kind a packet was signed under. `handoff sign` records the kind's name, version and a
//! digest of its requirements in the sign-off (`kind: gtm-play 3 sha256:…`) and keeps a copy of
//! those requirements in `.handoff/signed-kinds/`, committed with the sign-off. While every
//! sign-off is fresh, `check` judges the packet by that copy, whether or not the kind's version
//! was raised since; a copy whose content does not hash to its name is not used.

use super::{Kind, KindSpec};
use sha2::{Digest as _, Sha256};
use std::path::{Path, PathBuf};

/// Where copies of signed-under kinds live, relative to the repository root.
pub const FOLDER: &str = ".handoff/signed-kinds";

/// Fields that describe rather than require: left out of the digest, so rewording a prompt is
/// not a change of what the kind asks (and which team a role belongs to asks nothing of a
/// packet).
const WORDING: [&str; 7] = [
    "prompt",
    "example",
    "title",
    "summary",
    "description",
    "help",
    "receives",
];

/// The requirements of a kind as canonical JSON (wording left out).
pub fn requirements(spec: &KindSpec) -> String {
    let mut value = serde_json::to_value(spec).unwrap_or_default();
    strip(&mut value);
    value.to_string()
}

fn strip(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(map) => {
            for k in WORDING {
                map.remove(k);
            }
            map.values_mut().for_each(strip);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(strip),
        _ => {}
    }
}

/// `sha256:` and the first 16 hex digits of the requirements' digest.
pub fn digest(spec: &KindSpec) -> String {
    short_hash(requirements(spec).as_bytes())
}

fn short_hash(bytes: &[u8]) -> String {
    let hash = Sha256::digest(bytes);
    let hex: String = hash.iter().take(8).map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

/// What a sign-off records of its kind: `gtm-play 3 sha256:0123456789abcdef`.
pub fn stamp(spec: &KindSpec) -> String {
    format!("{} {} {}", spec.name, spec.version, digest(spec))
}

/// A stamp read back: name, version, digest.
pub fn parse_stamp(s: &str) -> Option<(&str, u32, &str)> {
    let mut parts = s.split_whitespace();
    let (name, version, digest) = (parts.next()?, parts.next()?, parts.next()?);
    (parts.next().is_none() && digest.starts_with("sha256:")).then_some((
        name,
        version.parse().ok()?,
        digest,
    ))
}

/// The copy's file for a stamp.
pub fn file_of(root: &Path, name: &str, version: u32, digest: &str) -> Option<PathBuf> {
    let hex = digest.strip_prefix("sha256:")?;
    let safe = |s: &str| {
        !s.is_empty()
            && s.len() <= 64
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    };
    (safe(name) && safe(hex)).then(|| {
        root.join(FOLDER)
            .join(format!("{name}-v{version}-{hex}.json"))
    })
}

/// The kind as a packet's sign-offs were made under, when it differs from `current` and its
/// copy is at hand, intact and `trusted` (with `check --base`: landed at the base, so that a
/// change cannot sign under a kind it weakens and have that copy stand).
pub fn load(
    root: &Path,
    current: &Kind,
    stamp: &str,
    trusted: impl Fn(&Path) -> bool,
) -> Option<Kind> {
    let (name, version, want) = parse_stamp(stamp)?;
    if name != current.spec.name || want == current.requirements_digest() {
        return None;
    }
    let path = file_of(root, name, version, want)?;
    if !trusted(&path) {
        return None;
    }
    let text =
        crate::support::inside::read_text(&path, root, crate::support::inside::MAX_BYTES).ok()?;
    let spec: KindSpec = serde_json::from_str(&text).ok()?;
    // The name is the digest of the content: a copy edited by hand is not used.
    if digest(&spec) != want || spec.name != name {
        return None;
    }
    // The same bounds as any kind.yaml: a copy is repository input too.
    super::validate(&spec, &path).ok()?;
    Some(Kind {
        spec,
        templates: Vec::new(),
        origin: current.origin.clone(),
        caveats: current.caveats.clone(),
        requirements: Default::default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamps_read_back_and_names_stay_inside_the_folder() {
        assert_eq!(
            parse_stamp("gtm-play 3 sha256:0123456789abcdef"),
            Some(("gtm-play", 3, "sha256:0123456789abcdef"))
        );
        assert_eq!(parse_stamp("gtm-play 3"), None);
        assert_eq!(parse_stamp("gtm-play x sha256:00"), None);
        let root = Path::new("/r");
        assert!(file_of(root, "../x", 1, "sha256:00").is_none());
        assert!(file_of(root, "x", 1, "sha256:../../y").is_none());
        assert_eq!(
            file_of(root, "play", 2, "sha256:ab").unwrap(),
            Path::new("/r/.handoff/signed-kinds/play-v2-ab.json")
        );
    }
}
