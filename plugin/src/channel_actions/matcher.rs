//! Keyword matching for channel actions and task actions: all keywords of
//! a channel compiled into one Aho-Corasick automaton, so a post is
//! scanned once whatever the number of keywords.
//!
//! Two modes per keyword set:
//! - [`MatchMode::Word`] (default, this project's): case-insensitive, and
//!   the match must start and end on a word boundary, so "sev" does not
//!   fire on "several".
//! - [`MatchMode::Substring`] (upstream's behaviour): exact, case-sensitive
//!   substring.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchMode {
    #[default]
    Word,
    Substring,
}

/// One set of keywords to recognise, owned by `owner` (an action index).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeywordSet {
    pub owner: usize,
    pub keywords: Vec<String>,
    pub mode: MatchMode,
}

/// A compiled matcher for many keyword sets.
#[derive(Debug, Clone)]
pub struct Matcher {
    /// Case-folded keywords of the word-mode sets.
    folded: Option<AhoCorasick>,
    /// Exact keywords of the substring-mode sets.
    exact: Option<AhoCorasick>,
    /// Per pattern of each automaton: (owner, keyword as configured).
    folded_owners: Vec<(usize, String)>,
    exact_owners: Vec<(usize, String)>,
}

/// A hit: which set, and the keyword as configured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub owner: usize,
    pub keyword: String,
}

impl Matcher {
    /// Compiles the sets; blank keywords are ignored.
    pub fn new(sets: &[KeywordSet]) -> Matcher {
        let mut folded = Vec::new();
        let mut folded_owners = Vec::new();
        let mut exact = Vec::new();
        let mut exact_owners = Vec::new();
        for set in sets {
            for keyword in set
                .keywords
                .iter()
                .map(|k| k.trim())
                .filter(|k| !k.is_empty())
            {
                match set.mode {
                    MatchMode::Word => {
                        folded.push(keyword.to_lowercase());
                        folded_owners.push((set.owner, keyword.to_owned()));
                    }
                    MatchMode::Substring => {
                        exact.push(keyword.to_owned());
                        exact_owners.push((set.owner, keyword.to_owned()));
                    }
                }
            }
        }
        let build = |patterns: &[String]| {
            (!patterns.is_empty()).then(|| {
                AhoCorasickBuilder::new()
                    .match_kind(MatchKind::Standard)
                    .build(patterns)
                    .ok()
            })?
        };
        Matcher {
            folded: build(&folded),
            exact: build(&exact),
            folded_owners,
            exact_owners,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.folded.is_none() && self.exact.is_none()
    }

    /// Every (set, keyword) found in `text`, each once, in pattern order.
    pub fn find(&self, text: &str) -> Vec<Hit> {
        let mut hits: Vec<Hit> = Vec::new();
        let mut push = |owner: usize, keyword: &str| {
            if !hits
                .iter()
                .any(|h| h.owner == owner && h.keyword == keyword)
            {
                hits.push(Hit {
                    owner,
                    keyword: keyword.to_owned(),
                });
            }
        };
        if let Some(ac) = &self.folded {
            let lower = text.to_lowercase();
            for m in ac.find_overlapping_iter(&lower) {
                if on_word_boundaries(&lower, m.start(), m.end()) {
                    let (owner, keyword) = &self.folded_owners[m.pattern().as_usize()];
                    push(*owner, keyword);
                }
            }
        }
        if let Some(ac) = &self.exact {
            for m in ac.find_overlapping_iter(text) {
                let (owner, keyword) = &self.exact_owners[m.pattern().as_usize()];
                push(*owner, keyword);
            }
        }
        hits
    }
}

/// Whether `text[start..end]` starts and ends on a word boundary (the
/// neighbouring characters, if any, are not alphanumeric or `_`).
fn on_word_boundaries(text: &str, start: usize, end: usize) -> bool {
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    let first_inner = text[start..end].chars().next();
    let last_inner = text[start..end].chars().next_back();
    let before = text[..start].chars().next_back();
    let after = text[end..].chars().next();
    // A boundary only matters where the keyword itself has a word
    // character at that edge ("#sev1" may follow a letter).
    let left_ok = !(first_inner.is_some_and(is_word) && before.is_some_and(is_word));
    let right_ok = !(last_inner.is_some_and(is_word) && after.is_some_and(is_word));
    left_ok && right_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(owner: usize, keywords: &[&str], mode: MatchMode) -> KeywordSet {
        KeywordSet {
            owner,
            keywords: keywords.iter().map(|s| s.to_string()).collect(),
            mode,
        }
    }

    fn owners_and_keywords(m: &Matcher, text: &str) -> Vec<(usize, String)> {
        m.find(text)
            .into_iter()
            .map(|h| (h.owner, h.keyword))
            .collect()
    }

    #[test]
    fn word_mode_is_case_insensitive_on_word_boundaries() {
        let m = Matcher::new(&[set(0, &["sev", "Outage", "db down"], MatchMode::Word)]);
        assert_eq!(
            owners_and_keywords(&m, "OUTAGE: the DB down since 10:00, sev!"),
            vec![
                (0, "Outage".into()),
                (0, "db down".into()),
                (0, "sev".into())
            ]
        );
        assert!(m.find("several outages, dbdown").is_empty());
        assert!(m.find("sev_1").is_empty(), "underscore is a word character");
        assert_eq!(m.find("(sev)").len(), 1);
    }

    #[test]
    fn substring_mode_is_upstreams_exact_match() {
        let m = Matcher::new(&[set(3, &["sev"], MatchMode::Substring)]);
        assert_eq!(owners_and_keywords(&m, "several"), vec![(3, "sev".into())]);
        assert!(m.find("SEV").is_empty());
    }

    #[test]
    fn several_sets_and_overlaps_each_reported_once() {
        let m = Matcher::new(&[
            set(0, &["incident", "inc"], MatchMode::Word),
            set(1, &["incident"], MatchMode::Word),
            set(2, &["#p1"], MatchMode::Word),
        ]);
        let hits = owners_and_keywords(&m, "Incident incident INC #P1");
        assert_eq!(
            hits,
            vec![
                (0, "incident".into()),
                (1, "incident".into()),
                (0, "inc".into()),
                (2, "#p1".into())
            ]
        );
        // Keyword with a non-word edge may follow a letter.
        assert_eq!(m.find("x#p1").len(), 1);
    }

    #[test]
    fn unicode_and_blank_keywords() {
        let m = Matcher::new(&[set(0, &["  ", "Störung"], MatchMode::Word)]);
        assert_eq!(m.find("GROSSE STÖRUNG!").len(), 1);
        assert!(m.find("Störungen").is_empty());
        assert!(Matcher::new(&[set(0, &[" "], MatchMode::Word)]).is_empty());
    }
}
