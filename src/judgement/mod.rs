//! The judgements: the rules, each a small unit with an id and its explanation, the one
//! findings model, a packet's verdict at its gate, what is still open for it (and falls due
//! when), the acts people do to packets, the reminders across packets, and which packets a
//! change can move. May use the facts and `support`.

pub mod acts;
pub mod changed;
pub mod diagnostic;
pub mod open;
pub mod reminders;
#[cfg(test)]
mod rule_cases;
pub mod rules;
pub mod verdict;
