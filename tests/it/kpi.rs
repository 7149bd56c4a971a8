//! The KPI as evidence: `metrics pull` from a real SQLite file and a real PostgreSQL server into
//! the packet, and `check` judging the committed series (stability, gaps, bad rows, breaches).

use crate::common;
use common::{Repo, diagnostics};

/// A small kind that watches its KPI from the ready gate on, so that the series decides.
const KIND: &str = "name: play\nsummary: A play whose KPI is watched\nowners: [owner]\nfields:\n  - key: owner\n    type: person\n    prompt: Who runs it?\n  - key: metric\n    type: map\n    prompt: Which number?\n    fields:\n      - key: target\n        type: text\n        prompt: What value counts?\n      - key: series\n        type: map\n        required: false\n        prompt: Where is it read?\n        fields:\n          - key: source\n            type: text\n            required: false\n            prompt: Which source?\n          - key: query\n            type: text\n            required: false\n            prompt: Which query?\n          - key: column\n            type: text\n            required: false\n            prompt: Which column?\n          - key: file\n            type: text\n            required: false\n            prompt: Which file?\nkpi:\n  window: 14\n  gate: ready\n  breach_days: 2\n  criterion: KPI stable for 14 days before the handoff\ncriteria:\n  - KPI stable for 14 days before the handoff\nroles:\n  - name: ops\n    description: The receiving side accepts\nsections:\n  - title: Acceptance criteria\n    prompt: What must hold\n    tasks: true\n    all_checked: ready\n";

const DAY0: &str = "2026-12-15";
const SQL: &str =
    "select day, value from kpi_daily where kpi = 'winback' and day between ?1 and ?2";

fn packet(series: &str, ticked: bool) -> String {
    format!(
        "---\nid: p\ntitle: P\nkind: play\nfrom: a\nto: b\nday0: {DAY0}\nstatus: ready\nowner: Maria Lopez <maria@x.test>\nmetric:\n  target: \">= 4% reactivated\"\n{series}signoffs: []\n---\n\n# P\n\n## Acceptance criteria\n\n- [{}] KPI stable for 14 days before the handoff\n",
        if ticked { "x" } else { " " }
    )
}

fn sqlite_series() -> String {
    format!("  series:\n    source: warehouse\n    query: \"{SQL}\"\n")
}

/// Days from 2026-12-01 to 2026-12-14 (the window before day 0), with `value(i)`.
fn days(value: impl Fn(usize) -> Option<f64>) -> Vec<(String, Option<f64>)> {
    (0..14)
        .map(|i| (format!("2026-12-{:02}", i + 1), value(i)))
        .collect()
}

fn repo_with_db(rows: &[(String, Option<f64>)]) -> Repo {
    let repo = Repo::new();
    repo.write(".handoff/kinds/play/kind.yaml", KIND);
    repo.write(
        "handoff.toml",
        "[sources.warehouse]\nkind = \"sqlite\"\npath = \"data/kpis.db\"\n",
    );
    std::fs::create_dir_all(repo.file("data")).unwrap();
    let db = rusqlite::Connection::open(repo.file("data/kpis.db")).unwrap();
    db.execute_batch("create table kpi_daily (kpi text, day text, value real)")
        .unwrap();
    for (day, v) in rows {
        db.execute(
            "insert into kpi_daily values ('winback', ?1, ?2)",
            rusqlite::params![day, v],
        )
        .unwrap();
    }
    repo.write("handoffs/p/handoff.md", packet(&sqlite_series(), true));
    repo.commit_as("Dana Kim <dana@x.test>", "P");
    repo
}

fn rules(doc: &serde_json::Value) -> Vec<(String, String, String)> {
    diagnostics(doc, "p")
        .into_iter()
        .map(|d| {
            (
                d["rule"].as_str().unwrap_or_default().to_string(),
                d["severity"].as_str().unwrap_or_default().to_string(),
                d["message"].as_str().unwrap_or_default().to_string(),
            )
        })
        .filter(|(r, _, _)| r.starts_with("kpi-") || r == "criteria-open")
        .collect()
}

#[test]
fn a_stable_series_pulled_from_sqlite_passes_the_ready_gate_and_a_repull_changes_nothing() {
    let repo = repo_with_db(&days(|i| Some(4.2 + i as f64 / 100.0)));
    let (code, out, err) = repo.run(&["metrics", "pull", "--today", "2026-12-15"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("p: 14 days (2026-12-01 to 2026-12-14) from warehouse; stable: 14 of the 14 days before day 0 meet >= 4%"), "{out}");
    assert!(err.contains("commit handoffs/p/metrics/kpi.csv"), "{err}");
    let csv = repo.read("handoffs/p/metrics/kpi.csv");
    assert!(csv.starts_with("day,value\n2026-12-01,4.2\n"), "{csv}");
    assert_eq!(csv.lines().count(), 15);
    let (code, doc) = repo.check_json(&["--today", "2026-12-15", "--gate", "ready"]);
    assert_eq!(code, 0, "{doc:#}");
    assert!(rules(&doc).is_empty(), "{:?}", rules(&doc));

    // Unchanged data: the file is left byte-identical (not even rewritten) and --check agrees.
    repo.commit_as("Dana Kim <dana@x.test>", "KPI");
    let before = std::fs::metadata(repo.file("handoffs/p/metrics/kpi.csv"))
        .unwrap()
        .modified()
        .unwrap();
    let (code, out, _) = repo.run(&["metrics", "pull", "--today", "2026-12-15"]);
    assert_eq!(code, 0);
    assert!(out.contains("unchanged"), "{out}");
    assert_eq!(repo.read("handoffs/p/metrics/kpi.csv"), csv);
    let after = std::fs::metadata(repo.file("handoffs/p/metrics/kpi.csv"))
        .unwrap()
        .modified()
        .unwrap();
    assert_eq!(before, after, "an unchanged series is not rewritten");
    assert_eq!(
        repo.run(&["metrics", "pull", "--check", "--today", "2026-12-15"])
            .0,
        0
    );

    // A day corrected in the source: --check exits 1 and writes nothing.
    let db = rusqlite::Connection::open(repo.file("data/kpis.db")).unwrap();
    db.execute(
        "update kpi_daily set value = 4.9 where day = '2026-12-03'",
        [],
    )
    .unwrap();
    let (code, out, err) = repo.run(&["metrics", "pull", "--check", "--today", "2026-12-15"]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        out.contains("would change") && err.contains("1 series file would change"),
        "{out}{err}"
    );
    assert_eq!(repo.read("handoffs/p/metrics/kpi.csv"), csv);
}

#[test]
fn one_missed_day_fails_the_gate_naming_the_day_whatever_the_ticked_box_says() {
    let repo = repo_with_db(&days(|i| Some(if i == 5 { 3.1 } else { 4.5 })));
    assert_eq!(repo.run(&["metrics", "pull", "--today", "2026-12-15"]).0, 0);
    let (code, doc) = repo.check_json(&["--today", "2026-12-15", "--gate", "ready"]);
    assert_eq!(code, 1);
    let found = rules(&doc);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "kpi-unstable");
    assert_eq!(found[0].1, "error");
    assert!(
        found[0].2.contains("2026-12-06 (3.1%, 0.9% off)"),
        "{}",
        found[0].2
    );

    // Before the kind's gate the same series is a note with the progress.
    let (code, doc) = repo.check_json(&["--today", "2026-12-10", "--gate", "draft"]);
    assert_eq!(code, 0);
    let found = rules(&doc);
    assert!(
        found.iter().any(|(r, s, m)| r == "kpi-unstable"
            && s == "note"
            && m.contains("8 of the 14 days before day 0 meet >= 4%")),
        "{found:?}"
    );

    // With a series the box no longer decides: an unticked box and a stable series pass.
    let stable = repo_with_db(&days(|_| Some(4.5)));
    stable.write("handoffs/p/handoff.md", packet(&sqlite_series(), false));
    assert_eq!(
        stable.run(&["metrics", "pull", "--today", "2026-12-15"]).0,
        0
    );
    let (code, doc) = stable.check_json(&["--today", "2026-12-15", "--gate", "ready"]);
    assert_eq!(code, 0, "{:?}", rules(&doc));
}

