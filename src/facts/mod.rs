//! The facts: what the repository says, read and typed with source positions (packets,
//! kinds, the configuration, sign-offs, waivers, send-backs, the timeline, git history, KPI
//! series, the base commit's trust, a packet's identity). May use `support`; never the
//! judgements, outputs or commands.

pub mod atomic;
pub mod config;
pub mod error;
pub mod forge;
pub mod gate;
pub mod git;
pub mod history;
pub mod identity;
pub mod kind;
pub mod metrics;
pub mod packet;
pub mod person;
pub mod proof;
pub mod prover;
pub mod sendback;
pub mod signoff;
pub mod timeline;
pub mod trust;
pub mod waiver;
pub mod workspace;
