//! `handoff init`: set up a repo for handoff packets. Never overwrites anything.

use super::Env;
use crate::facts::error::Error;
use crate::facts::workspace::Workspace;
use std::path::Path;

/// Flags of `handoff init`.
#[derive(Debug, clap::Args)]
pub struct InitArgs {
    /// The packets root to create.
    #[arg(long, default_value = "handoffs")]
    pub packets: String,
}

const CONFIG: &str = r#"#:schema ./.handoff/config.schema.json
# handoff configuration. Every setting has a default; uncomment to change it.

# Where packets live, relative to this file.
packets = "{packets}"

# The kind `handoff new` uses without --kind (see `handoff kinds`).
# default_kind = "generic"

# Milestones on a weekend: "warn" keeps the date and warns; "shift-earlier" moves them to the Friday before.
# weekends = "warn"

# Role names that packets may use instead of `Name <email>`; also who `handoff remind` pings.
# An entry named like a sign-off role binds it: only the people it names may sign. A person is
# "Name <email>", or a table that also binds their GitHub account (their pull request reviews and
# /handoff comments count as theirs) and the keys they sign commits with.
[people]
# ops-lead = "Jordan Blake <jordan@example.com>"
# revops-director = { name = "Ines Moreau", email = "ines@example.com", github = "imoreau", signing_keys = ["ssh-ed25519 AAAA… ines@laptop"] }

# What proves that a sign-off, waiver or send-back comes from the person it names: "identity"
# (git's author identity, which anyone can type), "signature" (a commit signed with a key bound
# above), "forge" (a pull request review or comment by the account bound above). Any of those
# listed counts; read from the pull request's base in CI.
# [trust]
# proof = ["signature", "forge"]
"#;

const WORKFLOW: &str = r#"# The handoff readiness gate, and approvals given on the pull request.
#
# - Every pull request (no path filter, so that it can be a required check: a pull request that
#   touches no packet checks only the packets the calendar moved) and every morning (the gate
#   follows the calendar, so a packet can start failing without a commit).
# - A review that approves a pull request records a sign-off for each role its author holds
#   (`github = "login"` in handoff.toml [people], read from the base); a review requesting
#   changes sends the packets back; `/handoff sign ROLE`, `/handoff send-back PACKET REASON…` and
#   `/handoff waive PACKET TARGET --until DATE --reason REASON…` comments do what they say. The
#   record is committed to the pull request's branch (for a pull request from a fork, the job
#   summary shows it for a maintainer to apply), and the gate checks it against GitHub's own
#   record of the reviews and comments.
#
# This job holds a write token, so it treats the pull request as data: it runs a released
# handoff (the action below, pinned), never code built or scripted from the pull request.
# Require the status check named "handoff" in branch protection: the job sets it on the commit
# it judged, including a commit it made itself (a push with this token starts no new run).
name: handoff
on:
  pull_request:
  pull_request_review:
    types: [submitted]
  issue_comment:
    types: [created]
  schedule:
    - cron: "0 7 * * 1-5"
  workflow_dispatch:
permissions: {}
concurrency:
  group: handoff-${{ github.event.pull_request.number || github.event.issue.number || github.ref }}
  cancel-in-progress: false
jobs:
  check:
    # A comment matters only on a pull request, and only when it asks something of handoff.
    if: github.event_name != 'issue_comment' || (github.event.issue.pull_request && contains(github.event.comment.body, '/handoff'))
    runs-on: ubuntu-latest
    permissions:
      contents: write        # commit an approval to the pull request's branch
      pull-requests: read    # the reviews: the forge's record of who approved
      issues: read           # the comments
      statuses: write        # the verdict on the commit judged
    steps:
      - uses: actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1
        with:
          fetch-depth: 0
          # The reviewed commit for a review, the pull request's head for a comment.
          ref: ${{ github.event_name == 'pull_request_review' && github.event.pull_request.head.sha || github.event_name == 'issue_comment' && format('refs/pull/{0}/head', github.event.issue.number) || '' }}
      - uses: handoff-dev/handoff@v{version}
        with:
          format: github
          github-token: ${{ github.token }}
          # On a pull request, the packets it touches and those the calendar moved.
          changed-since: ${{ github.event_name == 'pull_request' && format('origin/{0}', github.base_ref) || '' }}
"#;

/// Create what is missing; report what was kept.
pub fn run(env: &Env, args: &InitArgs) -> Result<u8, Error> {
    let folder = Path::new(&args.packets);
    let plain = folder
        .components()
        .all(|c| matches!(c, std::path::Component::Normal(_)));
    if args.packets.trim().is_empty() || !plain {
        return Err(Error::usage(
            format!("`{}` is not a usable folder name", args.packets),
            "use a relative folder such as `handoffs`",
        ));
    }
    let root = &env.cwd;
    let ws = Workspace::open(root)?;
    let schema = serde_json::to_string_pretty(&crate::output::schema::generate(&ws.kinds, None))
        .unwrap_or_default()
        + "\n";
    let files = [
        (
            crate::facts::config::FILE_NAME.to_string(),
            CONFIG.replace("{packets}", &args.packets),
        ),
        (format!("{}/.gitkeep", args.packets), String::new()),
        (".handoff/schema.json".to_string(), schema),
        (
            ".handoff/config.schema.json".to_string(),
            serde_json::to_string_pretty(&crate::output::schema::config()).unwrap_or_default()
                + "\n",
        ),
        (
            ".github/workflows/handoff.yml".to_string(),
            WORKFLOW
                .replace("{packets}", &args.packets)
                .replace("{version}", env!("CARGO_PKG_VERSION")),
        ),
    ];
    for (rel, text) in files {
        let path = root.join(&rel);
        if path.exists() {
            if !env.quiet {
                println!("kept     {rel} (already there)");
            }
            continue;
        }
        write_new(root, &path, &text)?;
        if !env.quiet {
            println!("created  {rel}");
        }
    }
    if !env.quiet {
        println!(
            "\nNext: handoff new <id> --kind <kind> --day0 <YYYY-MM-DD> --from <team> --to <team>"
        );
        println!("      (`handoff kinds` lists the kinds)");
    }
    Ok(0)
}

/// Create `path` (never replacing anything), refusing a folder that a link leads out of `root`.
fn write_new(root: &Path, path: &Path, text: &str) -> Result<(), Error> {
    let io = |doing| {
        move |source| Error::Io {
            path: path.to_path_buf(),
            doing,
            source,
        }
    };
    if let Some(dir) = path.parent() {
        // The deepest folder that exists must resolve inside the repository before anything is
        // created below it: a committed link (`.github -> /elsewhere`) would lead the writes out.
        let existing = dir
            .ancestors()
            .find(|a| crate::support::inside::exists(a))
            .unwrap_or(root);
        crate::support::inside::resolve_inside(existing, root).map_err(|e| {
            Error::usage(
                format!("{}: {e}", crate::support::paths::shown(existing)),
                "make it a real folder inside the repository, or remove the link",
            )
        })?;
        std::fs::create_dir_all(dir).map_err(io("cannot create the folder"))?;
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(io("cannot create"))?;
    std::io::Write::write_all(&mut file, text.as_bytes()).map_err(io("cannot write"))
}
