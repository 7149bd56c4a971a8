//! The one diagnostics model every rule produces and every reporter consumes.

use crate::facts::packet::source::{Pos, SourceFile};
use serde::Serialize;
use std::sync::Arc;

/// Declares [`RuleId`]: each rule's variant and its stable id, written once.
macro_rules! rule_ids {
    ($($variant:ident = $id:literal,)*) => {
        /// A rule's identity: what every finding names, `handoff explain` looks up, SARIF and
        /// JSON print (as its id, e.g. `answer-missing`).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum RuleId {
            $(
                #[doc = concat!("`", $id, "`")]
                $variant,
            )*
        }

        impl RuleId {
            /// Every rule id, in the order declared.
            pub const ALL: &'static [RuleId] = &[$(RuleId::$variant,)*];

            /// The stable id, as output and docs name it.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(RuleId::$variant => $id,)*
                }
            }

            /// The rule an id names.
            pub fn parse(id: &str) -> Option<RuleId> {
                match id {
                    $($id => Some(RuleId::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

rule_ids! {
    AnswerChoice = "answer-choice",
    AnswerMissing = "answer-missing",
    AttachmentInvalid = "attachment-invalid",
    AttachmentMissing = "attachment-missing",
    ChecklistMissing = "checklist-missing",
    CriteriaOpen = "criteria-open",
    CriterionMissing = "criterion-missing",
    DateInvalid = "date-invalid",
    DiscoveryWithoutReceiver = "discovery-without-receiver",
    FileInvalid = "file-invalid",
    FrontMatter = "front-matter",
    HeaderMissing = "header-missing",
    IdInvalid = "id-invalid",
    ItemOverdue = "item-overdue",
    KindBehind = "kind-behind",
    KindChangedUnversioned = "kind-changed-unversioned",
    KindNewInChange = "kind-new-in-change",
    KindShadowsBuiltin = "kind-shadows-builtin",
    KindSwitchedInChange = "kind-switched-in-change",
    KindUnknown = "kind-unknown",
    KindWeakenedInChange = "kind-weakened-in-change",
    KpiBreach = "kpi-breach",
    KpiGap = "kpi-gap",
    KpiSeriesInvalid = "kpi-series-invalid",
    KpiStale = "kpi-stale",
    KpiTargetInvalid = "kpi-target-invalid",
    KpiUnstable = "kpi-unstable",
    KpiUnverified = "kpi-unverified",
    MilestoneOverdue = "milestone-overdue",
    PersonInvalid = "person-invalid",
    SectionMissing = "section-missing",
    SendbackRemoved = "sendback-removed",
    SentBack = "sent-back",
    SignoffAudit = "signoff-audit",
    SignoffInvalid = "signoff-invalid",
    SignoffMissing = "signoff-missing",
    SignoffSameSigner = "signoff-same-signer",
    SignoffStale = "signoff-stale",
    SignoffUnauthorized = "signoff-unauthorized",
    SignoffUnbound = "signoff-unbound",
    SignoffUnlanded = "signoff-unlanded",
    SignoffUnproven = "signoff-unproven",
    StatusInvalid = "status-invalid",
    StatusLags = "status-lags",
    TableIncomplete = "table-incomplete",
    UnknownKey = "unknown-key",
    UrlInvalid = "url-invalid",
    ValueTruncated = "value-truncated",
    WaiverExpired = "waiver-expired",
    WaiverInvalid = "waiver-invalid",
    WaiverUnproven = "waiver-unproven",
    WrongType = "wrong-type",
    YamlInvalid = "yaml-invalid",
    TrustRebinding = "trust-rebinding",
    TrustKindChanged = "trust-kind-changed",
}

impl RuleId {
    /// A rule about the sign-offs themselves (missing, stale, unproven…): what a signer is
    /// about to fix by signing, not a finding that blocks signing.
    pub fn is_signoff(self) -> bool {
        matches!(
            self,
            RuleId::SignoffInvalid
                | RuleId::SignoffMissing
                | RuleId::SignoffSameSigner
                | RuleId::SignoffStale
                | RuleId::SignoffUnauthorized
                | RuleId::SignoffUnbound
                | RuleId::SignoffUnlanded
                | RuleId::SignoffUnproven
                | RuleId::SignoffAudit
        )
    }
}

/// The id, padded as asked (`{:<20}` lines up a table of rules).
impl std::fmt::Display for RuleId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

/// Findings sort by id as text, as they always have.
impl Ord for RuleId {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl PartialOrd for RuleId {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Serialize for RuleId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl PartialEq<&str> for RuleId {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing; never fails a gate, not even with `--deny-warnings`.
    Note,
    /// Worth fixing, does not fail the gate (unless `--deny-warnings`).
    Warning,
    /// Fails the gate.
    Error,
}

/// The waiver that turned a finding into a note.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Waived {
    /// Until when it holds (inclusive).
    pub until: String,
    /// Who granted it.
    pub by: String,
    /// Why.
    pub reason: String,
}

/// One finding about one place in one file.
#[derive(Debug, Clone, Serialize)]
pub struct Diagnostic {
    /// The rule, e.g. `answer-missing`.
    pub rule: RuleId,
    /// Error or warning.
    pub severity: Severity,
    /// One-line message.
    pub message: String,
    /// What to write or do to fix it.
    pub help: String,
    /// The file the finding is in.
    pub file: String,
    /// Where it starts.
    #[serde(flatten)]
    pub pos: Pos,
    /// How many bytes to underline.
    #[serde(skip)]
    pub len: usize,
    /// Short text for the underline.
    #[serde(skip)]
    pub label: String,
    /// What a waiver names to cover this finding (an answer path or a criterion's text).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// The waiver that covers it, when one does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waived: Option<Box<crate::judgement::diagnostic::Waived>>,
    /// What the finding lists, for machines (`kind-behind`: the items the kind added).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<String>,
    /// Where the underlined text ends (for a finding located in a file's text; none for a
    /// finding about a whole file).
    #[serde(skip)]
    pub end: Option<Pos>,
    /// The file's text, for showing the snippet. A check over many packets lets go of it once
    /// the packet is checked (see [`Diagnostic::lean`]); the report reads the file again.
    #[serde(skip)]
    pub source: Option<Arc<SourceFile>>,
    /// The change that resolves it, when a rule knows one (the editor's quick fix and fix-all).
    #[serde(skip)]
    pub fix: Option<Fix>,
}

/// A change that resolves a finding, in the finding's file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    /// What it does, as an editor offers it ("Rename the key to `source`").
    pub title: String,
    /// Whether it can be applied without a person looking (fix-all applies only these).
    pub applicability: Applicability,
    /// What it changes.
    pub action: FixAction,
}

/// How sure a fix is to keep what the author meant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applicability {
    /// Only what the finding names changes; safe to apply with every other fix at once.
    Safe,
    /// A step of its own that changes much of the file (moving a packet to a newer version of
    /// its kind): offered one at a time, never in fix-all.
    OnItsOwn,
}

/// The edits a fix makes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FixAction {
    /// Replace byte ranges of the file's text.
    Edits(Vec<Edit>),
    /// Move the packet to version `to` of its kind, as `handoff upgrade` does. Worked out when
    /// asked for: a check of thousands of packets behind their kind does not build each.
    Upgrade {
        /// The kind's version.
        to: u32,
    },
}

/// One replacement in a file's text: bytes `start..end` become `text`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    /// Where the replaced bytes start.
    pub start: usize,
    /// Where they end (equal to `start` for an insertion).
    pub end: usize,
    /// What takes their place.
    pub text: String,
}

impl Fix {
    /// A fix of edits that is safe to apply with others.
    pub fn edits(title: impl Into<String>, edits: Vec<Edit>) -> Fix {
        Fix {
            title: title.into(),
            applicability: Applicability::Safe,
            action: FixAction::Edits(edits),
        }
    }
}

impl Diagnostic {
    /// A diagnostic at `pos` in `source`.
    pub fn at(
        rule: RuleId,
        severity: Severity,
        source: &Arc<SourceFile>,
        pos: Pos,
        len: usize,
        message: impl Into<String>,
        help: impl Into<String>,
    ) -> Self {
        Diagnostic {
            rule,
            severity,
            message: message.into(),
            help: help.into(),
            file: source.path().display().to_string(),
            pos,
            len,
            label: String::new(),
            target: None,
            waived: None,
            items: Vec::new(),
            end: Some(source.pos(pos.offset + len.max(1))),
            source: Some(source.clone()),
            fix: None,
        }
    }

    /// Let go of the file's text, so that checking many packets does not hold them all.
    pub fn lean(&mut self) {
        self.source = None;
    }

    /// A diagnostic about a file with no text to show (missing, unreadable, binary).
    pub fn file_level(
        rule: RuleId,
        severity: Severity,
        file: impl Into<String>,
        message: impl Into<String>,
        help: impl Into<String>,
    ) -> Self {
        Diagnostic {
            rule,
            severity,
            message: message.into(),
            help: help.into(),
            file: file.into(),
            pos: Pos {
                offset: 0,
                line: 1,
                column: 1,
            },
            len: 0,
            label: String::new(),
            target: None,
            waived: None,
            items: Vec::new(),
            end: None,
            fix: None,
            source: None,
        }
    }

    /// Set the underline text.
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = label.into();
        self
    }
}
