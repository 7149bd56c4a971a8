//! Output a person can read: one line a finding, a quiet run that fits a screen, review pages
//! without false alarms, tables that line up, and the small things a new team meets first.

use crate::common;
use common::Repo;
use std::path::Path;

fn examples() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples")
}

/// A repository set up as the README's tour does it: `handoff init`, then `handoff new`.
fn fresh() -> Repo {
    let repo = Repo::new();
    assert_eq!(repo.run(&["init"]).0, 0);
    let (code, _, err) = repo.run(&[
        "new",
        "winback-email",
        "--kind",
        "gtm-play",
        "--day0",
        "2026-12-07",
        "--from",
        "growth",
        "--to",
        "lifecycle-ops",
    ]);
    assert_eq!(code, 0, "{err}");
    repo
}

/// `path:line:col: severity[rule] message`, read back.
fn concise(line: &str) -> Option<(String, usize, String, String)> {
    let (place, rest) = line.split_once(": ")?;
    let mut parts = place.rsplitn(3, ':');
    let (_col, line_no, path) = (parts.next()?, parts.next()?, parts.next()?);
    let (severity, rest) = rest.split_once('[')?;
    let (rule, _message) = rest.split_once("] ")?;
    ["error", "warning", "note"]
        .contains(&severity)
        .then_some(())?;
    Some((
        path.to_string(),
        line_no.parse().ok()?,
        severity.to_string(),
        rule.to_string(),
    ))
}

#[test]
fn concise_is_one_line_a_finding_with_the_verdict_and_the_summary() {
    let repo = fresh();
    let (code, out, _) = repo.run(&["check", "--today", "2026-12-05", "--format", "concise"]);
    assert_eq!(code, 1);
    let (_, doc) = repo.check_json(&["--today", "2026-12-05"]);
    let diags = common::diagnostics(&doc, "winback-email");
    let lines: Vec<&str> = out.lines().collect();
    let findings: Vec<_> = lines.iter().filter_map(|l| concise(l)).collect();
    assert_eq!(findings.len(), diags.len(), "{out}");
    for (f, d) in findings.iter().zip(&diags) {
        assert_eq!(f.1 as u64, d["line"].as_u64().unwrap());
        assert_eq!(f.2, d["severity"].as_str().unwrap());
        assert_eq!(f.3, d["rule"].as_str().unwrap());
    }
    // Besides the findings: the verdict line, a blank line and the summary, nothing else.
    assert_eq!(lines.len(), findings.len() + 3, "{out}");
    assert_eq!(
        lines[findings.len()],
        "FAIL winback-email  gtm-play at the ready gate (42 errors, 8 warnings)"
    );
    assert!(lines[lines.len() - 1].starts_with("1 packet: 0 pass, 1 fails"));
    assert!(
        out.contains(
            "handoffs/winback-email/handoff.md:24:8: error[answer-missing] `metric.kpi` is still a TODO placeholder\n"
        ),
        "{out}"
    );
}

#[test]
fn quiet_prints_the_reasons_a_packet_fails_one_line_each() {
    let (code, out, err) =
        Repo::bare().run(&["-C", &examples().to_string_lossy(), "check", "--quiet"]);
    assert_eq!(code, 1, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines.len() < 40, "{} lines:\n{out}", lines.len());
    let findings: Vec<_> = lines.iter().filter_map(|l| concise(l)).collect();
    assert_eq!(findings.len(), 14, "{out}");
    assert!(findings.iter().all(|f| f.2 == "error"), "{out}");
    assert!(lines.contains(
        &"FAIL partner-referrals  gtm-play at the signed-off gate (14 errors, 8 warnings)"
    ));
    assert!(!out.contains("pass "), "{out}");
    // With --deny-warnings the warnings are reasons too.
    let (_, out, _) = Repo::bare().run(&[
        "-C",
        &examples().to_string_lossy(),
        "check",
        "--quiet",
        "--deny-warnings",
        "partner-referrals",
    ]);
    let warnings = out
        .lines()
        .filter_map(concise)
        .filter(|f| f.2 == "warning")
        .count();
    assert_eq!(warnings, 8, "{out}");
}

