//! The engine behind [`crate::facts::proof`]: for each sign-off, waiver or send-back of a packet,
//! it looks for what ties the record to the person it names, and says whether `[trust] proof`
//! accepts what it found.
//!
//! - **Landed**: with `--base`, a record the base commit already holds was judged when it landed.
//! - **Signature**: the first commit whose `handoff.md` holds exactly this entry added it; git
//!   verifies that commit's signature against an allowed-signers file built from the keys
//!   `[people]` binds (SSH), or against the fingerprints it binds (OpenPGP, from the user's
//!   keyring), and the key must be bound to the very person the record names.
//! - **Forge**: a record made from a review or comment names its page (`via`); the forge's own
//!   list of the pull request's reviews and comments (`check --evidence`) must hold that page, by
//!   the account bound to the person, approving (or asking for exactly this record), and a
//!   review must have approved a commit at which the packet's digest is the one signed.
//!
//! The bindings and the policy are the base's with `--base`, so a change cannot bind a key or an
//! account to itself and use it in the same breath. Nothing here starts git until a record
//! needs it, and each packet's history and each commit's signature is read once per run.

use crate::facts::config::{Settings, Trust};
use crate::facts::forge::{Command, Evidence, Item, ItemKind, ReviewState};
use crate::facts::packet::Packet;
use crate::facts::person::SigningKey;
use crate::facts::proof::{Proof, ProofMethod, Prove, Proven, Record, RecordKind};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

/// The run's prover.
#[derive(Debug)]
pub struct Prover {
    /// The policy.
    trust: Trust,
    /// The `[people]` that bind accounts and keys (the base's with `--base`).
    people: Settings,
    /// Where the policy and bindings were read, for messages: ` at origin/main`, or nothing.
    at: String,
    /// The base, when the run has one.
    base: Option<Arc<dyn crate::facts::config::Base>>,
    /// The forge's record of the pull request, when given.
    evidence: Option<Evidence>,
    /// Look for every proof, not only those the policy accepts (for showing them).
    thorough: bool,
    top: OnceLock<Option<PathBuf>>,
    shallow: OnceLock<bool>,
    signers: OnceLock<Result<tempfile::TempPath, String>>,
    /// Per packet folder (from the top): each record key's first commit.
    recorded: Mutex<HashMap<String, Arc<HashMap<String, String>>>>,
    signatures: Mutex<HashMap<String, crate::facts::git::Signature>>,
    digests: Mutex<HashMap<(String, String), Option<String>>>,
    notes: Mutex<BTreeSet<String>>,
}

/// Put a prover in the settings, for every record the run judges to be proven the same way:
/// the policy and bindings from the base when the settings carry one (`--base`), else their own.
/// `thorough` looks for every kind of proof, to show it (`log`, `render`, `status`).
pub fn install(settings: &mut Settings, evidence: Option<Evidence>, thorough: bool) {
    let (people, at) = match &settings.base {
        Some(base) => (base.settings().clone(), format!(" at {}", base.rev())),
        None => (settings.clone(), String::new()),
    };
    let people = Settings {
        base: None,
        prover: None,
        ..people
    };
    let prover = Prover {
        trust: people.trust.clone(),
        people,
        at,
        base: settings.base.clone(),
        evidence,
        thorough,
        top: OnceLock::new(),
        shallow: OnceLock::new(),
        signers: OnceLock::new(),
        recorded: Mutex::default(),
        signatures: Mutex::default(),
        digests: Mutex::default(),
        notes: Mutex::default(),
    };
    settings.prover = Some(Arc::new(prover));
}

/// Every record a packet holds: its sign-offs, waivers and send-backs.
pub fn records_of(packet: &Packet) -> Vec<Record> {
    let mut out: Vec<Record> = crate::facts::signoff::read(packet)
        .0
        .iter()
        .map(crate::facts::signoff::Signoff::record)
        .collect();
    out.extend(
        crate::facts::waiver::read(packet)
            .0
            .iter()
            .map(crate::facts::waiver::Waiver::record),
    );
    out.extend(
        crate::facts::sendback::read(packet)
            .iter()
            .map(crate::facts::sendback::SentBack::record),
    );
    out
}

/// What to say in a shallow clone: the audit's note, which covers signatures too.
const SHALLOW: &str = crate::facts::history::SHALLOW_NOTE;

