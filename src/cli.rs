//! The command line: commands, flags and their help texts (the help is the first manual).

use crate::commands::args::{TextFormat, parse_date};
use crate::commands::check::CheckArgs;
use crate::commands::new::NewArgs;
use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Handoffs between teams as contracts kept in git.
///
/// A packet is a folder under `handoffs/` with a `handoff.md`: YAML answers to the kind's questions
/// (owner, metric, runbook, risks, backlog, ...) and a markdown story with acceptance criteria.
/// `handoff check` is the readiness gate; its gate follows the packet's status and its timeline.
#[derive(Debug, Parser)]
#[command(
    name = "handoff",
    version,
    propagate_version = true,
    max_term_width = 100
)]
pub struct Cli {
    /// Run as if started in DIR.
    #[arg(short = 'C', long = "dir", global = true, value_name = "DIR")]
    pub dir: Option<PathBuf>,

    /// When to use colour: auto (a terminal, and NO_COLOR unset), always or never.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// Print only what failed, with every reason (and nothing on success).
    #[arg(short, long, global = true)]
    pub quiet: bool,

    /// Also print what is worth knowing though it asks nothing of anyone (e.g. that a signed-off
    /// packet's kind has gained questions since).
    #[arg(short, long, global = true, conflicts_with = "quiet")]
    pub verbose: bool,

    #[command(subcommand)]
    pub command: Command,
}

const KINDS_HELP: &str = "List the kinds available here and what each requires.

A kind is a folder with a kind.yaml and the templates `handoff new` renders (*.j2, minijinja).
Built-in kinds ship in the binary; a repo adds or overrides kinds in .handoff/kinds/<name>/.

kind.yaml:
  name: support-rotation              # must equal the folder name
  summary: One line saying which handoff this kind is for
  version: 2                          # raise it when the kind gains a requirement (default 1)
  owners: [owner.primary]             # answers naming the people `handoff remind` pings
  fields:                             # the questions (front matter keys)
    - key: owner
      type: map                       # text | person | date | url | file | list | map
      title: Owner                    # heading in the review document
      prompt: Who runs it afterwards? # becomes the TODO placeholder and the help text
      fields:                         # keys of a map, or of each item of a list of maps
        - key: primary
          type: person
          prompt: Who runs it day to day?
          example: Maria Lopez <maria@acme.test>
    - key: walkthrough
      type: url
      gate: handed-off                # required from this gate on (default: ready)
      required: true                  # default true
      prompt: Link to the recorded walkthrough
    - key: retro_link
      type: url
      since: 2                        # added in version 2: older packets get a warning only
      due: 7                          # not required before day +7, even at its gate
      prompt: Link to the shadow-period retro
    - key: result
      type: text
      one_of: [pass, fail]            # the only answers (the editor offers them)
      expect: pass                    # from its gate, any other answer is an error
      prompt: Did the dry run pass?
    - key: queues
      type: list
      item: text
      prompt: Which queues move? The matrix needs a row for each
    - use: live_meeting               # a question kinds share: discovery | live_meeting
  # other field settings: item (type of list items), min_items, checklists and default (for files)
  questions: {owner: owner, metric: result, runbook: retro_link, risks: queues, backlog: queues}
                                      # where the kind asks the five questions every handoff answers
  decision: [owner, result]           # answers the review document's decision block shows
  sections:                           # markdown sections the body must have
    - title: Acceptance criteria
      prompt: checkable conditions, as `- [ ]` items
      tasks: true                     # must hold task items
      all_checked: handed-off         # every item checked from this gate on
    - title: Routing matrix
      prompt: who takes each queue
      table:                          # `table: true` for any table, or its shape:
        columns: [Queue, Goes to, Within]
        numbers: [Within]             # every cell in these columns carries a number
        covers: {column: Queue, field: queues}   # a row for every item of this answer
        catch_all: Queue              # one row for everything else (Any other, Default, *)
  roles:                              # who signs off
    - name: ops-lead
      description: Accepts ownership of the alerts and the backlog
      receives: true                  # the receiving team's: may send it back from a review
    - name: owner
      description: The owner agrees
      held_by: owner.primary          # only the person this answer names may sign
    - name: security-lead
      description: Reviews a risky change
      when: {field: result, one_of: [fail]}   # must sign only when the answer says so
  allow_same_signer: false            # one person may hold several sign-offs (default false)
  criteria:                           # required in the packet; `handoff new` writes them
    - KPI stable for 14 days
    - text: Receiving team ran it alone during the shadow period
      due: 3                          # checked from day +3 (default: the handed-off gate)
      since: 2
  criteria_from:                      # one criterion per item of a list answer
    - field: queues
      text: Permissions verified for {}
  waivers: {max_days: 90, approvers: [ops-lead]}   # `handoff waive` limits (default: 90, anyone)
  timeline:                           # milestones, days relative to day 0 (within ten years)
    - day: -2
      title: Owners finish the runbooks
      evidence: {status: ready}       # field: <path> | task: <text> | status: <status> |
                                      # section: <title> | signed: true; a dated field gives
                                      # the day it was done (late when after the milestone)
  gates: {ready: -2, handed-off: 0, signed-off: 14}   # the days the calendar reaches each gate";

