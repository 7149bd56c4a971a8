//! In-process benchmarks of the work `handoff check` does per packet: parsing a packet (front
//! matter and body), and running every rule on it. Whole-process figures, with the ratios the
//! performance goals are stated in, come from `scripts/bench.sh` and `scripts/bench_history.sh`.
//!
//!     cargo bench --bench check

use criterion::{Criterion, criterion_group, criterion_main};
use handoff::facts::gate::Gate;
use handoff::facts::packet::Packet;
use std::hint::black_box;
use std::path::Path;

fn fixture() -> (std::path::PathBuf, String) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/packets/winback-email");
    let text = std::fs::read_to_string(dir.join("handoff.md")).expect("fixture");
    (dir, text)
}

fn parse(c: &mut Criterion) {
    let (dir, text) = fixture();
    c.bench_function("parse a packet (front matter and body)", |b| {
        b.iter(|| Packet::from_text(&dir, Path::new("winback-email"), black_box(text.clone())))
    });
    let broken = text.replace(
        "  backup: Tomas Weber <tomas@northwind.test>",
        "  backup: [unclosed",
    );
    c.bench_function("parse a packet whose YAML is broken", |b| {
        b.iter(|| Packet::from_text(&dir, Path::new("winback-email"), black_box(broken.clone())))
    });
}

fn rules(c: &mut Criterion) {
    let (dir, text) = fixture();
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let config = handoff::facts::config::Config::discover(&examples).expect("config");
    let kinds = handoff::facts::kind::Kinds::load(None).expect("kinds");
    let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 5).expect("date");
    let packet = Packet::from_text(&dir, Path::new("winback-email"), text);
    c.bench_function("every rule on a packet, ready gate", |b| {
        b.iter(|| {
            handoff::judgement::rules::check(
                black_box(&packet),
                &kinds,
                Gate::Ready,
                &config,
                today,
            )
        })
    });
    c.bench_function("load the kinds and parse the one a packet uses", |b| {
        b.iter(|| {
            handoff::facts::kind::Kinds::load(None).map(|k| k.get(black_box("gtm-play")).is_some())
        })
    });
}

criterion_group!(benches, parse, rules);
criterion_main!(benches);
