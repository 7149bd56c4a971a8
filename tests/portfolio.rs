//! The portfolio view: status, reminders, calendar export, quality figures and drills.

mod common;
use common::Repo;

/// Two packets on different timelines: winback-email (day 0 2026-12-07) and a generic packet
/// whose day 0 is 2026-12-09.
fn two_packets() -> Repo {
    let repo = Repo::new();
    repo.copy_example("winback-email");
    repo.copy_example("onboarding-kickoff");
    let path = "handoffs/onboarding-kickoff/handoff.md";
    repo.write(
        path,
        repo.read(path)
            .replace("day0: 2027-09-06", "day0: 2026-12-09"),
    );
    repo
}

#[test]
fn remind_lists_exactly_the_milestones_in_the_window_with_their_people() {
    let repo = two_packets();
    let (code, stdout, _) = repo.run(&[
        "remind",
        "--today",
        "2026-12-05",
        "--within",
        "2d",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0);
    let doc: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let got: Vec<(String, String, String)> = doc["reminders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["packet"].as_str().unwrap().into(),
                r["date"].as_str().unwrap().into(),
                r["day"].as_str().unwrap().into(),
            )
        })
        .collect();
    // winback: -2 (12-05) is done (status ready), 0 (12-07) is due; onboarding: -3 (12-06) shows
    // its evidence (the trigger is answered), -2 (12-07) is due.
    assert_eq!(
        got,
        [
            (
                "onboarding-kickoff".to_string(),
                "2026-12-07".into(),
                "-2".into()
            ),
            ("winback-email".into(), "2026-12-07".into(), "0".into()),
        ]
    );
    let reminders = doc["reminders"].as_array().unwrap();
    assert_eq!(
        reminders[0]["people"],
        serde_json::json!([
            "Dana Kim <dana@northwind.test>",
            "Omar Haddad <omar@northwind.test>"
        ])
    );
    assert_eq!(
        reminders[1]["people"],
        serde_json::json!([
            "Aisha Khan <aisha@northwind.test>",
            "Tomas Weber <tomas@northwind.test>"
        ])
    );

    // The sign-off milestone pings the roles' people from handoff.toml.
    let (_, stdout, _) = repo.run(&[
        "remind",
        "--today",
        "2026-12-20",
        "--within",
        "1d",
        "--format",
        "json",
    ]);
    let doc: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let signoff = doc["reminders"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["day"] == "+14")
        .expect("+14 due on 12-21");
    let people: Vec<&str> = signoff["people"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    // Roles bound in [people] resolve to their holders, delegates included.
    for who in [
        "Pat Morgan <pat@northwind.test>",
        "Jordan Blake <jordan@northwind.test>",
        "Sam Lee <sam.lee@northwind.test>",
        "Ines Moreau <ines@northwind.test>",
    ] {
        assert!(people.contains(&who), "{who} in {people:?}");
    }

    let (_, text, _) = repo.run(&["remind", "--today", "2026-12-05", "--within", "0d"]);
    assert!(text.contains("Nothing falls due"), "{text}");

    let (_, slack, _) = repo.run(&[
        "remind",
        "--today",
        "2026-12-05",
        "--within",
        "2d",
        "--format",
        "slack",
    ]);
    let payload: serde_json::Value = serde_json::from_str(&slack).unwrap();
    assert_eq!(payload["blocks"][0]["type"], "header");
    assert_eq!(payload["blocks"].as_array().unwrap().len(), 3);
    assert!(
        payload["blocks"][2]["text"]["text"]
            .as_str()
            .unwrap()
            .contains("Aisha Khan &lt;aisha@northwind.test&gt;")
    );
}

#[test]
fn status_sorts_by_urgency_and_shows_day_numbers() {
    let repo = two_packets();
    repo.copy_example("partner-referrals");
    let (code, stdout, _) = repo.run(&["status", "--today", "2026-12-05", "--format", "json"]);
    assert_eq!(code, 0);
    let doc: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let rows = doc["packets"].as_array().unwrap();
    let ids: Vec<&str> = rows.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        ["partner-referrals", "onboarding-kickoff", "winback-email"]
    );
    // Every milestone past its day without its evidence is overdue: -7 to +14 but the walkthrough.
    assert_eq!(rows[0]["overdue"].as_array().unwrap().len(), 6);
    assert_eq!(rows[1]["day"], "-4");
    // Its day -3 milestone (the draft) shows its evidence; next is day -2.
    assert_eq!(rows[1]["next_date"], "2026-12-07");
    assert_eq!(rows[2]["day"], "-2");
    assert_eq!(
        rows[2]["next_milestone"],
        "Live handoff walkthrough and Q&A"
    );
    let (_, text, _) = repo.run(&["status", "--today", "2026-12-05"]);
    assert!(
        text.contains("winback-email")
            && text.contains(" -2 ")
            && text.contains("FAIL (signed-off"),
        "{text}"
    );
}