impl Prove for Prover {
    fn prove(&self, packet: &Packet, records: &[Record]) -> Vec<Proven> {
        // Git identity accepted, nothing to hold a `via` to, nothing to show: nothing to look up.
        if self.trust.identity_enough() && self.evidence.is_none() && !self.thorough {
            return vec![Proven::identity(); records.len()];
        }
        let (landed, rev) = if self.trust.identity_enough() && self.evidence.is_none() {
            (HashSet::new(), String::new())
        } else {
            self.landed(packet)
        };
        let want_signature = self.thorough || self.trust.accepts(ProofMethod::Signature);
        let signed = if want_signature {
            self.signed(packet, records)
        } else {
            HashMap::new()
        };
        records
            .iter()
            .map(|r| {
                let forge = r.via.as_ref().map(|via| self.forge(packet, r, via));
                let signature = want_signature.then(|| {
                    signed
                        .get(&r.key)
                        .cloned()
                        .unwrap_or_else(|| Err("it was not checked".into()))
                });
                if landed.contains(&r.key) {
                    // Judged when it landed; shown by what proves it, when something does.
                    let found = [&forge, &signature]
                        .into_iter()
                        .flatten()
                        .find_map(|f| f.as_ref().ok())
                        .cloned();
                    return Proven {
                        proof: found.unwrap_or(Proof::Landed { rev: rev.clone() }),
                        counts: true,
                        why_not: None,
                    };
                }
                self.judge(forge, signature)
            })
            .collect()
    }

    fn notes(&self) -> Vec<String> {
        self.notes
            .lock()
            .map(|n| n.iter().cloned().collect())
            .unwrap_or_default()
    }
}

impl Prover {
    /// Weigh what was found against the policy.
    fn judge(
        &self,
        forge: Option<Result<Proof, String>>,
        signature: Option<Result<Proof, String>>,
    ) -> Proven {
        let found = [&forge, &signature]
            .into_iter()
            .flatten()
            .find_map(|f| f.as_ref().ok())
            .cloned();
        // A record that claims the forge while the forge's own record, given, says otherwise is
        // not taken on anything else.
        let contradicted = match (&forge, &self.evidence) {
            (Some(Err(why)), Some(_)) => Some(why.clone()),
            _ => None,
        };
        let proof = found.unwrap_or(Proof::Identity);
        let accepted =
            proof.method().is_some_and(|m| self.trust.accepts(m)) || self.trust.identity_enough();
        if let Some(why) = contradicted {
            return Proven {
                proof: Proof::Identity,
                counts: false,
                why_not: Some(format!(
                    "it says it was given on the pull request, and the forge's record does not bear that out: {why}"
                )),
            };
        }
        if accepted {
            return Proven {
                proof,
                counts: true,
                why_not: None,
            };
        }
        let mut why = Vec::new();
        if self.trust.accepts(ProofMethod::Signature) {
            match &signature {
                Some(Err(e)) => why.push(format!("no signature proves it: {e}")),
                _ => why.push("no signature proves it".into()),
            }
        }
        if self.trust.accepts(ProofMethod::Forge) {
            match &forge {
                Some(Err(e)) => why.push(format!("the forge does not prove it: {e}")),
                _ => why.push(
                    "it was not given on the pull request (it names no review or comment in `via`)"
                        .into(),
                ),
            }
        }
        Proven {
            proof,
            counts: false,
            why_not: Some(format!(
                "{}; [trust] proof{} accepts {}",
                why.join("; "),
                self.at,
                self.trust.describe()
            )),
        }
    }

    /// The work tree's top, once.
    fn top(&self, packet: &Packet) -> Option<&Path> {
        self.top
            .get_or_init(|| {
                crate::facts::history::toplevel(&crate::support::paths::absolute(&packet.dir)).ok()
            })
            .as_deref()
    }

    /// The packet folder relative to the top.
    fn rel(top: &Path, packet: &Packet) -> String {
        crate::facts::git::relative(top, &packet.dir).unwrap_or_default()
    }

    /// The keys of the records that have landed, and where: at the base with `--base`; without
    /// one, in the commit checked out (the tree as checked out decides, as for everything else
    /// without `--base`), so that only what is not committed yet needs its proof.
    fn landed(&self, packet: &Packet) -> (HashSet<String>, String) {
        let (text, rev) = match &self.base {
            Some(base) => (base.packet_text(packet), base.rev().to_string()),
            None => {
                let text = self.top(packet).map(Path::to_path_buf).and_then(|top| {
                    let rel = Self::rel(&top, packet);
                    let name = format!("HEAD:{rel}/{}", crate::facts::packet::PACKET_FILE);
                    match crate::facts::git::objects(
                        &top,
                        &[name],
                        crate::facts::packet::MAX_FILE_BYTES,
                    )
                    .ok()?
                    .pop()?
                    {
                        crate::facts::git::Object::Bytes(b) => String::from_utf8(b).ok(),
                        _ => None,
                    }
                });
                (text, "HEAD".to_string())
            }
        };
        let Some(text) = text else {
            return (HashSet::new(), rev);
        };
        let then = Packet::from_text(&packet.dir, &packet.dir, text);
        (records_of(&then).into_iter().map(|r| r.key).collect(), rev)
    }

