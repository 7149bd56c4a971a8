//! The integration tests, one binary: each module drives the real `handoff` binary (or reads the
//! repository) in temp git repos. `cargo test --test it <module>::` runs one module.

// Test helpers are shared across the modules of this one binary, never exported.
#![allow(unreachable_pub)]

mod common;

mod approvals;
mod architecture;
mod attacks;
mod bad_input;
mod ci_and_editors;
mod ci_files;
mod ci_reports;
mod cli_words;
mod due_dates;
mod hostile;
mod kinds_evolve;
mod kinds_substance;
mod kpi;
mod lifecycle;
mod log_injection;
mod lsp;
mod new_and_check;
mod open_items;
mod packaging;
mod portfolio;
mod pull_request;
mod readable_output;
mod readme;
mod reminders;
mod render;
mod robustness;
mod signoff_and_history;
mod signoff_trust;
