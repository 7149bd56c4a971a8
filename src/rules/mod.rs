//! The checks. Each rule has a stable id and a doc text (`handoff explain <id>`); rules are generic
//! over what a kind's `kind.yaml` requires, so adding a kind needs no code.

pub mod answers;
pub mod attachments;
pub mod audit;
pub mod file;
pub mod sections;
pub mod signoff;
pub mod structure;
pub mod timeline;
pub mod waiver;

use crate::config::Config;
use crate::diagnostic::{Diagnostic, Severity};
use crate::gate::Gate;
use crate::kind::{Kind, Kinds};
use crate::packet::Packet;
use crate::packet::source::Pos;
use chrono::NaiveDate;

/// A rule's identity and documentation.
#[derive(Debug)]
pub struct Rule {
    /// Stable id, used in output and in `handoff explain`.
    pub id: &'static str,
    /// One line: what the rule checks.
    pub summary: &'static str,
    /// What it checks, why it matters, and an example.
    pub explanation: &'static str,
}

/// Every rule, for `handoff explain` and SARIF rule tables.
pub fn all() -> Vec<&'static Rule> {
    let mut rules = vec![
        &file::FILE_INVALID,
        &file::FRONT_MATTER,
        &file::YAML_INVALID,
        &structure::HEADER_MISSING,
        &structure::ID_INVALID,
        &structure::KIND_UNKNOWN,
        &structure::STATUS_INVALID,
        &answers::UNKNOWN_KEY,
        &answers::WRONG_TYPE,
        &answers::PERSON_INVALID,
        &answers::DATE_INVALID,
        &answers::URL_INVALID,
        &answers::ANSWER_MISSING,
        &answers::VALUE_TRUNCATED,
        &sections::SECTION_MISSING,
        &sections::CRITERIA_OPEN,
        &sections::CRITERION_MISSING,
        &attachments::ATTACHMENT_MISSING,
        &attachments::ATTACHMENT_INVALID,
        &attachments::CHECKLIST_MISSING,
    ];
    rules.extend(signoff::RULES);
    rules.extend(timeline::RULES);
    rules.extend(waiver::RULES);
    rules.push(&audit::SIGNOFF_AUDIT);
    rules
}

/// Look a rule up by id.
pub fn find(id: &str) -> Option<&'static Rule> {
    all().into_iter().find(|r| r.id == id)
}

/// What the rules need to know about one packet's check.
pub struct Ctx<'a> {
    /// The packet.
    pub packet: &'a Packet,
    /// Its kind, when known.
    pub kind: Option<&'a Kind>,
    /// The gate being checked.
    pub gate: Gate,
    /// The run's configuration.
    pub config: &'a Config,
    /// The day the check is for.
    pub today: NaiveDate,
    /// Findings so far.
    pub out: Vec<Diagnostic>,
}

impl Ctx<'_> {
    /// Error when the packet has reached `required_at`, warning before.
    pub fn severity(&self, required_at: Gate) -> Severity {
        if self.gate >= required_at {
            Severity::Error
        } else {
            Severity::Warning
        }
    }

    /// Record a finding in `handoff.md`.
    pub fn report(
        &mut self,
        rule: &'static Rule,
        severity: Severity,
        pos: Pos,
        len: usize,
        message: String,
        help: String,
    ) {
        if let Some(file) = &self.packet.file {
            self.out.push(Diagnostic::at(
                rule.id, severity, file, pos, len, message, help,
            ));
        }
    }

    /// Record a finding about a target a waiver may name (an answer path or a criterion's text).
    #[allow(clippy::too_many_arguments)]
    pub fn report_on(
        &mut self,
        rule: &'static Rule,
        severity: Severity,
        pos: Pos,
        len: usize,
        message: String,
        help: String,
        target: &str,
    ) {
        if let Some(file) = &self.packet.file {
            let mut d = Diagnostic::at(rule.id, severity, file, pos, len, message, help);
            d.target = Some(target.to_string());
            self.out.push(d);
        }
    }

    /// The kind version the packet was made under (`kind_version`, default 1).
    pub fn kind_version(&self) -> u32 {
        self.packet.kind_version()
    }

    /// Record a finding built elsewhere (e.g. in another file of the packet).
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.out.push(diagnostic);
    }
}

/// Run every rule over one loaded packet at `gate`.
pub fn check(
    packet: &Packet,
    kinds: &Kinds,
    gate: Gate,
    config: &Config,
    today: NaiveDate,
) -> Vec<Diagnostic> {
    let kind = kinds.get(packet.kind_name().unwrap_or(&config.settings.default_kind));
    let mut ctx = Ctx {
        packet,
        kind,
        gate,
        config,
        today,
        out: Vec::new(),
    };
    file::check(&mut ctx);
    if packet.front.is_some() {
        structure::check(&mut ctx, kinds);
        if let Some(kind) = kind {
            answers::check(&mut ctx, &kind.spec);
            attachments::check(&mut ctx, &kind.spec);
            signoff::check(&mut ctx, &kind.spec);
            waiver::check(&mut ctx, &kind.spec);
            timeline::check(&mut ctx, &kind.spec);
        }
    }
    if packet.file.is_some()
        && packet.problems.is_empty()
        && let Some(kind) = kind
    {
        sections::check(&mut ctx, &kind.spec);
    }
    let mut out = ctx.out;
    if let Some(kind) = kind {
        waiver::apply(&mut out, packet, &kind.spec, &config.settings, today);
    }
    out.sort_by(|a, b| (&a.file, a.pos.offset, a.rule).cmp(&(&b.file, b.pos.offset, b.rule)));
    out
}

pub use crate::suggest::did_you_mean;
