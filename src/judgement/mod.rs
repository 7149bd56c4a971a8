//! The judgements: the rules, each a small unit with an id and its explanation, the one
//! findings model, a packet's verdict at its gate, what is still open for it (and falls due
//! when), the acts people do to packets and who is acting, the reminders across packets, which
//! packets a change can move, what a KPI pull may do, what needs attention across a portfolio,
//! and what the audit trail flags. May use the facts and `support`.

pub mod actor;
pub mod acts;
pub mod attention;
pub mod changed;
pub mod diagnostic;
pub mod open;
pub mod pull;
pub mod reminders;
#[cfg(test)]
mod rule_cases;
pub mod rules;
pub mod trail;
pub mod verdict;