#[test]
fn a_gap_in_the_window_is_named_and_fails_at_the_gate() {
    let repo = repo_with_db(&days(|i| {
        (i != 2 && i != 3 && i != 4 && i != 9).then_some(4.5)
    }));
    assert_eq!(repo.run(&["metrics", "pull", "--today", "2026-12-15"]).0, 0);
    let (code, doc) = repo.check_json(&["--today", "2026-12-15", "--gate", "ready"]);
    assert_eq!(code, 1);
    let found = rules(&doc);
    assert!(
        found.iter().any(|(r, s, m)| r == "kpi-gap"
            && s == "error"
            && m.contains(
                "4 of the 14 days before day 0 have no value: 2026-12-03 to 2026-12-05, 2026-12-10"
            )),
        "{found:?}"
    );
}

#[test]
fn every_invalid_form_of_a_committed_series_is_located() {
    let repo = Repo::new();
    repo.write(".handoff/kinds/play/kind.yaml", KIND);
    repo.write(
        "handoffs/p/handoff.md",
        packet("  series:\n    file: metrics/kpi.csv\n", true),
    );
    repo.write(
        "handoffs/p/metrics/kpi.csv",
        "day,value\n2026-12-01,4.5\n2026-12-32,4.5\n2026-12-03,lots\n2026-12-04,4.5 ms\n2026-12-01,4.6\n2026-12-05\n",
    );
    repo.commit_as("Dana Kim <dana@x.test>", "P");
    let (code, doc) = repo.check_json(&["--today", "2026-12-15", "--gate", "ready"]);
    assert_eq!(code, 1);
    let invalid: Vec<(u64, String)> = diagnostics(&doc, "p")
        .into_iter()
        .filter(|d| d["rule"] == "kpi-series-invalid")
        .map(|d| {
            assert!(
                d["file"].as_str().unwrap().ends_with("metrics/kpi.csv"),
                "{d}"
            );
            (
                d["line"].as_u64().unwrap(),
                d["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let lines: Vec<u64> = invalid.iter().map(|(l, _)| *l).collect();
    assert_eq!(lines, [3, 4, 5, 6, 7], "{invalid:#?}");
    assert!(
        invalid[2].1.contains("in ms, but the target is in %"),
        "{invalid:?}"
    );
    assert!(invalid[3].1.contains("twice"), "{invalid:?}");

    // A target that cannot be read shows the accepted forms.
    repo.write(
        "handoffs/p/handoff.md",
        packet("  series:\n    file: metrics/kpi.csv\n", true)
            .replace("\">= 4% reactivated\"", "about four percent"),
    );
    let (_, doc) = repo.check_json(&["--today", "2026-12-15", "--gate", "ready"]);
    let bad: Vec<_> = diagnostics(&doc, "p")
        .into_iter()
        .filter(|d| d["rule"] == "kpi-target-invalid")
        .collect();
    assert_eq!(bad.len(), 1, "{doc:#}");
    assert_eq!(bad[0]["line"], 11);
    assert!(
        bad[0]["help"]
            .as_str()
            .unwrap()
            .contains("between 3 and 5 d")
    );

    // A series file named outside the packet is refused, not read.
    repo.write(
        "handoffs/p/handoff.md",
        packet("  series:\n    file: ../../secret.csv\n", true),
    );
    let (_, doc) = repo.check_json(&["--today", "2026-12-15", "--gate", "ready"]);
    assert!(
        diagnostics(&doc, "p")
            .iter()
            .any(|d| d["rule"] == "kpi-series-invalid"
                && d["message"].as_str().unwrap().contains("inside the packet")),
        "{doc:#}"
    );
}

#[test]
fn a_breach_after_day_0_warns_and_fails_the_signed_off_gate() {
    let repo = breached_repo();
    let (_, doc) = repo.check_json(&["--today", "2026-12-19", "--gate", "handed-off"]);
    let found = rules(&doc);
    assert!(
        found.iter().any(|(r, s, m)| r == "kpi-breach"
            && s == "warning"
            && m.contains("for 3 days in a row since 2026-12-16 (last: 2% on 2026-12-18)")),
        "{found:?}"
    );
    let (code, doc) = repo.check_json(&["--today", "2026-12-19", "--gate", "signed-off"]);
    assert_eq!(code, 1);
    assert!(
        rules(&doc)
            .iter()
            .any(|(r, s, _)| r == "kpi-breach" && s == "error")
    );
}

#[test]
fn a_failing_query_names_the_packet_and_the_source_and_leaves_the_file_untouched() {
    let repo = repo_with_db(&days(|_| Some(4.5)));
    assert_eq!(repo.run(&["metrics", "pull", "--today", "2026-12-15"]).0, 0);
    let csv = repo.read("handoffs/p/metrics/kpi.csv");
    for (query, says) in [
        (
            "select day, value from no_such_table",
            "no such table: no_such_table",
        ),
        ("select day from kpi_daily", "returns 1 columns (day)"),
        (
            "select value, day from kpi_daily",
            "column `value` is not a day",
        ),
        ("delete from kpi_daily returning day, value", "readonly"),
        (
            "select day, value from kpi_daily; drop table kpi_daily",
            "ultiple statements",
        ),
    ] {
        repo.write(
            "handoffs/p/handoff.md",
            packet(
                &format!("  series:\n    source: warehouse\n    query: \"{query}\"\n"),
                true,
            ),
        );
        let (code, out, err) = repo.run(&["metrics", "pull", "--today", "2026-12-15"]);
        assert_eq!(code, 2, "{query}: {out}{err}");
        assert!(
            err.contains("error: p: source warehouse:")
                && err.to_lowercase().contains(&says.to_lowercase()),
            "{query}: {err}"
        );
        assert!(err.contains("was left as it was"), "{err}");
        assert_eq!(repo.read("handoffs/p/metrics/kpi.csv"), csv);
    }
    let db = rusqlite::Connection::open(repo.file("data/kpis.db")).unwrap();
    let n: i64 = db
        .query_row("select count(*) from kpi_daily", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 14, "the query could not write");

    // An unknown source is a usage error before anything runs, with a suggestion.
    repo.write(
        "handoffs/p/handoff.md",
        packet(
            &format!("  series:\n    source: warehous\n    query: \"{SQL}\"\n"),
            true,
        ),
    );
    let (code, _, err) = repo.run(&["metrics", "pull"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("`warehous`") && err.contains("did you mean `warehouse`?"),
        "{err}"
    );
}

#[test]
fn ten_million_rows_stop_with_an_error_not_a_memory_blow_up() {
    let repo = repo_with_db(&[]);
    repo.write(
        "handoffs/p/handoff.md",
        packet("  series:\n    source: warehouse\n    query: \"with recursive n(i) as (select 0 union all select i + 1 from n where i < 10000000) select '2026-12-01', i from n\"\n", true),
    );
    let (code, _, err) = repo.run(&["metrics", "pull", "--today", "2026-12-15"]);
    assert_eq!(code, 2);
    assert!(err.contains("more than 100000 rows"), "{err}");
}

#[test]
fn new_scaffolds_the_series_block_commented_with_an_example_query() {
    let repo = Repo::new();
    let (code, _, err) = repo.run(&[
        "new",
        "winback",
        "--kind",
        "gtm-play",
        "--day0",
        "2026-12-07",
        "--from",
        "growth",
        "--to",
        "ops",
    ]);
    assert_eq!(code, 0, "{err}");
    let text = repo.read("handoffs/winback/handoff.md");
    assert!(text.contains("  # series:  # optional:"), "{text}");
    assert!(
        text.contains("  #   source: warehouse\n  #   query: \"select day, value from kpi_daily"),
        "{text}"
    );
    assert_eq!(repo.run(&["check", "--today", "2026-11-20"]).0, 0);
}

/// The PostgreSQL server `.ci/run` starts (its admin URL in `HANDOFF_TEST_PG_ADMIN_URL`). The
/// tests that use it are ignored unless asked for; asked for without a server, they fail.
fn pg_admin() -> String {
    std::env::var("HANDOFF_TEST_PG_ADMIN_URL")
        .ok()
        .filter(|u| !u.is_empty())
        .expect(
            "this test needs PostgreSQL: `.ci/run` starts one and sets HANDOFF_TEST_PG_ADMIN_URL",
        )
}

#[test]
#[ignore = "needs postgres"]
fn a_series_pulled_from_postgres_never_shows_the_password() {
    let admin = pg_admin();
    let mut client = postgres::Client::connect(&admin, postgres::NoTls).expect("connect");
    let db = format!("kpi_{}", std::process::id());
    let password = "Sw0rdfish-never-printed";
    client
        .batch_execute(&format!("drop database if exists {db}"))
        .unwrap();
    client
        .batch_execute(&format!("create database {db}"))
        .unwrap();
    client
        .batch_execute(&format!(
            "drop role if exists {db}; create role {db} login password '{password}'"
        ))
        .unwrap();
    let url = admin
        .replace("postgres:handoff-ci-superuser", &format!("{db}:{password}"))
        .rsplit_once('/')
        .map(|(base, _)| format!("{base}/{db}"))
        .unwrap();
    let admin_db = admin
        .rsplit_once('/')
        .map(|(b, _)| format!("{b}/{db}"))
        .unwrap();
    let mut c = postgres::Client::connect(&admin_db, postgres::NoTls).unwrap();
    c.batch_execute(&format!(
        "create table kpi_daily (day date, value numeric(6,2)); grant select on kpi_daily to {db};
         insert into kpi_daily select d::date, 4.25 from generate_series('2026-12-01'::date, '2026-12-14', '1 day') d;
         update kpi_daily set value = 3.5 where day = '2026-12-09';"
    ))
    .unwrap();

    let repo = Repo::new();
    repo.write(".handoff/kinds/play/kind.yaml", KIND);
    repo.write(
        "handoff.toml",
        "[sources.warehouse]\nkind = \"postgres\"\nurl_env = \"KPI_DATABASE_URL\"\ntimeout = 5\n",
    );
    repo.write(
        "handoffs/p/handoff.md",
        packet("  series:\n    source: warehouse\n    query: select day, value from kpi_daily where day between $1 and $2\n", true),
    );
    let pull = |env: &str, extra: &[&str]| {
        let out = repo
            .handoff()
            .env("KPI_DATABASE_URL", env)
            .args(["metrics", "pull", "--today", "2026-12-15"])
            .args(extra)
            .output()
            .unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!text.contains(password), "the password was printed: {text}");
        (out.status.code().unwrap_or(-1), text)
    };
    let (code, text) = pull(&url, &[]);
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains("14 days (2026-12-01 to 2026-12-14)"),
        "{text}"
    );
    assert!(
        repo.read("handoffs/p/metrics/kpi.csv")
            .contains("2026-12-09,3.5\n")
    );
    let (code, doc) = repo.check_json(&["--today", "2026-12-15", "--gate", "ready"]);
    assert_eq!(code, 1);
    assert!(
        rules(&doc)
            .iter()
            .any(|(r, _, m)| r == "kpi-unstable" && m.contains("2026-12-09 (3.5%")),
        "{doc:#}"
    );

    // A wrong password, a wrong database, a query past its timeout, a type that is no number:
    // each a clear error, none printing the password.
    let wrong = url.replace(password, "Wr0ng-secret-pw");
    let (code, text) = pull(&wrong, &[]);
    assert_eq!(code, 2);
    assert!(
        text.contains("cannot connect") && !text.contains("Wr0ng-secret-pw"),
        "{text}"
    );
    repo.write(
        "handoffs/p/handoff.md",
        packet("  series:\n    source: warehouse\n    query: select day, pg_sleep(10)::text from kpi_daily where day between $1 and $2\n", true),
    );
    let (code, text) = pull(&url, &[]);
    assert_eq!(code, 2);
    assert!(
        text.contains("is of type text; the second column must be a number"),
        "{text}"
    );
    repo.write(
        "handoffs/p/handoff.md",
        packet("  series:\n    source: warehouse\n    query: select day, value from kpi_daily, pg_sleep(10) where day between $1 and $2\n", true),
    );
    let started = std::time::Instant::now();
    let (code, text) = pull(&url, &[]);
    assert_eq!(code, 2);
    assert!(text.contains("ran past its timeout of 5 s"), "{text}");
    assert!(started.elapsed() < std::time::Duration::from_secs(9));
    repo.write(
        "handoffs/p/handoff.md",
        packet("  series:\n    source: warehouse\n    query: delete from kpi_daily returning day, value\n", true),
    );
    let (code, text) = pull(&url, &[]);
    assert_eq!(code, 2);
    assert!(text.contains("read-only transaction"), "{text}");
    // A query written for SQLite meets Postgres' own parameters: the server's words, and how to
    // write them.
    repo.write(
        "handoffs/p/handoff.md",
        packet("  series:\n    source: warehouse\n    query: select day, value from kpi_daily where day between ?1 and ?2\n", true),
    );
    let (code, text) = pull(&url, &[]);
    assert_eq!(code, 2);
    assert!(
        text.contains("PostgreSQL says:") && text.contains("write `day between $1 and $2`"),
        "{text}"
    );

    // A URL that requires TLS from a server without it: a clear error, never the password.
    let (code, text) = pull(&format!("{url}?sslmode=require"), &[]);
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("cannot connect"), "{text}");

    // A missing environment variable is exit 2 before any connection.
    let out = repo
        .handoff()
        .env_remove("KPI_DATABASE_URL")
        .args(["metrics", "pull"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("KPI_DATABASE_URL that [sources.warehouse] names is not set")
    );
    drop(c);
    let _ = client.batch_execute(&format!("drop database if exists {db} with (force)"));
    let _ = client.batch_execute(&format!("drop role if exists {db}"));
}

/// A database and a login role of its own on the server at `admin` (a superuser URL), with
/// `kpi_daily` holding 4.25 for 2026-12-01..14; returns the role's URL (to the same host as
/// `admin`) and its password. `tag` keeps tests apart.
fn pg_database(admin: &str, tag: &str) -> (String, String) {
    let mut client = postgres::Client::connect(admin, postgres::NoTls).expect("connect");
    let db = format!("kpi_{tag}_{}", std::process::id());
    let password = format!("Pw-{tag}-never-printed");
    client
        .batch_execute(&format!("drop database if exists {db} with (force)"))
        .unwrap();
    client
        .batch_execute(&format!("create database {db}"))
        .unwrap();
    client
        .batch_execute(&format!(
            "drop role if exists {db}; create role {db} login password '{password}'"
        ))
        .unwrap();
    let (base, _) = admin.rsplit_once('/').unwrap();
    let mut c = postgres::Client::connect(&format!("{base}/{db}"), postgres::NoTls).unwrap();
    c.batch_execute(&format!(
        "create table kpi_daily (day date, value numeric(6,2)); grant select on kpi_daily to {db};
         insert into kpi_daily select d::date, 4.25 from generate_series('2026-12-01'::date, '2026-12-14', '1 day') d;"
    ))
    .unwrap();
    let url = format!(
        "{}/{db}",
        base.replace("postgres:handoff-ci-superuser", &format!("{db}:{password}"))
    );
    (url, password)
}

/// A repository whose packet pulls `query` from the source `warehouse` (postgres, its URL in
/// KPI_DATABASE_URL, `timeout` seconds).
fn pg_repo(query: &str, timeout: u64) -> Repo {
    let repo = Repo::new();
    repo.write(".handoff/kinds/play/kind.yaml", KIND);
    repo.write(
        "handoff.toml",
        format!("[sources.warehouse]\nkind = \"postgres\"\nurl_env = \"KPI_DATABASE_URL\"\ntimeout = {timeout}\n"),
    );
    repo.write(
        "handoffs/p/handoff.md",
        packet(
            &format!("  series:\n    source: warehouse\n    query: \"{query}\"\n"),
            true,
        ),
    );
    repo
}

/// `metrics pull` with KPI_DATABASE_URL set to `url`: the exit code and everything printed,
/// which never holds `password`.
fn pg_pull(repo: &Repo, url: &str, password: &str) -> (i32, String) {
    let out = repo
        .handoff()
        .env("KPI_DATABASE_URL", url)
        .args(["metrics", "pull", "--today", "2026-12-15"])
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!text.contains(password), "the password was printed: {text}");
    (out.status.code().unwrap_or(-1), text)
}

/// The TLS server `.ci/run` starts: its admin URL, the CA that signed its certificate (made out
/// to `localhost`), and another CA that signed nothing of it.
fn pg_tls() -> (String, String, String) {
    let var = |name: &str| {
        std::env::var(name)
            .ok()
            .filter(|v| !v.is_empty())
            .unwrap_or_else(|| {
                panic!("this test needs PostgreSQL with TLS: `.ci/run` starts one and sets {name}")
            })
    };
    (
        var("HANDOFF_TEST_PG_TLS_ADMIN_URL"),
        var("HANDOFF_TEST_PG_TLS_CA"),
        var("HANDOFF_TEST_PG_TLS_OTHER_CA"),
    )
}

#[test]
#[ignore = "needs postgres with TLS"]
fn a_series_pulled_over_tls_checks_the_server_as_libpq_does() {
    let (admin, ca, other) = pg_tls();
    let (url, password) = pg_database(&admin, "tls");
    // The value says whether the session is encrypted: 1 over TLS, 0 in plain text.
    let repo = pg_repo(
        "select day, (select case when ssl then 1 else 0 end from pg_stat_ssl where pid = pg_backend_pid())::float8 from kpi_daily where day between $1 and $2",
        10,
    );
    let by_name = url.replace("@127.0.0.1:", "@localhost:");
    let encrypted = |repo: &Repo| {
        repo.read("handoffs/p/metrics/kpi.csv")
            .contains("2026-12-14,1\n")
    };
    let pass = |u: &str| {
        let (code, text) = pg_pull(&repo, u, &password);
        assert_eq!(code, 0, "{u}: {text}");
        assert!(
            text.contains("14 days (2026-12-01 to 2026-12-14)"),
            "{text}"
        );
    };
    let fail = |u: &str| {
        let (code, text) = pg_pull(&repo, u, &password);
        assert_eq!(code, 2, "{u}: {text}");
        text
    };

    // The server's certificate from the private CA, checked with its name: verify-full.
    pass(&format!("{by_name}?sslmode=verify-full&sslrootcert={ca}"));
    assert!(encrypted(&repo));
    // The same as keyword=value words, the CA's path quoted.
    let (host_port, db) = by_name.rsplit_once('@').unwrap().1.split_once('/').unwrap();
    let (host, port) = host_port.split_once(':').unwrap();
    let user = db;
    pass(&format!(
        "host={host} port={port} user={user} password={password} dbname={db} sslmode=verify-full sslrootcert='{ca}'"
    ));

    // By address, the name on the certificate does not match: verify-full says so and what to
    // do; verify-ca checks the CA alone and passes.
    let text = fail(&format!("{url}?sslmode=verify-full&sslrootcert={ca}"));
    assert!(
        text.contains("the server's certificate (CN=localhost, issued by CN=handoff-ci-root) is not made out to the host 127.0.0.1 (it names localhost)"),
        "{text}"
    );
    assert!(text.contains("sslmode=verify-ca"), "{text}");
    pass(&format!("{url}?sslmode=verify-ca&sslrootcert={ca}"));

    // Another CA: refused under require too (a CA file named makes it check the chain), naming
    // the certificate, the file and the setting that fixes it.
    let text = fail(&format!("{by_name}?sslmode=require&sslrootcert={other}"));
    assert!(
        text.contains("the server's certificate (CN=localhost, issued by CN=handoff-ci-root) is not signed by a CA in sslrootcert="),
        "{text}"
    );
    assert!(
        text.contains("handoff-ci-other-root.crt (sslmode=require)"),
        "{text}"
    );
    assert!(
        text.contains("set sslrootcert to the PEM file of the CA"),
        "{text}"
    );
    // verify-full without a CA file: the platform's roots and Mozilla's do not hold a private CA.
    let text = fail(&format!("{by_name}?sslmode=verify-full"));
    assert!(
        text.contains("is not signed by a CA in the platform's trusted roots and Mozilla's"),
        "{text}"
    );
    // sslrootcert=system allows nothing weaker than verify-full, as in libpq; refused before
    // any connection.
    let text = fail(&format!("{by_name}?sslrootcert=system&sslmode=require"));
    assert!(
        text.contains("sslmode=require may not be used with sslrootcert=system"),
        "{text}"
    );
    let text = fail(&format!(
        "{by_name}?sslmode=verify-full&sslrootcert=/nonexistent/ca.pem"
    ));
    assert!(
        text.contains("TLS cannot be set up: sslrootcert=/nonexistent/ca.pem"),
        "{text}"
    );

    // libpq's defaults: prefer (no sslmode) and require encrypt without checking the
    // certificate, as a stock cluster with a snakeoil certificate needs; disable is plain text.
    pass(&url);
    assert!(encrypted(&repo));
    pass(&format!("{url}?sslmode=require"));
    assert!(encrypted(&repo));
    pass(&format!("{url}?sslmode=disable"));
    assert!(
        !encrypted(&repo),
        "{}",
        repo.read("handoffs/p/metrics/kpi.csv")
    );
    // Over the server's Unix socket TLS is never asked for, as in libpq, whatever sslmode says.
    let socket = std::env::var("HANDOFF_TEST_PG_SOCKET_DIR")
        .expect("`.ci/run` sets HANDOFF_TEST_PG_SOCKET_DIR");
    pass(&format!(
        "host={socket} port={port} user={user} password={password} dbname={db} sslmode=require"
    ));
    assert!(!encrypted(&repo));
}

/// The highest resident size, in KiB, that `child` reached, watched until it exits.
fn peak_kib(mut child: std::process::Child) -> (std::process::Output, u64) {
    let status = format!("/proc/{}/status", child.id());
    let mut peak = 0;
    loop {
        if let Ok(text) = std::fs::read_to_string(&status)
            && let Some(kb) = text
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        {
            peak = peak.max(kb);
        }
        if child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    (child.wait_with_output().unwrap(), peak)
}

#[test]
#[ignore = "needs postgres"]
fn a_postgres_pull_is_bounded_in_bytes_time_and_rows() {
    let admin = pg_admin();
    let (url, password) = pg_database(&admin, "bounds");
    // One field of 400 MB against a timeout of 3 s: stopped after 32 MiB, in time, small.
    let repo = pg_repo(
        "select repeat('x', 400 * 1024 * 1024) as day, 1.0::float8 as value",
        3,
    );
    let started = std::time::Instant::now();
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_handoff"))
        .current_dir(repo.path())
        .env("KPI_DATABASE_URL", &url)
        .args(["metrics", "pull", "--today", "2026-12-15"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let (out, peak) = peak_kib(child);
    let elapsed = started.elapsed();
    eprintln!("a field of 400 MB: {elapsed:?}, peak {} MiB", peak / 1024);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("the server sent more than 32 MiB")
            || err.contains("ran past its timeout of 3 s"),
        "{err}"
    );
    assert!(!err.contains(&password));
    assert!(
        elapsed < std::time::Duration::from_millis(4500),
        "{elapsed:?}"
    );
    assert!(peak > 0 && peak < 160 * 1024, "peak {} MiB", peak / 1024);

    // Rows each within bounds, but more bytes than a pull may read: stopped at 32 MiB.
    let repo = pg_repo(
        "select '2020-01-01'::date as day, ('0.' || repeat('1', 1000))::numeric as value from generate_series(1, 99000)",
        20,
    );
    let (code, text) = pg_pull(&repo, &url, &password);
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("the server sent more than 32 MiB"), "{text}");

    // A field past the bound of a field, in a small result: named with its row and column.
    let repo = pg_repo("select repeat('2', 5000) as day, 1.0::float8 as value", 5);
    let (code, text) = pg_pull(&repo, &url, &password);
    assert_eq!(code, 2, "{text}");
    assert!(
        text.contains("row 1: column `day` holds 5000 bytes; a day or a number takes at most 1024"),
        "{text}"
    );

    // Every row returned counts toward the cap, also rows outside the range pulled.
    let repo = pg_repo(
        "select '2020-01-01'::date + (i % 30), 1.0::float8 from generate_series(1, 150000) i",
        10,
    );
    let (code, text) = pg_pull(&repo, &url, &password);
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("more than 100000 rows"), "{text}");

    // A query that keeps the server busy past the timeout: stopped by the one deadline.
    let repo = pg_repo("select day, value::float8 from kpi_daily, pg_sleep(30)", 2);
    let started = std::time::Instant::now();
    let (code, text) = pg_pull(&repo, &url, &password);
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("timeout of 2 s"), "{text}");
    assert!(started.elapsed() < std::time::Duration::from_secs(4));
}

/// A repo whose KPI fell under target after day 0: 14 good days, then three bad ones.
fn breached_repo() -> Repo {
    let mut rows = days(|_| Some(4.5));
    for (day, v) in [
        ("2026-12-15", 4.4),
        ("2026-12-16", 3.0),
        ("2026-12-17", 2.5),
        ("2026-12-18", 2.0),
    ] {
        rows.push((day.to_string(), Some(v)));
    }
    let repo = repo_with_db(&rows);
    assert_eq!(repo.run(&["metrics", "pull", "--today", "2026-12-19"]).0, 0);
    repo
}

#[test]
fn a_breach_shows_in_status_and_remind_with_the_owner_to_ping() {
    let repo = breached_repo();
    let (code, out, _) = repo.run(&["status", "--today", "2026-12-19"]);
    assert_eq!(code, 0);
    let row = out.lines().find(|l| l.starts_with("p ")).expect(&out);
    assert!(row.contains("2% breach 3d"), "{out}");
    let (_, out, _) = repo.run(&["status", "--today", "2026-12-19", "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    let kpi = &doc["packets"][0]["kpi"];
    assert_eq!(kpi["target"], ">= 4%");
    assert_eq!(kpi["last"], 2.0);
    assert_eq!(kpi["met"], false);
    assert_eq!(kpi["breach_days"], 3);

    let (code, out, _) = repo.run(&["remind", "--today", "2026-12-19", "--within", "0d"]);
    assert_eq!(code, 0);
    assert!(out.contains("KPI breaches:"), "{out}");
    assert!(
        out.contains(
            "p (day +4): KPI under >= 4% for 3 days since 2026-12-16 (last: 2% on 2026-12-18)"
        ),
        "{out}"
    );
    assert!(out.contains("ping: Maria Lopez <maria@x.test>"), "{out}");

    // Back on target: no breach any more.
    let db = rusqlite::Connection::open(repo.file("data/kpis.db")).unwrap();
    db.execute(
        "insert into kpi_daily values ('winback', '2026-12-19', 4.6)",
        [],
    )
    .unwrap();
    assert_eq!(repo.run(&["metrics", "pull", "--today", "2026-12-20"]).0, 0);
    let (_, out, _) = repo.run(&["remind", "--today", "2026-12-20", "--within", "0d"]);
    assert!(!out.contains("KPI breaches"), "{out}");
}

/// A webhook on 127.0.0.1 that answers each request with the next of `answers` (status, extra
/// header) and hands back the bodies it received.
fn webhook(answers: Vec<(u16, &'static str)>) -> (String, std::thread::JoinHandle<Vec<String>>) {
    use std::io::{BufRead as _, BufReader, Read as _, Write as _};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!(
        "http://127.0.0.1:{}/services/T0/B0/s3cretpath",
        listener.local_addr().unwrap().port()
    );
    let handle = std::thread::spawn(move || {
        let mut bodies = Vec::new();
        for (status, header) in answers {
            let Ok((stream, _)) = listener.accept() else {
                break;
            };
            stream
                .set_read_timeout(Some(std::time::Duration::from_secs(10)))
                .unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut len = 0;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    len = v.trim().parse().unwrap_or(0);
                }
            }
            let mut body = vec![0; len];
            reader.read_exact(&mut body).unwrap();
            bodies.push(String::from_utf8_lossy(&body).into_owned());
            let text = if status == 200 { "ok" } else { "no_service" };
            let mut stream = stream;
            let _ = write!(
                stream,
                "HTTP/1.1 {status} X\r\n{header}Content-Length: {}\r\nConnection: close\r\n\r\n{text}",
                text.len()
            );
        }
        bodies
    });
    (url, handle)
}

#[test]
fn remind_post_sends_the_slack_message_retrying_429_and_5xx_and_never_prints_the_url() {
    let repo = breached_repo();
    let (url, server) = webhook(vec![(429, "Retry-After: 0\r\n"), (503, ""), (200, "")]);
    let out = repo
        .handoff()
        .env("SLACK_WEBHOOK_URL", &url)
        .args([
            "remind",
            "--today",
            "2026-12-19",
            "--within",
            "0d",
            "--post",
        ])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        err.contains("posted 1 message to $SLACK_WEBHOOK_URL"),
        "{err}"
    );
    assert!(out.stdout.is_empty(), "--post prints no payload");
    let bodies = server.join().unwrap();
    assert_eq!(bodies.len(), 3, "one try and two retries");
    assert!(
        bodies.iter().all(|b| b == &bodies[0]),
        "the same payload each time"
    );
    let payload: serde_json::Value = serde_json::from_str(&bodies[0]).unwrap();
    let text = payload["blocks"][1]["text"]["text"].as_str().unwrap();
    assert!(
        text.contains("*KPI breach* since") && text.contains("KPI under &gt;= 4% for 3 days"),
        "{text}"
    );

    // A webhook that refuses: exit 2, its answer named, the URL's secret never printed.
    let (url, server) = webhook(vec![(404, "")]);
    let out = repo
        .handoff()
        .env("HOOK", &url)
        .args([
            "remind",
            "--today",
            "2026-12-19",
            "--post",
            "--webhook-env",
            "HOOK",
        ])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("the webhook answered 404: no_service"),
        "{err}"
    );
    assert!(!err.contains("s3cretpath"), "{err}");
    assert_eq!(server.join().unwrap().len(), 1, "a 404 is not retried");

    // Plain HTTP to another machine, or no variable at all: refused before anything is sent.
    let out = repo
        .handoff()
        .env(
            "SLACK_WEBHOOK_URL",
            "http://hooks.example.test/services/T0/B0/s3cretpath",
        )
        .args(["remind", "--today", "2026-12-19", "--post"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("not an https:// URL") && !err.contains("s3cretpath"),
        "{err}"
    );
    let out = repo
        .handoff()
        .env_remove("SLACK_WEBHOOK_URL")
        .args(["remind", "--post"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("SLACK_WEBHOOK_URL is not set"));
}

#[test]
fn the_review_document_summarises_and_draws_the_series() {
    let repo = breached_repo();
    let (code, md, err) = repo.run(&["render", "p", "--today", "2026-12-19"]);
    assert_eq!(code, 0, "{err}");
    // The series sits in the decision block, after the metric answer.
    let decision = &md[md.find("## Decision").expect("decision")..];
    let decision = &decision[..decision[3..]
        .find("\n## ")
        .map_or(decision.len(), |i| i + 3)];
    assert!(decision.contains("**KPI, day by day**"), "{md}");
    assert!(md.contains("Stability window 2026-12-01 to 2026-12-14: 14 of 14 days meet it (min 4.5%, max 4.5%): **stable**"), "{md}");
    assert!(
        md.contains("**Breach:** under \\>= 4% for 3 days in a row since 2026-12-16"),
        "{md}"
    );

    let (code, _, err) = repo.run(&[
        "render",
        "p",
        "--format",
        "html",
        "-o",
        "p.html",
        "--today",
        "2026-12-19",
    ]);
    assert_eq!(code, 0, "{err}");
    let html = repo.read("p.html");
    for expected in [
        "<svg class=\"kpi\"",
        "<rect class=\"window\"",
        "<line class=\"target\"",
        "<polyline class=\"series\"",
        "<circle class=\"missed\"",
        "<line class=\"day0\"",
        "<line class=\"today\"",
        "2026-12-17: 2.5%",
    ] {
        assert!(html.contains(expected), "{expected} not in the page");
    }
}

#[test]
#[ignore = "needs chromium"]
fn the_kpi_chart_draws_in_a_headless_browser() {
    let repo = breached_repo();
    let (code, _, err) = repo.run(&[
        "render",
        "p",
        "--format",
        "html",
        "-o",
        "p.html",
        "--today",
        "2026-12-19",
    ]);
    assert_eq!(code, 0, "{err}");
    let browser = common::chromium();
    let profile = tempfile::tempdir().unwrap();
    let page = repo.file("p.html");
    let dom = common::headless(browser, profile.path())
        .arg("--dump-dom")
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap();
    let dom = String::from_utf8_lossy(&dom.stdout);
    assert!(
        dom.contains("class=\"kpi\"") && dom.contains("class=\"window\""),
        "{dom}"
    );
    let shot = repo.file("shot.png");
    common::headless(browser, profile.path())
        .arg("--window-size=1000,4000")
        .arg(format!("--screenshot={}", shot.display()))
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap();
    let decoder = png::Decoder::new(std::io::BufReader::new(
        std::fs::File::open(&shot).expect("a screenshot"),
    ));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    let channels = info.color_type.samples();
    let near = |px: &[u8], rgb: [i32; 3]| {
        px.iter()
            .zip(rgb)
            .all(|(c, w)| (i32::from(*c) - w).abs() <= 12)
    };
    let (mut shade, mut missed) = (0, 0);
    for px in buf[..info.buffer_size()].chunks(channels) {
        // The window's green at 12% over white, and the red of a missed day.
        if near(&px[..3], [227, 240, 233]) {
            shade += 1;
        }
        if near(&px[..3], [0xb4, 0x23, 0x18]) {
            missed += 1;
        }
    }
    assert!(
        shade > 5_000,
        "the stability window is not drawn ({shade} pixels)"
    );
    assert!(
        missed > 20,
        "the missed days are not drawn ({missed} pixels)"
    );
}

#[test]
fn stats_tells_how_many_signed_off_plays_still_meet_their_kpi() {
    let repo = Repo::new();
    repo.write(".handoff/kinds/play/kind.yaml", KIND);
    let text = packet("  series:\n    file: metrics/kpi.csv\n", true).replace(DAY0, "2026-10-01");
    repo.write("handoffs/p/handoff.md", &text);
    repo.commit_at("Dana Kim <dana@x.test>", "2026-09-20", "P");
    // Signed at the packet's status (as `handoff sign` records it): a sign-off recorded at a
    // later status than the packet's would be one the packet was sent back from.
    let signed = text.replace(
        "signoffs: []",
        "signoffs:\n  - role: ops\n    by: Omar Haddad <omar@x.test>\n    at: \"2026-10-01T10:00:00Z\"\n    digest: sha256:00\n    status: ready",
    );
    repo.write("handoffs/p/handoff.md", &signed);
    repo.commit_at(
        "Omar Haddad <omar@x.test>",
        "2026-10-01",
        "Sign off p as ops",
    );
    // On target until 2026-11-09, under it from 2026-11-10 on; nothing after 2026-11-30.
    let mut csv = String::from("day,value\n");
    let mut day = chrono::NaiveDate::from_ymd_opt(2026, 9, 17).unwrap();
    while day <= chrono::NaiveDate::from_ymd_opt(2026, 11, 30).unwrap() {
        let v = if day < chrono::NaiveDate::from_ymd_opt(2026, 11, 10).unwrap() {
            4.5
        } else {
            3.0
        };
        csv.push_str(&format!("{day},{v}\n"));
        day += chrono::Duration::days(1);
    }
    repo.write("handoffs/p/metrics/kpi.csv", &csv);
    repo.commit_at("Dana Kim <dana@x.test>", "2026-12-01", "KPI");
    let (code, out, err) = repo.run(&["stats", "--today", "2026-12-31", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    let p = &doc["packets"][0];
    assert_eq!(p["signed_off"], "2026-10-01");
    assert_eq!(
        p["kpi_on_target"],
        serde_json::json!([true, false, null]),
        "{p:#}"
    );
    assert_eq!(
        p["stale_signoffs"], 0,
        "a pulled series does not stale the sign-off"
    );
    assert_eq!(
        doc["overall"]["kpi_on_target_share"],
        serde_json::json!([1.0, 0.0, null])
    );
    let (_, text, _) = repo.run(&["stats", "--today", "2026-12-31"]);
    assert!(
        text.contains("KPI on target 30 / 60 / 90 days after sign-off  100% / 0% / —"),
        "{text}"
    );
    // Before 30 days have passed, nothing is known yet.
    let (_, out, _) = repo.run(&["stats", "--today", "2026-10-20", "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        doc["packets"][0]["kpi_on_target"],
        serde_json::json!([null, null, null])
    );
}

#[test]
fn a_csv_export_is_a_source_and_an_old_series_is_stale() {
    let repo = Repo::new();
    repo.write(".handoff/kinds/play/kind.yaml", KIND);
    repo.write(
        "handoff.toml",
        "[sources.export]\nkind = \"csv\"\npath = \"exports/kpis.csv\"\n",
    );
    let mut csv = String::from("date,winback_rate,other\n");
    for (day, v) in days(|i| Some(4.0 + i as f64 / 10.0)) {
        csv.push_str(&format!("{day},{},1\n", v.unwrap()));
    }
    repo.write("exports/kpis.csv", &csv);
    repo.write(
        "handoffs/p/handoff.md",
        packet(
            "  series:\n    source: export\n    column: winback_rat\n",
            true,
        ),
    );
    let (code, _, err) = repo.run(&["metrics", "pull", "--today", "2026-12-15"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("has no column `winback_rat`; did you mean `winback_rate`?"),
        "{err}"
    );
    repo.write(
        "handoffs/p/handoff.md",
        packet(
            "  series:\n    source: export\n    column: winback_rate\n",
            true,
        ),
    );
    let (code, out, err) = repo.run(&["metrics", "pull", "--today", "2026-12-15"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("14 days (2026-12-01 to 2026-12-14) from export; stable"),
        "{out}"
    );
    assert!(
        repo.read("handoffs/p/metrics/kpi.csv")
            .contains("2026-12-14,5.3\n")
    );

    // Ten days later nobody pulled: the last value is older than the default two days allow.
    let (_, doc) = repo.check_json(&["--today", "2026-12-24", "--gate", "handed-off"]);
    let stale: Vec<_> = rules(&doc)
        .into_iter()
        .filter(|(r, _, _)| r == "kpi-stale")
        .collect();
    assert_eq!(stale.len(), 1, "{doc:#}");
    assert!(
        stale[0]
            .2
            .contains("ends 10 days ago (2026-12-14); without a data contract's freshness, a daily series may be 2 days behind"),
        "{stale:?}"
    );
    assert_eq!(stale[0].1, "warning");
}

#[test]
fn csv_exports_are_read_in_any_separator_with_the_files_own_line_numbers() {
    let repo = Repo::new();
    repo.write(".handoff/kinds/play/kind.yaml", KIND);
    repo.write(
        "handoff.toml",
        "[sources.export]\nkind = \"csv\"\npath = \"exports/kpis.csv\"\n",
    );
    repo.write(
        "handoffs/p/handoff.md",
        packet(
            "  series:\n    source: export\n    column: Winback rate\n",
            true,
        ),
    );
    // A spreadsheet export in a locale with the decimal comma: `;` between the columns.
    let mut csv = String::from("Day;Winback rate;\"Notes; free text\"\n");
    for (day, v) in days(|i| Some(4.0 + i as f64 / 10.0)) {
        csv.push_str(&format!(
            "{day};{};ok\n",
            format!("{:.1}", v.unwrap()).replace('.', ",")
        ));
    }
    repo.write("exports/kpis.csv", &csv);
    let (code, out, err) = repo.run(&["metrics", "pull", "--today", "2026-12-15"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("14 days (2026-12-01 to 2026-12-14)"), "{out}");
    assert!(
        repo.read("handoffs/p/metrics/kpi.csv")
            .contains("2026-12-14,5.3\n")
    );

    // A note spanning lines, then a bad day: the error names the line of the file it is on.
    let mut csv = String::from("Day;Winback rate;Notes\n");
    csv.push_str("2026-12-01;4,0;\"a note\nover\nfour\nlines\"\n");
    csv.push_str("\n2026-12-02;4,1;\n");
    csv.push_str("2026-13-03;4,2;\n");
    repo.write("exports/kpis.csv", &csv);
    let (code, _, err) = repo.run(&["metrics", "pull", "--today", "2026-12-15"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("exports/kpis.csv:8: `2026-13-03` is not a day"),
        "{err}"
    );

    // An export of three million columns: refused in a message of a few lines.
    let mut wide = String::with_capacity(9_000_000);
    wide.push_str("day");
    for i in 0..3_000_000 {
        wide.push_str(if i % 2 == 0 { ",a" } else { ",b" });
    }
    wide.push('\n');
    repo.write("exports/kpis.csv", &wide);
    let (code, out, err) = repo.run(&["metrics", "pull", "--today", "2026-12-15"]);
    assert_eq!(code, 2, "{out}");
    assert!(err.contains("3000001 columns; at most 4096"), "{err}");
    assert!(err.len() < 2_000, "{} bytes of error", err.len());
    // Without a day column, the message lists some columns, not all of them.
    let mut wide = String::from("when");
    for i in 0..3000 {
        wide.push_str(&format!(",kpi_{i}"));
    }
    repo.write("exports/kpis.csv", format!("{wide}\n"));
    let (code, _, err) = repo.run(&["metrics", "pull", "--today", "2026-12-15"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("has no `day` column") && err.contains("and 2981 more"),
        "{err}"
    );
    assert!(err.len() < 2_000, "{} bytes of error", err.len());
}

#[test]
fn without_a_series_the_ticked_box_is_noted_as_unverified() {
    let repo = Repo::new();
    repo.write(".handoff/kinds/play/kind.yaml", KIND);
    repo.write("handoffs/p/handoff.md", packet("", true));
    let (code, doc) = repo.check_json(&["--today", "2026-12-15", "--gate", "ready"]);
    assert_eq!(code, 0, "a note never fails: {doc:#}");
    let found = rules(&doc);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "kpi-unverified");
    assert_eq!(found[0].1, "note");
    assert!(
        found[0]
            .2
            .contains("\"KPI stable for 14 days before the handoff\" is a ticked box")
    );
}

#[test]
fn a_pull_never_replaces_a_committed_series_with_fewer_days() {
    let repo = repo_with_db(&days(|i| Some(4.2 + i as f64 / 100.0)));
    assert_eq!(repo.run(&["metrics", "pull", "--today", "2026-12-15"]).0, 0);
    repo.commit_as("Dana Kim <dana@x.test>", "KPI");
    let csv = repo.read("handoffs/p/metrics/kpi.csv");
    assert_eq!(csv.lines().count(), 15);

    // A typo in the filter returns no rows: an error naming the days, the file as it was.
    let typo = sqlite_series().replace("'winback'", "'trial_to_pay'");
    repo.write("handoffs/p/handoff.md", packet(&typo, true));
    let (code, out, err) = repo.run(&["metrics", "pull", "--today", "2026-12-15"]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        err.contains("the query returned no rows")
            && err.contains("would lose 14 days: 2026-12-01 to 2026-12-14")
            && err.contains("--allow-shrink")
            && err.contains("was left as it was"),
        "{err}"
    );
    assert_eq!(repo.read("handoffs/p/metrics/kpi.csv"), csv);

    // A query that drops two days: named, and nothing written.
    repo.write("handoffs/p/handoff.md", packet(&sqlite_series(), true));
    let db = rusqlite::Connection::open(repo.file("data/kpis.db")).unwrap();
    db.execute(
        "delete from kpi_daily where day in ('2026-12-03', '2026-12-09')",
        [],
    )
    .unwrap();
    let (code, _, err) = repo.run(&["metrics", "pull", "--today", "2026-12-15"]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("the query returned 12 days")
            && err.contains("would lose 2 days: 2026-12-03, 2026-12-09"),
        "{err}"
    );
    assert_eq!(repo.read("handoffs/p/metrics/kpi.csv"), csv);

    // Asked for: the series is replaced.
    let (code, _, err) = repo.run(&["metrics", "pull", "--today", "2026-12-15", "--allow-shrink"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(repo.read("handoffs/p/metrics/kpi.csv").lines().count(), 13);
}

#[test]
fn with_base_the_query_and_the_source_are_run_as_the_base_has_them() {
    let repo = repo_with_db(&days(|i| Some(4.2 + i as f64 / 100.0)));
    repo.git(&["branch", "-M", "main"]);
    repo.git(&["checkout", "-q", "-b", "change"]);
    // The change points the source elsewhere, with a timeout of an hour, and reads another
    // table with the job's credentials.
    repo.write(
        "handoff.toml",
        "[sources.warehouse]\nkind = \"postgres\"\nurl_env = \"AWS_SECRET_ACCESS_KEY\"\ntimeout = 3600\n",
    );
    let evil = sqlite_series().replace("from kpi_daily", "from secrets");
    repo.write("handoffs/p/handoff.md", packet(&evil, true));
    repo.commit_as("Mallory <m@x.test>", "tweak");
    let (code, out, err) = repo
        .handoff()
        .env("GITHUB_ACTIONS", "true")
        .args([
            "metrics",
            "pull",
            "--check",
            "--base",
            "main",
            "--today",
            "2026-12-15",
        ])
        .output()
        .map(|o| {
            (
                o.status.code().unwrap_or(-1),
                String::from_utf8_lossy(&o.stdout).into_owned(),
                String::from_utf8_lossy(&o.stderr).into_owned(),
            )
        })
        .unwrap();
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        err.contains("warning[series-query-changed]")
            && err.contains("p: the series' query differs from main"),
        "{err}"
    );
    assert!(
        out.contains("::warning file=handoffs/p/handoff.md")
            && out.contains("series-query-changed"),
        "{out}"
    );
    assert!(!repo.file("handoffs/p/metrics/kpi.csv").exists());

    // The query as the base has it, the source changed: the base's [sources] are read (the
    // SQLite file), not the change's PostgreSQL URL.
    repo.write("handoffs/p/handoff.md", packet(&sqlite_series(), true));
    let (code, out, err) = repo.run(&[
        "metrics",
        "pull",
        "--check",
        "--base",
        "main",
        "--today",
        "2026-12-15",
    ]);
    assert_eq!(code, 1, "a file to write: {out}{err}");
    assert!(
        out.contains("p: 14 days (2026-12-01 to 2026-12-14) from warehouse"),
        "{out}"
    );
    assert!(
        err.contains("[sources.warehouse] differs from main"),
        "{err}"
    );
    // An unknown base is refused.
    assert_eq!(
        repo.run(&["metrics", "pull", "--check", "--base", "nosuch"])
            .0,
        2
    );
}

#[test]
fn remind_post_follows_no_redirect_from_this_machine_to_another_host() {
    let repo = breached_repo();
    let (url, server) = webhook(vec![(
        302,
        "Location: http://collector.example.test/steal\r\n",
    )]);
    let out = repo
        .handoff()
        .env("SLACK_WEBHOOK_URL", &url)
        .args([
            "remind",
            "--today",
            "2026-12-19",
            "--within",
            "0d",
            "--post",
        ])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("a redirect to http://collector.example.test; redirects are not followed"),
        "{err}"
    );
    assert!(
        !err.contains("s3cretpath") && !err.contains("steal"),
        "{err}"
    );
    assert_eq!(server.join().unwrap().len(), 1, "one request, no retry");
}