#[test]
fn ics_parses_with_a_real_parser_one_event_per_milestone() {
    use icalendar::{CalendarComponent, Component, DatePerhapsTime};
    let repo = two_packets();
    let parse = |args: &[&str]| -> Vec<(String, chrono::NaiveDate)> {
        let (code, stdout, _) = repo.run(args);
        assert_eq!(code, 0);
        let cal: icalendar::Calendar = stdout
            .parse()
            .unwrap_or_else(|e| panic!("unparsable ICS: {e}\n{stdout}"));
        cal.components
            .iter()
            .filter_map(|c| match c {
                CalendarComponent::Event(e) => Some(e),
                _ => None,
            })
            .map(|e| {
                let start = match e.get_start() {
                    Some(DatePerhapsTime::Date(d)) => d,
                    other => panic!("not an all-day event: {other:?}"),
                };
                assert!(e.get_summary().is_some());
                (e.get_uid().unwrap().to_string(), start)
            })
            .collect()
    };
    let events = parse(&["timeline", "winback-email", "--format", "ics"]);
    let dates: Vec<String> = events.iter().map(|(_, d)| d.to_string()).collect();
    assert_eq!(dates, common::WINBACK_TIMELINE);
    assert!(
        events[3].0.ends_with("@handoff") && events[3].0.len() == 40,
        "{events:?}"
    );
    let all = parse(&["status", "--format", "ics"]);
    assert_eq!(all.len(), 7 + 4);
    let mut uids: Vec<&String> = all.iter().map(|e| &e.0).collect();
    uids.sort();
    uids.dedup();
    assert_eq!(uids.len(), all.len(), "one UID per milestone: {all:?}");
    // Stable UIDs: a second export names the same events.
    assert_eq!(
        parse(&["status", "--format", "ics"])
            .into_iter()
            .map(|e| e.0)
            .collect::<Vec<_>>(),
        all.into_iter().map(|e| e.0).collect::<Vec<_>>()
    );
}

/// The UIDs of `ics`, with every line checked for raw control and bidi characters.
fn ics_uids(ics: &str) -> Vec<String> {
    for line in ics.split("\r\n") {
        assert!(
            !line.chars().any(|c| c.is_control()
                || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}')),
            "a raw control or bidi character: {line:?}"
        );
    }
    ics.split("\r\n")
        .filter_map(|l| l.strip_prefix("UID:"))
        .map(str::to_string)
        .collect()
}

#[test]
fn ics_uids_are_unique_per_milestone_and_the_same_however_the_repo_is_named() {
    let repo = Repo::new();
    repo.copy_example("billing-api-4-2");
    // A title with a terminal escape, a bidi override and a carriage return.
    let path = "handoffs/billing-api-4-2/handoff.md";
    let text = repo.read(path);
    let title_line = text
        .lines()
        .find(|l| l.starts_with("title:"))
        .unwrap()
        .to_string();
    repo.write(
        path,
        text.replacen(
            &title_line,
            "title: \"Billing \\e[2J API\\u202e 4.2\\r\\nX-INJECTED: 1\"",
            1,
        ),
    );
    repo.commit_as("Test User <test@example.test>", "packets");
    let (code, ics, err) = repo.run(&["status", "--format", "ics", "--today", "2026-12-05"]);
    assert_eq!(code, 0, "{err}");
    assert!(ics.contains("PRODID:-//handoff-dev//handoff "), "{ics}");
    assert!(!ics.contains("\r\nX-INJECTED"), "{ics}");
    let uids = ics_uids(&ics);
    // The release kind has two milestones on day +7: two events, two UIDs.
    assert_eq!(uids.len(), 7, "{ics}");
    let mut unique = uids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), uids.len(), "{uids:?}");
    let parsed: icalendar::Calendar = ics.parse().unwrap();
    assert_eq!(parsed.components.len(), 7);

    // The same repository named by --repo as a relative path, an absolute one and through a
    // link: the same UIDs.
    let outside = tempfile::tempdir().unwrap();
    let link = outside.path().join("link-to-repo");
    #[cfg(unix)]
    std::os::unix::fs::symlink(repo.path(), &link).unwrap();
    let from = |cwd: &std::path::Path, spelled: &str| {
        let out = repo
            .handoff()
            .current_dir(cwd)
            .args([
                "status",
                "--format",
                "ics",
                "--today",
                "2026-12-05",
                "--repo",
                spelled,
            ])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        ics_uids(&String::from_utf8_lossy(&out.stdout))
    };
    let parent = repo.path().parent().unwrap();
    let name = repo.path().file_name().unwrap().to_str().unwrap();
    assert_eq!(from(parent, name), uids);
    assert_eq!(from(outside.path(), repo.path().to_str().unwrap()), uids);
    #[cfg(unix)]
    assert_eq!(from(outside.path(), "link-to-repo"), uids);
    // And from a second clone.
    let clone = tempfile::tempdir().unwrap();
    let status = std::process::Command::new("git")
        .args(["clone", "-q"])
        .arg(repo.path())
        .arg(clone.path().join("c"))
        .status()
        .unwrap();
    assert!(status.success());
    assert_eq!(from(clone.path(), "c"), uids);
}

