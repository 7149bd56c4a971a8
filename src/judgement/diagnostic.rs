//! The one diagnostics model every rule produces and every reporter consumes.

use crate::facts::packet::source::{Pos, SourceFile};
use serde::Serialize;
use std::sync::Arc;

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
    /// Stable rule id, e.g. `answer-missing`.
    pub rule: &'static str,
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
        rule: &'static str,
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
        rule: &'static str,
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
