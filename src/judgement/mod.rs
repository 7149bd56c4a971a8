//! The judgements: the rules, each a small unit with an id and its explanation, the one
//! findings model, and a packet's verdict at its gate. May use the facts and `support`.

pub mod acts;
pub mod diagnostic;
pub mod rules;
pub mod verdict;
