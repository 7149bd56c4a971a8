//! One truth at the sign-off: `sign`'s warnings and advice, `check`, `status`, `render` and
//! `stats` agree on what is still open for a packet, and following every piece of advice the
//! tool gives never turns `check` red.

use crate::common;
use common::Repo;
use std::path::Path;

const PM: &str = "Pat Morgan <pat@northwind.test>";
const OPS: &str = "Jordan Blake <jordan@northwind.test>";
const DIRECTOR: &str = "Ines Moreau <ines@northwind.test>";
const FILE: &str = "handoffs/winback-email/handoff.md";
const SHADOW: [&str; 3] = [
    "Receiving team ran the play on its own during the shadow period",
    "Shadow-period review held; alerts and dashboards tuned",
    "Shadow-period issues resolved or moved to the backlog",
];

/// The tour's packet as it stands on the morning of day 0 (2026-12-07): every answer in, the
/// KPI read from the bundled database into `metrics/kpi.csv` (so the series decides the
/// stability criterion, whose box stays unticked), the live run ticked, nothing gone wrong yet
/// (`shadow_log: []`), the shadow-period criteria open, and nobody signed.
fn tour_on_day_0() -> Repo {
    let repo = Repo::new();
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    repo.write(
        "handoff.toml",
        std::fs::read(examples.join("handoff.toml")).unwrap(),
    );
    common::copy_dir(&examples.join("data"), &repo.file("data"));
    common::copy_dir(
        &examples.join("handoffs/winback-email"),
        &repo.file("handoffs/winback-email"),
    );
    let mut text = repo
        .read(FILE)
        .replace("status: signed-off", "status: handed-off");
    let signoffs = text.find("signoffs:\n").unwrap();
    let end = signoffs + text[signoffs..].find("---\n").unwrap();
    text.replace_range(signoffs..end, "signoffs: []\n");
    let log = text.find("shadow_log:\n").unwrap();
    let end = log + text[log..].find("walkthrough:").unwrap();
    text.replace_range(log..end, "shadow_log: []\n");
    for c in ["KPI stable for 14 days before the handoff"]
        .iter()
        .chain(SHADOW.iter())
    {
        text = text.replace(&format!("- [x] {c}"), &format!("- [ ] {c}"));
    }
    repo.write(FILE, text);
    repo.commit_at(PM, "2026-11-30", "The win-back play, ready for day 0");
    repo
}

fn sign(repo: &Repo, role: &str, who: &str, today: &str) -> (String, String) {
    let (code, out, err) = repo.run_as(
        who,
        &["sign", "winback-email", "--role", role, "--today", today],
    );
    assert_eq!(code, 0, "{out}{err}");
    repo.commit_at(who, today, &format!("Sign off winback-email as {role}"));
    (out, err)
}

fn check(repo: &Repo, today: &str) -> (i32, String) {
    let (code, out, err) = repo.run(&["check", "--today", today, "--format", "concise"]);
    (code, format!("{out}{err}"))
}

/// Every advice `sign` printed that says to set the status forward must be one the gate takes:
/// the packet passes `--gate signed-off` that day. And when it says something is still open, the
/// gate indeed fails there.
fn advice_holds(repo: &Repo, advice: &str, today: &str) {
    let (code, out) = {
        let (code, out, err) = repo.run(&[
            "check",
            "--today",
            today,
            "--gate",
            "signed-off",
            "--format",
            "concise",
        ]);
        (code, format!("{out}{err}"))
    };
    if advice.contains("Next: set `status: signed-off`") {
        assert_eq!(
            code, 0,
            "advised to set signed-off, but the gate fails:\n{advice}\n{out}"
        );
    }
    if advice.contains("does not pass the signed-off gate yet") {
        assert_eq!(
            code, 1,
            "advised something is open, but the gate passes:\n{advice}\n{out}"
        );
    }
}

fn tick(repo: &Repo, criterion: &str) {
    let text = repo.read(FILE);
    let ticked = text.replace(&format!("- [ ] {criterion}"), &format!("- [x] {criterion}"));
    assert_ne!(text, ticked, "{criterion} was not open");
    repo.write(FILE, ticked);
}