#[test]
fn stats_on_a_scripted_history() {
    let repo = Repo::new();
    repo.copy_example("winback-email");
    let path = "handoffs/winback-email/handoff.md";
    let edit = |from: &str, to: &str| repo.write(path, repo.read(path).replacen(from, to, 1));
    edit("status: ready", "status: draft");
    repo.commit_at(
        "Pat <pat@northwind.test>",
        "2026-11-20",
        "Create the packet",
    );
    edit("status: draft", "status: ready");
    repo.commit_at("Pat <pat@northwind.test>", "2026-11-25", "Ready");
    edit("Reactivated trial accounts", "Reactivated trials");
    repo.commit_at(
        "Pat <pat@northwind.test>",
        "2026-11-27",
        "Rename the KPI (rework)",
    );
    edit("status: ready", "status: draft");
    repo.commit_at(
        "Jordan <jordan@northwind.test>",
        "2026-11-28",
        "Send back: alerts missing",
    );
    edit("status: draft", "status: ready");
    edit("- [ ]", "- [x]");
    edit("- [ ]", "- [x]");
    repo.commit_at("Pat <pat@northwind.test>", "2026-11-30", "Alerts in place");
    for (role, who) in [
        ("pm", "Pat <pat@northwind.test>"),
        ("ops-lead", "Jordan <jordan@northwind.test>"),
    ] {
        repo.sign("winback-email", role, who);
        repo.commit_at(who, "2026-12-10", &format!("Sign as {role}"));
    }
    edit("2 business hours", "3 business hours");
    repo.commit_at(
        "Jordan <jordan@northwind.test>",
        "2026-12-12",
        "Relax the SLA after signing",
    );
    // Reverted, then redone: still one stale period for each of the two sign-offs.
    edit("3 business hours", "2 business hours");
    repo.commit_at(
        "Pat <pat@northwind.test>",
        "2026-12-13",
        "Revert the SLA change",
    );
    edit("2 business hours", "3 business hours");
    repo.commit_at(
        "Jordan <jordan@northwind.test>",
        "2026-12-14",
        "Relax the SLA again",
    );
    for (role, who) in [
        ("pm", "Pat <pat@northwind.test>"),
        ("ops-lead", "Jordan <jordan@northwind.test>"),
        ("revops-director", "Ines <ines@northwind.test>"),
    ] {
        repo.sign("winback-email", role, who);
        repo.commit_at(who, "2026-12-15", &format!("Re-sign as {role}"));
    }
    let (code, stdout, stderr) = repo.run(&["stats", "--today", "2027-04-01", "--format", "json"]);
    assert_eq!(code, 0, "{stderr}");
    let doc: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let p = &doc["packets"][0];
    assert_eq!(p["id"], "winback-email");
    assert_eq!(p["created"], "2026-11-20");
    assert_eq!(p["signed_off"], "2026-12-15");
    assert_eq!(p["transition_days"], 25);
    assert_eq!(p["signed_by_day14"], true);
    assert_eq!(p["alive_at_90_days"], true);
    assert_eq!(
        p["rework"], 4,
        "the KPI rename and the three SLA changes came after ready"
    );
    assert_eq!(p["sent_back"], 1);
    assert_eq!(p["stale_signoffs"], 2, "each sign-off goes stale once");
    assert_eq!(p["commits"], 13);
    assert_eq!(doc["overall"]["median_transition_days"], 25.0);
    // Before 90 days have passed, durability is unknown; --since filters by creation.
    let (_, stdout, _) = repo.run(&["stats", "--today", "2027-01-01", "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert!(doc["packets"][0]["alive_at_90_days"].is_null());
    let (_, stdout, _) = repo.run(&["stats", "--since", "2026-11-21", "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(doc["overall"]["packets"], 0);
}

#[test]
fn drill_picks_a_signed_off_packet_and_prints_its_checklists() {
    let repo = Repo::new();
    repo.copy_example("billing-api-4-2");
    repo.copy_example("winback-email");
    let (code, stdout, _) = repo.run(&["drill", "--seed", "1"]);
    assert_eq!(code, 0);
    assert!(
        stdout.starts_with("Drill: billing-api-4-2"),
        "only signed-off packets qualify: {stdout}"
    );
    assert!(
        stdout.contains("Deploy checklist")
            && stdout.contains("Rollback checklist")
            && stdout.contains("v4.1.3"),
        "{stdout}"
    );
    assert_eq!(
        repo.run(&["drill", "--seed", "1"]).1,
        stdout,
        "a seed repeats the pick"
    );
    let empty = Repo::new();
    empty.copy_example("winback-email");
    let (code, _, stderr) = empty.run(&["drill"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("no signed-off packet"), "{stderr}");
}

#[test]
fn human_tables_read_well() {
    let repo = two_packets();
    let (_, status, _) = repo.run(&["status", "--today", "2026-12-05"]);
    insta::assert_snapshot!("status_table", status);
    let (_, timeline, _) = repo.run(&["timeline", "winback-email", "--today", "2026-12-08"]);
    insta::assert_snapshot!("timeline_table", timeline);
    let (_, remind, _) = repo.run(&["remind", "--today", "2026-12-05"]);
    insta::assert_snapshot!("remind_text", remind);
    // Later: overdue milestones come first, then what falls due, then waivers that end.
    let (_, remind, _) = repo.run(&["remind", "--today", "2027-01-11", "--within", "1w"]);
    insta::assert_snapshot!("remind_overdue_and_waivers", remind);
}

#[test]
fn stats_show_whether_handoffs_get_faster_quarter_by_quarter() {
    let repo = Repo::new();
    // Q3: created 2026-08-01, all signed 2026-08-31 (30 days). Q4: created 2026-10-01, signed 2026-10-11.
    for (id, created, signed, day0) in [
        ("q3-play", "2026-08-01", "2026-08-31", "2026-08-10"),
        ("q4-play", "2026-10-01", "2026-10-11", "2026-10-05"),
    ] {
        repo.copy_example("winback-email");
        common::finish_winback(&repo);
        let from = repo.file("handoffs/winback-email");
        let to = repo.file(&format!("handoffs/{id}"));
        std::fs::rename(from, &to).unwrap();
        let path = format!("handoffs/{id}/handoff.md");
        repo.write(
            &path,
            repo.read(&path)
                .replace("id: winback-email", &format!("id: {id}"))
                .replace("day0: 2026-12-07", &format!("day0: {day0}")),
        );
        repo.commit_at("Pat <pat@northwind.test>", created, "Create");
        for role in ["pm", "ops-lead", "revops-director"] {
            let who = match role {
                "pm" => "Pat <pat@northwind.test>",
                "ops-lead" => "Jordan Blake <jordan@northwind.test>",
                _ => "Ines Moreau <ines@northwind.test>",
            };
            let (code, out, err) = repo.sign(id, role, who);
            assert_eq!(code, 0, "{out}{err}");
            repo.commit_at(who, signed, "Sign");
        }
    }
    let (_, stdout, _) = repo.run(&["stats", "--format", "json", "--today", "2026-12-01"]);
    let doc: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let q = &doc["overall"]["quarters"];
    assert_eq!(q[0]["quarter"], "2026-Q3");
    assert_eq!(q[0]["median_transition_days"], 30.0);
    assert_eq!(q[0]["signed_by_day14_share"], 0.0);
    assert_eq!(q[1]["quarter"], "2026-Q4");
    assert_eq!(q[1]["median_transition_days"], 10.0);
    assert_eq!(q[1]["signed_by_day14_share"], 1.0);
    let (_, text, _) = repo.run(&["stats", "--today", "2026-12-01"]);
    assert!(
        text.contains("2026-Q3") && text.contains("30.0 days") && text.contains("10.0 days"),
        "{text}"
    );
    // The spread and the per-kind figures, against the history written above.
    assert_eq!(q[0]["min_transition_days"], 30);
    assert_eq!(q[0]["max_transition_days"], 30);
    let kinds = &doc["overall"]["kinds"];
    assert_eq!(kinds.as_array().unwrap().len(), 1, "{kinds}");
    assert_eq!(kinds[0]["kind"], "gtm-play");
    assert_eq!(kinds[0]["packets"], 2);
    assert_eq!(kinds[0]["median_transition_days"], 20.0);
    // The same figures as charts: one SVG each, every bar with its number as text.
    let (code, _, err) = repo.run(&[
        "stats",
        "--format",
        "html",
        "-o",
        "stats.html",
        "--today",
        "2026-12-01",
    ]);
    assert_eq!(code, 0, "{err}");
    let html = repo.read("stats.html");
    assert_eq!(html.matches("<svg").count(), 3, "{html}");
    for expected in [
        "Days to complete sign-off, per quarter",
        ">2026-Q3<",
        ">2026-Q4<",
        ">30 d<",
        ">10 d<",
        ">0%<",
        ">100%<",
        ">gtm-play<",
        "class=\"whisker\"",
    ] {
        assert!(html.contains(expected), "{expected} in {html}");
    }
    // The Q3 bar (30 days) stands three times as tall as the Q4 one (10 days).
    let heights: Vec<f64> = html
        .match_indices("class=\"bar median\"")
        .map(|(i, _)| {
            let rest = &html[i..];
            let h = rest.split("height=\"").nth(1).unwrap();
            h[..h.find('"').unwrap()].parse().unwrap()
        })
        .collect();
    assert_eq!(heights.len(), 2, "{html}");
    assert!((heights[0] / heights[1] - 3.0).abs() < 0.05, "{heights:?}");
}

#[test]
fn several_repositories_in_one_status_and_one_site() {
    let holder = Repo::bare();
    // Three repositories, each with its own config and packets, and one that cannot be read.
    let examples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    for (repo, ids) in [
        ("growth", vec!["winback-email"]),
        ("sales", vec!["inbound-demo-routing", "onboarding-kickoff"]),
        ("platform", vec!["billing-api-4-2"]),
    ] {
        std::process::Command::new("git")
            .args(["init", "-q", repo])
            .current_dir(holder.path())
            .output()
            .unwrap();
        holder.write(
            &format!("{repo}/handoff.toml"),
            std::fs::read(examples.join("handoff.toml")).unwrap(),
        );
        for id in ids {
            common::copy_dir(
                &examples.join("handoffs").join(id),
                &holder.file(&format!("{repo}/handoffs/{id}")),
            );
        }
    }
    holder.write("broken/handoff.toml", "packets = [\n");
    let args = [
        "status",
        "--today",
        "2026-11-27",
        "--repo",
        "growth",
        "--repo",
        "sales",
        "--repo",
        "broken",
        "--repo",
        "platform",
    ];
    let (code, out, err) = holder.run(&args);
    assert_eq!(code, 2, "a repository could not be read: {out}{err}");
    assert!(err.contains("error: broken: "), "{err}");
    assert!(err.contains("TOML"), "{err}");
    for id in [
        "growth/winback-email",
        "sales/inbound-demo-routing",
        "sales/onboarding-kickoff",
        "platform/billing-api-4-2",
    ] {
        assert!(
            out.lines().any(|l| l.starts_with(&format!("{id} "))),
            "{id} in\n{out}"
        );
    }
    assert!(out.contains("(4 packets)"), "{out}");
    let (_, json, _) = holder.run(&[
        "status",
        "--format",
        "json",
        "--today",
        "2026-11-27",
        "--repo",
        "growth",
        "--repo",
        "sales",
    ]);
    let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    let ids: Vec<&str> = doc["packets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 3, "{ids:?}");
    assert!(
        ids.iter()
            .all(|i| i.starts_with("growth/") || i.starts_with("sales/"))
    );

    // One site for all of them: a page per packet in a folder per repository, every one linked
    // from the index.
    let (code, _, err) = holder.run(&[
        "render",
        "--all",
        "--format",
        "html",
        "-o",
        "site",
        "--today",
        "2026-11-27",
        "--repo",
        "growth",
        "--repo",
        "sales",
        "--repo",
        "broken",
        "--repo",
        "platform",
    ]);
    assert_eq!(code, 2, "{err}");
    let index = holder.read("site/index.html").replace("&#x2f;", "/");
    for page in [
        "growth/winback-email.html",
        "sales/inbound-demo-routing.html",
        "sales/onboarding-kickoff.html",
        "platform/billing-api-4-2.html",
    ] {
        assert!(holder.file(&format!("site/{page}")).is_file(), "{page}");
        assert!(index.contains(&format!("href=\"{page}\"")), "{page} linked");
    }
    // stats and remind read each repository's own history and config.
    for repo in ["growth", "sales", "platform"] {
        for args in [
            vec!["add", "-A"],
            vec![
                "-c",
                "user.name=T",
                "-c",
                "user.email=t@x.test",
                "commit",
                "-qm",
                "packets",
            ],
        ] {
            let out = std::process::Command::new("git")
                .args(&args)
                .current_dir(holder.file(repo))
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
    let (code, json, err) = holder.run(&[
        "stats",
        "--format",
        "json",
        "--today",
        "2026-11-27",
        "--repo",
        "growth",
        "--repo",
        "sales",
        "--repo",
        "platform",
    ]);
    assert_eq!(code, 0, "{err}");
    let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    let mut ids: Vec<&str> = doc["packets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    ids.sort();
    assert_eq!(
        ids,
        [
            "growth/winback-email",
            "platform/billing-api-4-2",
            "sales/inbound-demo-routing",
            "sales/onboarding-kickoff"
        ]
    );
    assert_eq!(doc["overall"]["packets"], 4);
    let (code, _, err) = holder.run(&[
        "remind",
        "--today",
        "2026-11-27",
        "--repo",
        "growth",
        "--repo",
        "broken",
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("error: broken: "), "{err}");
    // With history, the site carries the charts too, linked from the index.
    let (code, _, err) = holder.run(&[
        "render",
        "--all",
        "--format",
        "html",
        "-o",
        "site2",
        "--today",
        "2026-11-27",
        "--repo",
        "growth",
        "--repo",
        "sales",
        "--repo",
        "platform",
    ]);
    assert_eq!(code, 0, "{err}");
    let figures = holder.read("site2/figures.html").replace("&#x2f;", "/");
    assert_eq!(figures.matches("<svg").count(), 3);
    assert!(figures.contains("sales/onboarding-kickoff"), "{figures}");
    assert!(
        holder
            .read("site2/index.html")
            .contains("href=\"figures.html\"")
    );
}

#[test]
#[ignore = "needs node-ical and python3 with icalendar"]
fn node_ical_and_python_icalendar_read_every_event_of_the_calendar() {
    let repo = Repo::new();
    for id in ["billing-api-4-2", "winback-email", "partner-referrals"] {
        repo.copy_example(id);
    }
    repo.commit_as("Test User <test@example.test>", "packets");
    let (code, ics, err) = repo.run(&["status", "--format", "ics", "--today", "2026-12-05"]);
    assert_eq!(code, 0, "{err}");
    let uids = ics_uids(&ics);
    assert!(uids.len() >= 20, "{}", uids.len());
    let file = repo.file("handoffs.ics");
    std::fs::write(&file, &ics).unwrap();
    let count = |program: &str, args: &[&str]| -> usize {
        let out = std::process::Command::new(program)
            .args(args)
            .arg(&file)
            .output()
            .unwrap_or_else(|e| panic!("this test needs {program}: {e}"));
        assert!(
            out.status.success(),
            "{program}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().parse().unwrap()
    };
    // node-ical keys events by UID: a UID given twice loses an event there.
    let modules = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(".ci/node/node_modules");
    let node = count(
        "node",
        &[
            "-e",
            &format!(
                "const ical = require({:?}); const d = ical.sync.parseFile(process.argv[1]); console.log(Object.values(d).filter(e => e.type === 'VEVENT').length)",
                modules.join("node-ical").display().to_string()
            ),
        ],
    );
    let python = count(
        "python3",
        &[
            "-c",
            "import sys, icalendar; c = icalendar.Calendar.from_ical(open(sys.argv[1], 'rb').read()); print(len(c.walk('VEVENT')))",
        ],
    );
    assert_eq!((node, python), (uids.len(), uids.len()));
}