    /// For each record that a signature could prove: the proof, or why not.
    fn signed(
        &self,
        packet: &Packet,
        records: &[Record],
    ) -> HashMap<String, Result<Proof, String>> {
        // A record whose person has no key bound needs no look at history.
        let (records, unkeyed): (Vec<&Record>, Vec<&Record>) = records
            .iter()
            .partition(|r| !self.people.bindings_of(&r.by).signing_keys.is_empty());
        let mut out: HashMap<String, Result<Proof, String>> = unkeyed
            .iter()
            .map(|r| {
                (
                    r.key.clone(),
                    Err(format!(
                        "no signing key is bound to {} in handoff.toml [people]{}",
                        r.by, self.at
                    )),
                )
            })
            .collect();
        if records.is_empty() {
            return out;
        }
        let fail_all = |why: String| -> HashMap<String, Result<Proof, String>> {
            let mut all = out.clone();
            all.extend(records.iter().map(|r| (r.key.clone(), Err(why.clone()))));
            all
        };
        let Some(top) = self.top(packet).map(Path::to_path_buf) else {
            return fail_all("the packet is not in a git repository".into());
        };
        if *self
            .shallow
            .get_or_init(|| crate::facts::history::is_shallow(&top))
        {
            if let Ok(mut n) = self.notes.lock() {
                n.insert(SHALLOW.into());
            }
            return fail_all("this is a shallow clone, so its commits cannot be checked".into());
        }
        let rel = Self::rel(&top, packet);
        let recorded = match self.recorded_in(&top, &rel, packet) {
            Ok(r) => r,
            Err(e) => return fail_all(format!("git history cannot be read: {e}")),
        };
        let signers = match self.signers() {
            Ok(path) => path,
            Err(e) => return fail_all(e),
        };
        let wanted: Vec<String> = {
            let known = self
                .signatures
                .lock()
                .map(|s| s.clone())
                .unwrap_or_default();
            let mut w: Vec<String> = records
                .iter()
                .filter_map(|r| recorded.get(&r.key).cloned())
                .filter(|c| !known.contains_key(c))
                .collect();
            w.sort();
            w.dedup();
            w
        };
        if !wanted.is_empty() {
            match crate::facts::git::signatures(&top, &wanted, &signers) {
                Ok(found) => {
                    if let Ok(mut s) = self.signatures.lock() {
                        s.extend(found);
                    }
                }
                Err(e) => return fail_all(format!("git cannot check signatures: {e}")),
            }
        }
        let known = self
            .signatures
            .lock()
            .map(|s| s.clone())
            .unwrap_or_default();
        for r in &records {
            let result = match recorded.get(&r.key) {
                None => Err("it is not committed yet".to_string()),
                Some(commit) => {
                    let sig = known.get(commit).cloned().unwrap_or_default();
                    self.judge_signature(&r.by, commit, &sig)
                }
            };
            out.insert(r.key.clone(), result);
        }
        out
    }

    /// Whether git's verdict on a commit's signature proves it was made by `by`.
    fn judge_signature(
        &self,
        by: &str,
        commit: &str,
        sig: &crate::facts::git::Signature,
    ) -> Result<Proof, String> {
        let short: String = commit.chars().take(8).collect();
        let person = self.people.bindings_of(by);
        let keys: Vec<SigningKey> = person
            .signing_keys
            .iter()
            .filter_map(|k| SigningKey::parse(k))
            .collect();
        if keys.is_empty() {
            return Err(format!(
                "no signing key is bound to {by} in handoff.toml [people]{}",
                self.at
            ));
        }
        let email = crate::facts::person::email_of(by).unwrap_or_default();
        let fingerprint = if sig.fingerprint.is_empty() {
            sig.primary.clone()
        } else {
            sig.fingerprint.clone()
        };
        let theirs = keys.iter().any(|k| match k {
            SigningKey::Ssh { .. } => {
                sig.status == 'G' && sig.signer.trim().eq_ignore_ascii_case(&email)
            }
            SigningKey::OpenPgp(fpr) => {
                matches!(sig.status, 'G' | 'U')
                    && (sig.fingerprint.eq_ignore_ascii_case(fpr)
                        || sig.primary.eq_ignore_ascii_case(fpr))
            }
        });
        if theirs {
            return Ok(Proof::Signature {
                commit: short,
                fingerprint,
            });
        }
        Err(match sig.status {
            'N' | '\0' => format!("commit {short}, which added it, is not signed"),
            'B' => format!("commit {short}, which added it, carries a bad signature"),
            'E' => format!(
                "the signature of commit {short}, which added it, cannot be checked here (for an OpenPGP key, import it: `gpg --import`)"
            ),
            'G' if !sig.signer.is_empty() => format!(
                "commit {short}, which added it, is signed with a key bound to {}, not to {by}",
                crate::support::words::neutral(&sig.signer)
            ),
            _ => format!(
                "commit {short}, which added it, is signed with a key that is not bound to {by} ({})",
                crate::support::words::neutral(&fingerprint)
            ),
        })
    }