#[test]
fn following_every_piece_of_advice_never_turns_check_red() {
    let repo = tour_on_day_0();
    let (code, out) = check(&repo, "2026-12-07");
    assert_eq!(code, 0, "{out}");

    // Day 0: three people sign. Nothing is open at the handed-off gate, so nothing is listed as
    // open; the stability criterion is the series' to decide, never an open box.
    let mut last = String::new();
    for (role, who) in [("pm", PM), ("ops-lead", OPS), ("revops-director", DIRECTOR)] {
        let (out, err) = sign(&repo, role, who, "2026-12-07");
        assert!(!err.contains("still open"), "{err}");
        assert!(
            !format!("{out}{err}").contains("- [ ] KPI stable"),
            "{out}{err}"
        );
        assert!(
            err.contains("3 criteria fall due later, the last by day +14 (Mon 2026-12-21)"),
            "{err}"
        );
        advice_holds(&repo, &out, "2026-12-07");
        last = out;
    }
    // The last signer is told what remains, each with its day, and not to set the status.
    assert!(!last.contains("set `status: signed-off` in"), "{last}");
    common::assert_contains_all(
        &last,
        &[
            "Every role has signed, but the packet does not pass the signed-off gate yet. Still open:",
            &format!("- [ ] {}: due day +3 (Thu 2026-12-10)", SHADOW[0]),
            &format!("- [ ] {}: due day +7 (Mon 2026-12-14)", SHADOW[1]),
            &format!("- [ ] {}: due day +14 (Mon 2026-12-21)", SHADOW[2]),
            "by day +14 (Mon 2026-12-21), when the signed-off gate applies",
        ],
    );
    let (code, out) = check(&repo, "2026-12-07");
    assert_eq!(code, 0, "{out}");
    // On day 0 the packet is not signed off, whatever its three signatures say.
    let stats = |today: &str| {
        let (code, out, err) = repo.run(&["stats", "--today", today, "--format", "json"]);
        assert_eq!(code, 0, "{err}");
        serde_json::from_str::<serde_json::Value>(&out).unwrap()["packets"][0].clone()
    };
    let day0 = stats("2026-12-07");
    assert!(day0["signed_off"].is_null(), "{day0:#}");
    assert!(day0["signed_by_day14"].is_null(), "{day0:#}");

    // The advice, followed: each criterion ticked once it holds, on its day; check stays green
    // every day (the sign-offs the ticks made stale are warnings until the signed-off gate).
    for (day, criterion) in [("2026-12-10", SHADOW[0]), ("2026-12-14", SHADOW[1])] {
        tick(&repo, criterion);
        repo.commit_at(OPS, day, "Shadow period: done");
        let (code, out) = check(&repo, day);
        assert_eq!(code, 0, "{day}: {out}");
    }
    for day in ["2026-12-08", "2026-12-11", "2026-12-15", "2026-12-19"] {
        let (code, out) = check(&repo, day);
        assert_eq!(code, 0, "{day}: {out}");
    }
    tick(&repo, SHADOW[2]);
    repo.commit_at(OPS, "2026-12-20", "Shadow-period issues in the backlog");
    let (code, out) = check(&repo, "2026-12-20");
    assert_eq!(code, 0, "{out}");
    // Nothing is open now: each role signs again, and the last is told to move the status.
    for (role, who) in [("pm", PM), ("ops-lead", OPS), ("revops-director", DIRECTOR)] {
        let (out, err) = sign(&repo, role, who, "2026-12-20");
        assert!(
            !err.contains("still open") && !err.contains("fall due later"),
            "{err}"
        );
        advice_holds(&repo, &out, "2026-12-20");
        last = out;
    }
    assert!(
        last.contains("Every role has signed. Next: set `status: signed-off` in handoffs/winback-email/handoff.md"),
        "{last}"
    );
    let text = repo
        .read(FILE)
        .replace("status: handed-off", "status: signed-off");
    repo.write(FILE, text);
    repo.commit_at(DIRECTOR, "2026-12-20", "Signed off");
    for day in ["2026-12-20", "2026-12-21", "2027-01-15", "2027-06-01"] {
        let (code, out) = check(&repo, day);
        assert_eq!(code, 0, "{day}: {out}");
    }
    // Signed off once that gate passed: on day +13, by day +14.
    let later = stats("2027-01-01");
    assert_eq!(later["signed_off"], "2026-12-20", "{later:#}");
    assert_eq!(later["signed_by_day14"], true, "{later:#}");
}

