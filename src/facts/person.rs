//! People as packets and sign-offs write them: `Name <email>`, told apart by their email.

/// Whether `s` is `Name <email>`.
pub fn is_person(s: &str) -> bool {
    let s = s.trim();
    let Some(open) = s.find('<') else {
        return false;
    };
    let Some(email) = s[open + 1..].strip_suffix('>') else {
        return false;
    };
    let name = s[..open].trim();
    let mut parts = email.split('@');
    let (Some(user), Some(domain), None) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    !name.is_empty()
        && !user.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !email.contains(char::is_whitespace)
}

/// The email inside `Name <email>`, lowercased: what identifies a person.
pub fn email_of(person: &str) -> Option<String> {
    let open = person.find('<')?;
    let close = person[open..].find('>')? + open;
    Some(person[open + 1..close].trim().to_lowercase())
}

/// Whether two `Name <email>` strings name the same person (same email, case aside).
pub fn same(a: &str, b: &str) -> bool {
    match (email_of(a), email_of(b)) {
        (Some(x), Some(y)) => x == y,
        _ => a.trim() == b.trim(),
    }
}

/// A signing key bound to a person in `[people]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SigningKey {
    /// An SSH public key, as a `.pub` file holds it: its type and base64 body (the comment left
    /// out).
    Ssh {
        /// `ssh-ed25519`, `ecdsa-sha2-nistp256`, `sk-ssh-ed25519@openssh.com`, ...
        kind: String,
        /// The key itself, base64.
        body: String,
    },
    /// An OpenPGP key's fingerprint, upper-case hex.
    OpenPgp(String),
}

/// The SSH key types git signs with.
const SSH_KINDS: [&str; 7] = [
    "ssh-ed25519",
    "ssh-rsa",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "sk-ssh-ed25519@openssh.com",
    "sk-ecdsa-sha2-nistp256@openssh.com",
];

impl SigningKey {
    /// Read a key as written in `[people]`: an SSH public key line, or an OpenPGP fingerprint
    /// (40 or 64 hex digits, spaces allowed).
    pub fn parse(s: &str) -> Option<SigningKey> {
        let s = s.trim();
        let mut parts = s.split_ascii_whitespace();
        let first = parts.next()?;
        if SSH_KINDS.contains(&first) {
            let body = parts.next()?;
            let base64 = body.len() >= 16
                && body.len() <= 16 * 1024
                && body
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='));
            // The comment after the key may be anything on the line but a line break.
            return (base64 && !s.contains(['\n', '\r', '\0'])).then(|| SigningKey::Ssh {
                kind: first.to_string(),
                body: body.to_string(),
            });
        }
        let hex: String = s.chars().filter(|c| *c != ' ').collect();
        (matches!(hex.len(), 40 | 64) && hex.bytes().all(|b| b.is_ascii_hexdigit()))
            .then(|| SigningKey::OpenPgp(hex.to_ascii_uppercase()))
    }
}

/// What identifies a signing key, whatever its comment or spacing: for telling whether two
/// people were bound the same key.
pub fn signing_key_id(s: &str) -> Option<String> {
    Some(match SigningKey::parse(s)? {
        SigningKey::Ssh { kind, body } => format!("{kind} {body}"),
        SigningKey::OpenPgp(fpr) => fpr,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn people_are_name_and_email() {
        assert!(is_person("Maria Lopez <maria@acme.test>"));
        assert!(!is_person("Maria"));
        assert!(!is_person("Maria <maria>"));
        assert!(!is_person("<m@a.test>"));
        assert!(!is_person("Maria <m@a.test> extra"));
    }

    #[test]
    fn signing_keys_are_ssh_public_keys_or_openpgp_fingerprints() {
        let ssh = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIH3r jordan@laptop";
        assert_eq!(
            SigningKey::parse(ssh),
            Some(SigningKey::Ssh {
                kind: "ssh-ed25519".into(),
                body: "AAAAC3NzaC1lZDI1NTE5AAAAIH3r".into()
            })
        );
        assert_eq!(
            signing_key_id(ssh),
            signing_key_id("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIH3r")
        );
        assert_eq!(
            SigningKey::parse("ABCD ef01 2345 6789 ABCD  EF01 2345 6789 abcd ef01"),
            Some(SigningKey::OpenPgp(
                "ABCDEF0123456789ABCDEF0123456789ABCDEF01".into()
            ))
        );
        assert_eq!(SigningKey::parse("ssh-ed25519"), None);
        assert_eq!(SigningKey::parse("ssh-dss AAAAB3NzaC1kc3MAAACBAP"), None);
        assert_eq!(
            SigningKey::parse("ssh-ed25519 AAAA\"quoted\"AAAAAAAAAA"),
            None
        );
        assert_eq!(SigningKey::parse("ABCDEF"), None);
    }

    #[test]
    fn the_email_identifies_a_person() {
        assert!(same("Jo <JO@x.test>", "Jordan Blake <jo@x.test>"));
        assert!(!same("Jo <jo@x.test>", "Jo <jo2@x.test>"));
    }
}
