//! The judgements: the rules, each a small unit with an id and its explanation, the one
//! findings model, a packet's verdict at its gate, and what is still open for it (and falls due
//! when). May use the facts and `support`.

pub mod actor;
pub mod acts;
pub mod diagnostic;
pub mod open;
#[cfg(test)]
mod rule_cases;
pub mod rules;
pub mod verdict;
