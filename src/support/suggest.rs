//! "Did you mean …?": the closest known word to a likely typo.

/// The closest candidate to `word`, when one is close enough to be a likely typo (a swapped,
/// missing or extra letter or two, or a high Jaro-Winkler similarity).
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let len = word.chars().count();
    let edits_allowed = (len / 3).clamp(1, 3);
    candidates
        .into_iter()
        .map(|c| {
            // Words whose lengths differ by more than the edits allowed cannot be that close: the
            // edit distance is never less than the difference in length.
            let close = c.chars().count().abs_diff(len) <= edits_allowed
                && strsim::osa_distance(word, c) <= edits_allowed;
            let score = strsim::jaro_winkler(word, c) + if close { 1.0 } else { 0.0 };
            (score, c)
        })
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::did_you_mean;

    #[test]
    fn suggests_close_words_only() {
        assert_eq!(
            did_you_mean("kip", ["kpi", "target", "source"]),
            Some("kpi")
        );
        assert_eq!(
            did_you_mean("sorce", ["kpi", "target", "source"]),
            Some("source")
        );
        assert_eq!(did_you_mean("ownr", ["owner", "metric"]), Some("owner"));
        assert_eq!(did_you_mean("zzz", ["owner", "metric"]), None);
    }
}