#[test]
fn sign_lists_only_what_check_reports_and_status_and_render_agree() {
    let repo = tour_on_day_0();
    // Day +4: the shadow run was due yesterday and is not ticked.
    let (code, doc) = repo.check_json(&["--today", "2026-12-11"]);
    assert_eq!(code, 1);
    let open: Vec<String> = common::diagnostics(&doc, "winback-email")
        .iter()
        .filter(|d| d["rule"] == "criteria-open" && d["severity"] == "error")
        .map(|d| {
            d["message"]
                .as_str()
                .unwrap()
                .replace("acceptance criterion not met: ", "")
        })
        .collect();
    assert_eq!(open, [SHADOW[0]]);
    let (code, _, err) = repo.run_as(
        OPS,
        &[
            "sign",
            "winback-email",
            "--role",
            "ops-lead",
            "--today",
            "2026-12-11",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let listed: Vec<&str> = err
        .lines()
        .filter_map(|l| l.strip_prefix("  - [ ] "))
        .collect();
    assert_eq!(listed, open, "{err}");
    assert!(
        err.contains("1 acceptance criterion is still open at the handed-off gate"),
        "{err}"
    );

    // status: the same open criterion, the others with their days; the KPI as check sees it.
    let (_, out, _) = repo.run(&["status", "--today", "2026-12-11", "--format", "json"]);
    let row = &serde_json::from_str::<serde_json::Value>(&out).unwrap()["packets"][0];
    assert_eq!(row["criteria_open"], serde_json::json!([SHADOW[0]]));
    assert_eq!(row["criteria_due"][0]["criterion"], SHADOW[1]);
    assert_eq!(row["criteria_due"][0]["date"], "2026-12-14");
    assert_eq!(row["kpi"]["standing"]["state"], "stable");

    // render: the stability criterion shows what the numbers say, not an unticked box; the
    // open one is open, the later ones carry their day.
    let (code, md, err) = repo.run(&["render", "winback-email", "--today", "2026-12-11"]);
    assert_eq!(code, 0, "{err}");
    common::assert_contains_all(
        &md,
        &[
            "- [x] KPI stable for 14 days before the handoff — _decided by the KPI series: stable_",
            &format!("- [ ] {} — _open: not met_", SHADOW[0]),
            &format!("- [ ] {} — _due day +7 (Mon 2026-12-14)_", SHADOW[1]),
        ],
    );
}

#[test]
fn status_shows_the_kpi_as_check_judges_it() {
    let repo = Repo::new();
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    repo.write(
        "handoff.toml",
        std::fs::read(examples.join("handoff.toml")).unwrap(),
    );
    common::copy_dir(
        &examples.join("handoffs/partner-referrals"),
        &repo.file("handoffs/partner-referrals"),
    );
    let (_, doc) = repo.check_json(&["--today", "2026-12-07"]);
    let unstable = common::diagnostics(&doc, "partner-referrals")
        .iter()
        .any(|d| d["rule"] == "kpi-unstable" && d["severity"] == "error");
    assert!(unstable, "{doc:#}");
    let (_, out, _) = repo.run(&["status", "--today", "2026-12-07"]);
    let row = out
        .lines()
        .find(|l| l.starts_with("partner-referrals"))
        .expect("row");
    assert!(row.contains("unstable") && !row.contains(" ok "), "{out}");
    let (_, out, _) = repo.run(&["status", "--today", "2026-12-07", "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["packets"][0]["kpi"]["standing"]["state"], "unstable");
    assert_eq!(doc["packets"][0]["kpi"]["stable"], false);
}