#[test]
fn every_passing_example_renders_without_false_alarms() {
    let repo = Repo::new();
    repo.write(
        "handoff.toml",
        std::fs::read(examples().join("handoff.toml")).unwrap(),
    );
    common::copy_dir(&examples().join("handoffs"), &repo.file("handoffs"));
    common::copy_dir(&examples().join("data"), &repo.file("data"));
    let (_, doc) = repo.check_json(&[]);
    let passing: Vec<String> = doc["packets"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["pass"] == true)
        .map(|p| p["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(passing.len(), 7);
    for id in &passing {
        for format in ["html", "md"] {
            let (code, page, err) = repo.run(&["render", id, "--format", format]);
            assert_eq!(code, 0, "{err}");
            let alarms: &[&str] = match format {
                "html" => &["class=\"missing\"", "no entries yet", "class=\"later\""],
                _ => &["_missing", "no entries yet", "not due yet"],
            };
            for alarm in alarms {
                assert!(!page.contains(alarm), "{id} ({format}) shows {alarm:?}");
            }
            assert!(
                !page.contains("`\\[\\]`"),
                "{id}: escaped code in a help line"
            );
        }
    }
    // The series sits in the decision block with its legend and its values in a table.
    let (_, html, _) = repo.run(&["render", "winback-email", "--format", "html"]);
    let decision =
        &html[html.find("id=\"decision\"").unwrap()..html.find("id=\"verdict\"").unwrap()];
    common::assert_contains_all(
        decision,
        &[
            "<h3>KPI, day by day</h3>",
            "class=\"legend\"",
            "stability window (2026-11-23 to 2026-12-06)",
            "target &gt;= 5%",
            "a day that misses it",
            "<svg class=\"kpi\"",
            "text-anchor=\"middle\">Nov 23</text>",
            "<summary>The 28 values, day by day</summary>",
            "<td>2026-12-06</td><td>5.25%</td>",
        ],
    );
    assert!(
        !html.contains("<h2 id=\"kpi\">"),
        "the series is shown once"
    );
    // The question of the shadow-period log shows its code as code.
    assert!(
        html.contains("Write <code>[]</code> when nothing did"),
        "{html}"
    );
    // The timeline's labels lean inwards at both ends, so none is cut.
    let timeline = &html[html.find("<svg class=\"timeline\"").unwrap()..];
    let timeline = &timeline[..timeline.find("</svg>").unwrap()];
    let labels: Vec<&str> = timeline
        .split("text-anchor=\"")
        .skip(1)
        .filter(|s| s.contains("\">day "))
        .map(|s| s.split('"').next().unwrap())
        .collect();
    assert_eq!(labels.len(), 7, "{timeline}");
    assert_eq!(labels.first(), Some(&"start"), "{labels:?}");
    assert_eq!(labels.last(), Some(&"end"), "{labels:?}");
}

#[test]
fn a_play_on_day_0_with_nothing_gone_wrong_reads_none_not_missing() {
    let repo = Repo::new();
    repo.copy_example("winback-email");
    common::finish_winback(&repo);
    let (code, md, err) = repo.run(&["render", "winback-email", "--today", "2026-12-07"]);
    assert_eq!(code, 0, "{err}");
    let log = &md[md.find("## Shadow-period issue log").unwrap()..];
    let log = &log[..log[3..].find("\n## ").unwrap()];
    assert!(log.contains("| none |"), "{log}");
    assert!(!md.contains("_missing"), "{md}");
    // The optional series fields the packet leaves out are left out.
    assert!(
        !md.contains("KPI series · Column") && !md.contains("KPI series · File"),
        "{md}"
    );
    // An answer asked only later reads as not due yet, never as missing.
    let text = repo.read("handoffs/winback-email/handoff.md");
    repo.write(
        "handoffs/winback-email/handoff.md",
        text.replace("shadow_log: []\n", ""),
    );
    let (_, html, _) = repo.run(&[
        "render",
        "winback-email",
        "--today",
        "2026-12-07",
        "--format",
        "html",
    ]);
    assert!(html.contains("class=\"later\">not due yet"), "{html}");
    assert!(!html.contains("class=\"missing\""), "{html}");
}

#[test]
fn the_index_and_the_figures_read_at_normal_size() {
    let repo = Repo::new();
    repo.copy_example("winback-email");
    repo.copy_example("billing-api-4-2");
    repo.commit_at("Pat <pat@northwind.test>", "2026-11-20", "Packets");
    let (code, _, err) = repo.run(&[
        "render",
        "--all",
        "-o",
        "site",
        "--format",
        "html",
        "--today",
        "2026-12-08",
    ]);
    assert_eq!(code, 0, "{err}");
    let index = repo.read("site/index.html");
    assert!(
        index.contains("<svg class=\"overview\" viewBox=\"0 0 832 "),
        "{index}"
    );
    assert!(index.contains("As of 2026-12-08: 2 packets."), "{index}");
    // The verdicts have room: `FAIL (signed-off)` at 12 px is about 125 px wide.
    let x1 = 832.0 - 160.0;
    for (i, _) in index.match_indices("<text class=\"verdict") {
        let x: f64 = index[i..]
            .split("x=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .and_then(|s| s.parse().ok())
            .unwrap();
        assert!(x > x1 && x + 125.0 <= 832.0, "a verdict at x={x}");
    }
    // The figures: a value axis on every chart, and a word when one quarter is all there is.
    let (code, _, err) = repo.run(&[
        "stats",
        "--format",
        "html",
        "-o",
        "stats.html",
        "--today",
        "2027-01-10",
    ]);
    assert_eq!(code, 0, "{err}");
    let page = repo.read("stats.html");
    assert_eq!(page.matches("<text class=\"unit\"").count(), 3, "{page}");
    assert!(
        page.contains(">0 d</text>") && page.contains(">100%</text>"),
        "{page}"
    );
    assert!(
        page.contains("Not enough history yet for a trend: one quarter so far (2026-Q4)"),
        "{page}"
    );
    assert!(page.contains("2 packets, "), "{page}");
}

#[test]
fn stats_text_lines_up_and_counts_one_packet() {
    let repo = Repo::new();
    repo.copy_example("winback-email");
    repo.commit_at("Pat <pat@northwind.test>", "2026-11-20", "Packet");
    let (code, out, err) = repo.run(&["stats", "--today", "2026-12-08"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.starts_with("Handoff figures, as of 2026-12-08: 1 packet, 0 signed off"),
        "{out}"
    );
    // The figures' values start in one column; the table's rows end in one.
    let figures: Vec<&str> = out.lines().skip(2).take(7).collect();
    let at = |l: &str| {
        l.char_indices()
            .skip(4)
            .find(|(i, c)| *c != ' ' && l[..*i].ends_with("  "))
            .map(|(i, _)| l[..i].chars().count())
    };
    let columns: Vec<Option<usize>> = figures.iter().map(|l| at(l)).collect();
    assert!(
        columns.iter().all(|c| *c == columns[0] && c.is_some()),
        "{out}"
    );
    let table: Vec<&str> = out
        .lines()
        .filter(|l| l.contains("packet ") || l.contains("winback-email"))
        .collect();
    assert_eq!(table.len(), 2, "{out}");
    assert_eq!(table[0].chars().count(), table[1].chars().count(), "{out}");
}

#[test]
fn filling_in_the_live_meeting_record_is_not_rework() {
    let repo = Repo::new();
    repo.copy_example("winback-email");
    repo.commit_at("Pat <pat@northwind.test>", "2026-12-01", "Ready");
    common::finish_winback(&repo);
    repo.commit_at(
        "Pat <pat@northwind.test>",
        "2026-12-08",
        "The live meeting's record",
    );
    let (_, out, _) = repo.run(&["stats", "--today", "2026-12-09", "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["packets"][0]["rework"], 0, "{doc:#}");
    let text = repo
        .read("handoffs/winback-email/handoff.md")
        .replace("2 business hours", "3 business hours");
    repo.write("handoffs/winback-email/handoff.md", text);
    repo.commit_at("Pat <pat@northwind.test>", "2026-12-09", "SLA");
    let (_, out, _) = repo.run(&["stats", "--today", "2026-12-09", "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["packets"][0]["rework"], 1, "{doc:#}");
}

#[test]
fn first_steps_say_what_is_wrong_at_once() {
    // Outside git, init and new say what handoff needs it for.
    let bare = Repo::bare();
    let (code, _, err) = bare.run(&["init"]);
    assert_eq!(code, 0);
    assert!(
        err.contains("note: this folder is not inside a git repository"),
        "{err}"
    );
    let (code, _, err) = bare.run(&["new", "x", "--kind", "gtm-play"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("error: --day0, --from and --to are required"),
        "{err}"
    );
    assert!(
        err.contains("pass --day0 <YYYY-MM-DD> --from <team> --to <team>"),
        "{err}"
    );
    let (code, _, err) = bare.run(&[
        "new",
        "x",
        "--kind",
        "gtm-play",
        "--from",
        "a",
        "--to",
        "b",
        "--day0",
        "2026-12-07",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("note: handoffs/x is not inside a git repository"),
        "{err}"
    );

    // init's handoff.toml shows a [sources] and a [links] example that read as written.
    let repo = Repo::new();
    assert_eq!(repo.run(&["init"]).0, 0);
    let config = repo.read("handoff.toml");
    assert!(
        config.contains(
            "# [sources.warehouse]\n# kind = \"postgres\"\n# url_env = \"KPI_DATABASE_URL\""
        ),
        "{config}"
    );
    // From the [sources] example on (the [people] example above it holds a placeholder key).
    let from = config
        .find("# Where `handoff metrics pull`")
        .expect("a [sources] example");
    let uncommented: String = config[..from]
        .lines()
        .chain(config[from..].lines().map(|l| match l.strip_prefix("# ") {
            Some(rest) if rest.starts_with('[') || rest.contains(" = ") => rest,
            _ => l,
        }))
        .collect::<Vec<_>>()
        .join("\n");
    repo.write("handoff.toml", uncommented + "\n");
    std::fs::create_dir_all(repo.file("data")).unwrap();
    let (code, out, err) = repo.run(&["status", "--format", "json"]);
    assert_eq!(code, 0, "{out}{err}");

    // A folder without packets: status and remind refuse as check does.
    let empty = Repo::new();
    for args in [&["check"][..], &["status"], &["remind"]] {
        let (code, _, err) = empty.run(args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(
            err.contains("there is no packets folder handoffs here"),
            "{args:?}: {err}"
        );
    }
}