    /// The allowed-signers file git checks SSH signatures against: every SSH key `[people]`
    /// binds, each under its person's email.
    fn signers(&self) -> Result<PathBuf, String> {
        let made = self.signers.get_or_init(|| {
            let mut lines = String::new();
            let mut seen = HashSet::new();
            for p in self.people.people.values().flat_map(|e| e.people()) {
                let Some(email) = crate::facts::person::email_of(&p.text) else {
                    continue;
                };
                // A principal is a pattern to ssh-keygen: only plain addresses are written.
                if !email
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"@._+-".contains(&b))
                {
                    continue;
                }
                for key in &p.signing_keys {
                    if let Some(SigningKey::Ssh { kind, body }) = SigningKey::parse(key)
                        && seen.insert((email.clone(), body.clone()))
                    {
                        lines.push_str(&format!("{email} namespaces=\"git\" {kind} {body}\n"));
                    }
                }
            }
            let mut file = tempfile::Builder::new()
                .prefix("handoff-allowed-signers")
                .tempfile()
                .map_err(|e| format!("cannot write the allowed-signers file: {e}"))?;
            std::io::Write::write_all(&mut file, lines.as_bytes())
                .map_err(|e| format!("cannot write the allowed-signers file: {e}"))?;
            Ok(file.into_temp_path())
        });
        made.as_ref().map(|p| p.to_path_buf()).map_err(Clone::clone)
    }

    /// Each record key of the packet's history and the first commit that held it.
    fn recorded_in(
        &self,
        top: &Path,
        rel: &str,
        packet: &Packet,
    ) -> Result<Arc<HashMap<String, String>>, String> {
        if let Some(found) = self.recorded.lock().ok().and_then(|r| r.get(rel).cloned()) {
            return Ok(found);
        }
        let history = crate::facts::history::read(top, &[rel.to_string()], false)
            .map_err(|e| e.to_string())?;
        let mut first: HashMap<String, String> = HashMap::new();
        let mut parsed: HashMap<usize, ()> = HashMap::new();
        if let Some(versions) = history.versions.get(rel) {
            for v in versions {
                let Some(text) = v.text.as_deref() else {
                    continue;
                };
                if v.blob.is_some_and(|b| parsed.insert(b, ()).is_some()) {
                    continue;
                }
                let then = Packet::from_text(&packet.dir, Path::new(""), text.to_string());
                for r in records_of(&then) {
                    first
                        .entry(r.key)
                        .or_insert_with(|| history.commits[v.commit].id.clone());
                }
            }
        }
        let found = Arc::new(first);
        if let Ok(mut r) = self.recorded.lock() {
            r.insert(rel.to_string(), found.clone());
        }
        Ok(found)
    }

    /// Whether the forge's record bears out a record given on the pull request at `via`.
    fn forge(&self, packet: &Packet, r: &Record, via: &str) -> Result<Proof, String> {
        let Some(evidence) = &self.evidence else {
            return Err(format!(
                "the forge's record of the pull request was not given to check its review or comment ({via}); pass it with `check --evidence`"
            ));
        };
        let Some(item) = evidence.get(via) else {
            return Err(format!(
                "the forge's record holds no review or comment at {via}"
            ));
        };
        let person = self.people.bindings_of(&r.by);
        let Some(login) = person.github.as_deref() else {
            return Err(format!(
                "no GitHub account is bound to {} in handoff.toml [people]{}",
                r.by, self.at
            ));
        };
        if !item.login.eq_ignore_ascii_case(login) {
            return Err(format!(
                "{via} is by @{}, and the account bound to {} is @{login}",
                crate::support::words::neutral(&item.login),
                r.by
            ));
        }
        self.forge_asks(packet, r, item)?;
        Ok(Proof::Forge {
            url: via.to_string(),
            login: item.login.clone(),
        })
    }

    /// Whether the review or comment asks for this very record.
    fn forge_asks(&self, packet: &Packet, r: &Record, item: &Item) -> Result<(), String> {
        let commands: Vec<Command> = crate::facts::forge::commands(&item.body)
            .map(|c| c.into_iter().map(|(_, c)| c).collect())
            .unwrap_or_default();
        let id = packet.id.as_str();
        let names = |packets: &[String]| packets.is_empty() || packets.iter().any(|p| p == id);
        match (r.kind, &item.what) {
            (RecordKind::SignOff, ItemKind::Review { state, commit_id }) => {
                if *state != ReviewState::Approved {
                    return Err("the review does not approve".into());
                }
                let role = r.role.as_deref().unwrap_or_default();
                let signs: Vec<&Command> = commands
                    .iter()
                    .filter(|c| matches!(c, Command::Sign { .. }))
                    .collect();
                if !signs.is_empty()
                    && !signs.iter().any(|c| {
                        matches!(c, Command::Sign { role: ro, packets } if ro == role && names(packets))
                    })
                {
                    return Err(format!(
                        "the review names the roles and packets it signs, and not {role} for {id}"
                    ));
                }
                self.review_covers(packet, r, commit_id)
            }
            (RecordKind::SignOff, ItemKind::Comment) => {
                let role = r.role.as_deref().unwrap_or_default();
                commands
                    .iter()
                    .any(|c| matches!(c, Command::Sign { role: ro, packets } if ro == role && names(packets)))
                    .then_some(())
                    .ok_or_else(|| format!("the comment does not say `/handoff sign {role}` for {id}"))
            }
            (RecordKind::Waiver, ItemKind::Comment) => {
                let (target, until) = (
                    r.target.as_deref().unwrap_or_default(),
                    r.until.as_deref().unwrap_or_default(),
                );
                commands
                    .iter()
                    .any(|c| {
                        matches!(c, Command::Waive { packet, target: t, until: u, .. }
                            if packet == id && t.trim() == target.trim() && u.trim() == until.trim())
                    })
                    .then_some(())
                    .ok_or_else(|| {
                        format!("the comment does not ask to waive `{target}` of {id} until {until}")
                    })
            }
            (RecordKind::Waiver, ItemKind::Review { .. }) => Err(
                "a review grants no waiver (ask for one with `/handoff waive` in a comment)".into(),
            ),
            (RecordKind::SendBack, ItemKind::Review { state, .. }) => (*state
                == ReviewState::ChangesRequested)
                .then_some(())
                .ok_or_else(|| "the review does not request changes".into()),
            (RecordKind::SendBack, ItemKind::Comment) => commands
                .iter()
                .any(|c| matches!(c, Command::SendBack { packet, .. } if packet == id))
                .then_some(())
                .ok_or_else(|| format!("the comment does not say `/handoff send-back {id}`")),
        }
    }

    /// Whether the commit a review approved held the packet the sign-off covers.
    fn review_covers(&self, packet: &Packet, r: &Record, commit: &str) -> Result<(), String> {
        let short: String = commit.chars().take(8).collect();
        let top = self
            .top(packet)
            .ok_or("the packet is not in a git repository")?
            .to_path_buf();
        if crate::facts::git::commit_id(&top, commit).is_none() {
            return Err(format!(
                "the review approved commit {short}, which this clone does not have (fetch the pull request's commits)"
            ));
        }
        let rel = Self::rel(&top, packet);
        let key = (commit.to_string(), rel.clone());
        let cached = self.digests.lock().ok().and_then(|d| d.get(&key).cloned());
        let digest = match cached {
            Some(d) => d,
            None => {
                let d = crate::facts::signoff::digest_at(&top, commit, &rel)
                    .map_err(|e| format!("the packet at commit {short} cannot be read: {e}"))?;
                if let Ok(mut all) = self.digests.lock() {
                    all.insert(key, d.clone());
                }
                d
            }
        };
        match digest {
            Some(d) if Some(d.as_str()) == r.digest.as_deref() => Ok(()),
            Some(_) => Err(format!(
                "the review approved commit {short}, where the packet is not what the sign-off covers (approve again)"
            )),
            None => Err(format!(
                "the review approved commit {short}, which has no such packet"
            )),
        }
    }
}