/// Colour choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Colour when printing to a terminal and NO_COLOR is not set.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scaffold a new packet from a kind's templates.
    ///
    /// Writes `handoffs/<ID>/handoff.md` (and the kind's other files, such as `runbook.md`) with a
    /// `TODO:` placeholder for every question. Refuses to touch an existing packet.
    New(NewArgs),
    /// Check packets against their kind at the gate that applies (the readiness gate in CI).
    ///
    /// The gate is the later of what the packet's status claims and what the calendar says
    /// (day −2: ready, day 0: handed-off, day +14: signed-off). Below its gate a missing answer is a
    /// warning; at its gate, an error.
    ///
    /// Exit status: 0 every packet passes, 1 a gate failed, 2 the check could not run.
    Check(CheckArgs),
    /// Record your sign-off for a role (edits only that entry's lines).
    ///
    /// You sign as git's author identity. A role named in handoff.toml's [people] (or bound by the
    /// kind to a packet field) may be signed only by the people it names; one person holds one
    /// sign-off per packet; someone else's fresh sign-off is replaced only with --replace. The
    /// sign-off carries a digest of the packet's files; any later edit, or a status moved back,
    /// makes it stale (moving the status forward does not). Commit the change as the signer.
    ///
    /// Exit status: 0 signed, 2 refused (not a holder, not ready, cannot edit the file exactly).
    Sign(crate::commands::sign::SignArgs),
    /// Waive an answer or an acceptance criterion: why it does not apply, and until when.
    ///
    /// Writes a waiver (target, reason, until, by, at) into the packet's `waivers` list, changing
    /// only that entry's lines. While it holds, `check` treats the target as met and says so;
    /// after `--until` it is an error. The kind caps how far ahead `--until` may be (90 days unless
    /// it says otherwise) and may name the roles whose holders may grant waivers. Commit the change.
    ///
    /// Exit status: 0 waived, 2 refused (unknown target, no reason, date too far, not an approver).
    Waive(crate::commands::waive::WaiveArgs),
    /// Turn down an incomplete handoff: record why, and move the status back.
    ///
    /// For the receiving team. Adds an entry (at, by, from, reason) to the packet's `sent_back`
    /// list and sets the status back (to draft unless --to says otherwise), changing only those
    /// lines. `log`, `status` and `render` show the reason; `stats` counts send-backs. Commit the
    /// change.
    ///
    /// Exit status: 0 sent back, 2 refused (no reason, a draft, not an earlier status).
    SendBack(crate::commands::send_back::SendBackArgs),
    /// Carry out what an account asked for on a pull request: sign off, send back, waive.
    ///
    /// Reads the webhook event GitHub Actions writes to $GITHUB_EVENT_PATH. A review that approves
    /// signs off every role its author holds (in handoff.toml [people] at the base, through
    /// `github = "login"`) in the packets the pull request changes, or the roles and packets
    /// named by `/handoff sign ROLE [PACKET…]` lines in it; a review requesting changes, by a
    /// holder of a receiving role, sends them back with its text as the reason. A comment on the
    /// pull request carries `/handoff sign ROLE [PACKET…]`, `/handoff send-back PACKET REASON…` or
    /// `/handoff waive PACKET TARGET --until DATE --reason REASON…`, one a line. Each record
    /// names the review or comment (`via`), the person bound to the account, and the forge's
    /// time; `check --evidence` holds it to the forge's own record. Commit what it writes.
    ///
    /// Exit status: 0 recorded, 2 refused (an account bound to no role, a review of an older
    /// commit or in another state, a comment on an issue, an unknown command, a role the account
    /// does not hold, a payload of another event); a refusal leaves every file as it was.
    Apply(crate::commands::apply::ApplyArgs),
    /// Run the language server: `check`'s findings, hover, completion and quick fixes in your editor.
    ///
    /// Speaks the Language Server Protocol over stdin and stdout; start it from an editor's
    /// language client (README: "In your editor"). It checks the packet you edit as you type,
    /// unsaved text included, at the gate that applies today, with the same rules and kinds as
    /// `check`.
    Lsp(LspArgs),
    /// Move a packet to its kind's current version, adding the questions and criteria it gained.
    ///
    /// New questions are added as `TODO:` placeholders and new criteria as unchecked items; the
    /// packet's `kind_version` is set to the kind's. Until then, what the kind gained is asked as a
    /// warning, never required.
    Upgrade(crate::commands::upgrade::UpgradeArgs),
    /// Show the packet's milestones: dates from day 0, weekdays, and where each stands.
    Timeline(crate::commands::timeline::TimelineArgs),
    /// Render the review document: answers, criteria, timeline and sign-offs, in markdown or HTML.
    Render(crate::commands::render::RenderArgs),
    /// Tell the packet's story from git history: who changed which answer, statuses, sign-offs.
    ///
    /// Flags sign-offs committed by someone other than the signer, and sign-offs not committed
    /// yet; exits 1 when a sign-off the packet still carries is flagged. In a shallow clone the
    /// audit is skipped, with a note.
    Log(crate::commands::log::LogArgs),
    /// Every packet in one table: stage, day number, next milestone, gate verdict; most urgent first.
    ///
    /// Exit status: 0 (a report, whatever the verdicts), or with --check 1 when any packet fails
    /// its gate; 2 the command could not run.
    Status(crate::commands::status::StatusArgs),
    /// What falls due in the next days across all packets, and whom to ping (text, JSON or Slack).
    ///
    /// Overdue milestones first, then what falls due in the window, then waivers that end in it.
    /// Exit status: 0 (a report, whatever it lists); 2 the command could not run.
    Remind(crate::commands::remind::RemindArgs),
    /// The KPI as evidence: pull each packet's daily series from its source into the packet.
    Metrics(crate::commands::metrics::MetricsArgs),
    /// Handoff quality figures from git history: transition time, on-time sign-off, rework, ...
    Stats(crate::commands::stats::StatsArgs),
    /// Pick a signed-off packet at random for a runbook drill and print its checklists.
    Drill(crate::commands::drill::DrillArgs),
    /// List the kinds available here and what each requires.
    #[command(long_about = KINDS_HELP)]
    Kinds {
        /// Show one kind in full.
        #[arg(add = crate::commands::complete::kinds())]
        kind: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = TextFormat::Text)]
        format: TextFormat,
    },
    /// Explain a rule: what it checks, why it matters, and an example.
    Explain {
        /// The rule id, as `handoff check` prints it before each finding, e.g. `answer-missing`
        /// (omit to list every rule).
        #[arg(add = crate::commands::complete::rules())]
        rule: Option<String>,
        /// Print every rule's documentation as one markdown page (what docs/rules.md holds).
        #[arg(long, conflicts_with = "rule")]
        markdown: bool,
    },
    /// Print a JSON Schema of the front matter, for editors (completion and typo checks).
    ///
    /// With --config, the schema of handoff.toml instead, for TOML editors (Taplo, Even Better
    /// TOML) that read `#:schema ./.handoff/config.schema.json` on its first line.
    Schema {
        /// Only this kind (default: every kind, chosen by `kind:`).
        #[arg(long, conflicts_with = "config")]
        kind: Option<String>,
        /// The schema of handoff.toml: settings, [people] entries and [trust].
        #[arg(long)]
        config: bool,
    },
    /// Set up this repo: handoff.toml, the packets folder, an editor schema and a CI workflow.
    ///
    /// Never overwrites a file that exists.
    Init(crate::commands::init::InitArgs),
    /// Print a shell completion script (e.g. `handoff completions bash > /etc/bash_completion.d/handoff`).
    ///
    /// The script asks `handoff` itself for candidates as you type, so packet ids, kinds, roles and
    /// rule ids complete from the repository you are in.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the manual page (e.g. `handoff man > handoff.1`), or write every page to a folder.
    Man {
        /// Write `handoff.1` and one page per subcommand (`handoff-check.1`, ...) into DIR.
        #[arg(long, value_name = "DIR")]
        out_dir: Option<std::path::PathBuf>,
    },
}

/// `handoff lsp`.
#[derive(Debug, Args)]
pub struct LspArgs {
    /// Check as of DATE (YYYY-MM-DD) instead of today.
    #[arg(long, value_parser = parse_date, env = "HANDOFF_TODAY", hide_env_values = true, value_name = "DATE")]
    pub today: Option<NaiveDate>,
}
