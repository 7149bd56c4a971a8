//! The outputs: reports of a check (human, JSON, SARIF, GitHub), review documents, calendars,
//! figures, the portfolio, the editor schema, reminders (text, JSON, Slack messages), what
//! `sign` tells the signer, and the language server. May use the judgements, the facts and
//! `support`; never the commands.

pub mod figures;
pub mod ics;
pub mod kinds;
pub mod log;
pub mod lsp;
pub mod man;
pub mod metrics;
pub mod new;
pub mod portfolio;
pub mod remind;
pub mod render;
pub mod report;
pub mod schema;
pub mod sign;
pub mod stats;
pub mod status;
pub mod timeline;
pub mod webhook;
