//! What a site's index keeps of each packet's page: a few lines, taken from the review when the
//! page is written, so a site of tens of thousands of packets never holds their reviews at once.
//! The index templates get these fields for each packet (`packets`); the HTML overview also gets
//! each packet's milestones.

use super::model::Review;
use crate::facts::gate::Gate;
use crate::facts::timeline::{Placed, State};
use chrono::NaiveDate;
use serde::Serialize;
use std::sync::Arc;

/// One packet on the index.
#[derive(Debug, Serialize)]
pub struct Entry {
    /// Packet id (`repo/id` across repositories).
    pub id: String,
    /// Its page (without extension).
    pub page: String,
    /// Title.
    pub title: String,
    /// Kind name.
    pub kind: String,
    /// Sending team.
    pub from: String,
    /// Receiving team.
    pub to: String,
    /// Day 0 (YYYY-MM-DD), when valid.
    pub day0: Option<String>,
    /// The status as written.
    pub status: String,
    /// `D-3`, `D0`, `D+5`.
    pub day_label: Option<String>,
    /// The gate verdict.
    pub verdict: Verdict,
    /// The first milestone not done yet.
    pub next_milestone: Option<Placed>,
    /// The milestones, for the overview (HTML only).
    #[serde(skip)]
    pub timeline: Vec<Milestone>,
}

/// The gate verdict, in figures.
#[derive(Debug, Serialize)]
pub struct Verdict {
    /// Passes its gate.
    pub pass: bool,
    /// The gate checked.
    pub gate: Gate,
    /// Error count.
    pub errors: usize,
    /// Warning count.
    pub warnings: usize,
}

/// A milestone as the overview draws it.
#[derive(Debug)]
pub struct Milestone {
    /// Its date.
    pub date: NaiveDate,
    /// Where it stands.
    pub state: State,
    /// The day as shown: `-7`, `0`, `+14`.
    pub offset: Arc<str>,
    /// What happens.
    pub title: Arc<str>,
}

impl Entry {
    /// The index's lines about a packet; with `milestones`, what the overview draws too (the
    /// texts milestones share across packets are held once, through `words`).
    pub fn of(review: &Review, milestones: bool, words: &Words) -> Entry {
        Entry {
            id: review.id.clone(),
            page: review.page.clone(),
            title: review.title.clone(),
            kind: review.kind.clone(),
            from: review.from.clone(),
            to: review.to.clone(),
            day0: review.day0.clone(),
            status: review.status.clone(),
            day_label: review.day_label.clone(),
            verdict: Verdict {
                pass: review.verdict.pass,
                gate: review.verdict.gate,
                errors: review.verdict.errors,
                warnings: review.verdict.warnings,
            },
            next_milestone: review.next_milestone.clone(),
            timeline: if milestones {
                review
                    .timeline
                    .iter()
                    .map(|m| Milestone {
                        date: m.date,
                        state: m.state,
                        offset: words.get(&m.offset),
                        title: words.get(&m.title),
                    })
                    .collect()
            } else {
                Vec::new()
            },
        }
    }
}

/// Texts held once however many packets repeat them (milestone titles and days).
#[derive(Debug, Default)]
pub struct Words(std::sync::Mutex<std::collections::HashSet<Arc<str>>>);

impl Words {
    /// The shared copy of `text`.
    pub fn get(&self, text: &str) -> Arc<str> {
        let mut set = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(t) = set.get(text) {
            return Arc::clone(t);
        }
        let t: Arc<str> = Arc::from(text);
        set.insert(Arc::clone(&t));
        t
    }
}

/// A list handed to a template an item at a time: each item becomes a template value when the
/// template reaches it, so a long list is never held a second time in the template's own form.
#[derive(Debug)]
pub struct Lazy<T>(pub Vec<T>);

impl<T: Serialize + std::fmt::Debug + Send + Sync + 'static> minijinja::value::Object for Lazy<T> {
    fn repr(self: &Arc<Self>) -> minijinja::value::ObjectRepr {
        minijinja::value::ObjectRepr::Seq
    }

    fn get_value(self: &Arc<Self>, key: &minijinja::Value) -> Option<minijinja::Value> {
        let item = self.0.get(key.as_usize()?)?;
        Some(minijinja::Value::from_serialize(item))
    }

    fn enumerate(self: &Arc<Self>) -> minijinja::value::Enumerator {
        minijinja::value::Enumerator::Seq(self.0.len())
    }
}

impl<T: Serialize + std::fmt::Debug + Send + Sync + 'static> Lazy<T> {
    /// The list as a template value.
    pub fn value(items: Vec<T>) -> minijinja::Value {
        minijinja::Value::from_object(Lazy(items))
    }
}
