//! What proves that a sign-off, waiver or send-back comes from the person it names.
//!
//! A record in a packet is a few lines of YAML that whoever edits the file can type. What ties it
//! to a person is outside the file: a signature on the commit that added it, made with a key
//! bound to the person in `[people]`; or the forge's own record of a pull request review or
//! comment by the person's bound account (the record's `via`); or, where the team accepts it, the
//! git identity it names. `[trust] proof` (read from the base with `--base`) says which count.
//! The engine that looks for these proofs is [`crate::facts::prover`]; these are its answers.

use serde::Serialize;

/// One way a record can be proven.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProofMethod {
    /// The git author identity the record names: anyone can type one.
    Identity,
    /// A good signature on the commit that added the record, by a key bound to the person.
    Signature,
    /// The forge's record of a review or comment by the person's bound account.
    Forge,
}

impl ProofMethod {
    /// The name as `handoff.toml` writes it.
    pub fn name(self) -> &'static str {
        match self {
            ProofMethod::Identity => "identity",
            ProofMethod::Signature => "signature",
            ProofMethod::Forge => "forge",
        }
    }
}

/// The kinds of record a person gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RecordKind {
    /// A sign-off (`signoffs`).
    SignOff,
    /// A waiver (`waivers`).
    Waiver,
    /// A send-back (`sent_back`).
    SendBack,
}

impl RecordKind {
    /// The record in words, for messages.
    pub fn word(self) -> &'static str {
        match self {
            RecordKind::SignOff => "sign-off",
            RecordKind::Waiver => "waiver",
            RecordKind::SendBack => "send-back",
        }
    }

    /// The packet key that lists records of this kind.
    pub fn list_key(self) -> &'static str {
        match self {
            RecordKind::SignOff => "signoffs",
            RecordKind::Waiver => "waivers",
            RecordKind::SendBack => "sent_back",
        }
    }
}

/// One record, as the prover needs it.
#[derive(Debug, Clone)]
pub struct Record {
    /// What it is.
    pub kind: RecordKind,
    /// Every field of the entry as written, `key=value` joined: what tells the entry apart in
    /// history (the first commit that holds exactly this entry added it).
    pub key: String,
    /// Who it names, `Name <email>`.
    pub by: String,
    /// The forge's page of the review or comment it was made from, when it says so.
    pub via: Option<String>,
    /// For a sign-off: its role and the digest it covers.
    pub role: Option<String>,
    /// For a sign-off: the digest it covers.
    pub digest: Option<String>,
    /// For a waiver: its target and expiry, which the comment that asked for it must name.
    pub target: Option<String>,
    /// For a waiver: its `until`.
    pub until: Option<String>,
}

impl Record {
    /// The identity key of an entry from its fields in order.
    pub fn key_of<'a>(
        kind: RecordKind,
        fields: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> String {
        let mut key = String::from(kind.word());
        for (k, v) in fields {
            key.push('\u{1f}');
            key.push_str(k);
            key.push('=');
            key.push_str(v);
        }
        key
    }
}

/// How a record is proven: the strongest proof found, whether or not the policy accepts it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "method", rename_all = "kebab-case")]
pub enum Proof {
    /// Only the git identity it names, which anyone can type.
    Identity,
    /// The commit that added it carries a good signature by a key bound to the person.
    Signature {
        /// The commit, abbreviated.
        commit: String,
        /// The key's fingerprint as git reports it (`SHA256:…`, or an OpenPGP fingerprint).
        fingerprint: String,
    },
    /// The forge's record of a review or comment by the person's bound account.
    Forge {
        /// The review's or comment's page.
        url: String,
        /// The account.
        login: String,
    },
    /// It is at the base commit already: it was judged when it landed.
    Landed {
        /// The base, as given.
        rev: String,
    },
}

impl Proof {
    /// The method that proved it (a landed record counts whatever the policy).
    pub fn method(&self) -> Option<ProofMethod> {
        match self {
            Proof::Identity => Some(ProofMethod::Identity),
            Proof::Signature { .. } => Some(ProofMethod::Signature),
            Proof::Forge { .. } => Some(ProofMethod::Forge),
            Proof::Landed { .. } => None,
        }
    }

    /// In words, for tables and logs: `signed with key SHA256:… (commit 1a2b3c4d)`.
    pub fn describe(&self) -> String {
        match self {
            Proof::Identity => "git identity only".into(),
            Proof::Signature {
                commit,
                fingerprint,
            } => format!("signed with key {fingerprint} (commit {commit})"),
            Proof::Forge { url, login } => format!("@{login} on the pull request: {url}"),
            Proof::Landed { rev } if rev == "HEAD" => "committed, git identity only".into(),
            Proof::Landed { rev } => format!("landed at {rev}, judged when it landed"),
        }
    }
}

/// A record's proof and whether it counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Proven {
    /// The strongest proof found.
    pub proof: Proof,
    /// Whether `[trust] proof` accepts it (and nothing contradicts the record).
    pub counts: bool,
    /// When it does not count: what was looked for and not found, in words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub why_not: Option<String>,
}

impl Proven {
    /// A record proven by the git identity it names, which counts.
    pub fn identity() -> Proven {
        Proven {
            proof: Proof::Identity,
            counts: true,
            why_not: None,
        }
    }
}

/// Looks up how each record of a packet is proven; the settings of a run carry one (see
/// [`crate::facts::prover`]), so that the gate, the review document and the reminders read the
/// same answer.
pub trait Prove: std::fmt::Debug + Send + Sync {
    /// How each of `records` (all of one packet) is proven, in the same order.
    fn prove(&self, packet: &crate::facts::packet::Packet, records: &[Record]) -> Vec<Proven>;
    /// What to say once about the whole run (a shallow clone, say), taken by the command.
    fn notes(&self) -> Vec<String>;
}
