//! Who a post mentions (decision 012), as Mattermost counts it for unread
//! badges: `@username` of a channel member, `@channel` / `@all` / `@here`
//! for every member, and every other member of a direct or group channel.
//! Never the author. Text inside code (fenced blocks, `inline`) mentions
//! no one, as in Mattermost.

use crate::error::AppResult;
use crate::model::{Channel, Post, PostEffects, User};

use super::Services;

/// Distinct `@words` of one message that are looked up; more are ignored
/// (a 16k-character message could otherwise cost thousands of lookups).
pub const MAX_MENTION_WORDS: usize = 256;

/// The mentions a message's text asks for, before anyone is looked up.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ParsedMentions {
    /// One entry per distinct `@word`: the lowercased word, then the same
    /// word with trailing `.`, `-`, `_` trimmed one at a time ("@bob." is
    /// bob unless a user is called "bob."). The first existing user wins.
    pub candidates: Vec<Vec<String>>,
    /// `@channel`, `@all` or `@here`.
    pub channel_wide: bool,
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')
}

/// The message with code (fenced blocks, backtick spans) blanked out.
fn without_code(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut in_fence = false;
    for line in message.split('\n') {
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            in_fence = !in_fence;
            out.push('\n');
            continue;
        }
        if !in_fence {
            let mut in_span = false;
            for c in line.chars() {
                if c == '`' {
                    in_span = !in_span;
                    out.push(' ');
                } else {
                    out.push(if in_span { ' ' } else { c });
                }
            }
        }
        out.push('\n');
    }
    out
}

/// Finds the `@words` of a message. An `@` counts only at the start of a
/// word (so `me@example.com` mentions no one).
pub fn parse(message: &str) -> ParsedMentions {
    let text = without_code(message);
    let mut parsed = ParsedMentions::default();
    let mut seen = std::collections::HashSet::new();
    let mut previous: Option<char> = None;
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        let starts_word = previous.is_none_or(|p| !(is_name_char(p) || p == '@'));
        previous = Some(c);
        if c != '@' || !starts_word {
            continue;
        }
        let start = at + 1;
        let mut end = start;
        while let Some(&(i, n)) = chars.peek() {
            if !is_name_char(n) {
                break;
            }
            end = i + n.len_utf8();
            previous = Some(n);
            chars.next();
        }
        let word = text[start..end].to_ascii_lowercase();
        if word.is_empty() || !seen.insert(word.clone()) {
            continue;
        }
        let mut candidates = vec![word.clone()];
        let mut trimmed = word.as_str();
        while let Some(shorter) = trimmed.strip_suffix(['.', '-', '_']) {
            trimmed = shorter;
            if !trimmed.is_empty() {
                candidates.push(trimmed.to_string());
            }
        }
        if candidates
            .iter()
            .any(|w| matches!(w.as_str(), "channel" | "all" | "here"))
        {
            parsed.channel_wide = true;
            continue;
        }
        if parsed.candidates.len() < MAX_MENTION_WORDS {
            parsed.candidates.push(candidates);
        }
    }
    parsed
}

impl Services {
    /// What storing `post` (by `author`, in `channel`) does to memberships.
    /// System messages mention no one. A person's own post marks the
    /// channel read for them; a webhook's or bot's post does not (as in
    /// Mattermost, whose rule is the `from_webhook` / `from_bot` props).
    pub(super) fn post_effects(
        &self,
        post: &Post,
        channel: &Channel,
        author: &User,
    ) -> AppResult<PostEffects> {
        let author_viewed = !author.is_bot
            && !post.props.contains_key("from_webhook")
            && !post.props.contains_key("from_bot");
        let mut effects = PostEffects {
            author_viewed,
            ..Default::default()
        };
        if post.post_type.starts_with("system_") {
            return Ok(effects);
        }
        if channel.channel_type == "D" || channel.channel_type == "G" {
            effects.mention_all_members = true;
            return Ok(effects);
        }
        let parsed = parse(&post.message);
        effects.mention_all_members = parsed.channel_wide;
        for candidates in &parsed.candidates {
            for name in candidates {
                if let Some(user) = self.chat.user_by_username(name)? {
                    // Non-members are skipped by the store, in the post's
                    // transaction.
                    effects.mention_user_ids.push(user.id);
                    break;
                }
            }
        }
        Ok(effects)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(message: &str) -> Vec<String> {
        parse(message)
            .candidates
            .into_iter()
            .map(|c| c[0].clone())
            .collect()
    }

    #[test]
    fn finds_words_at_word_starts_case_insensitively() {
        assert_eq!(words("hi @Bob and @carol_1"), ["bob", "carol_1"]);
        assert_eq!(words("(@bob) @bob, @BOB"), ["bob"], "once each");
        assert!(words("mail me@example.com or a@@b").is_empty());
        assert!(words("just @ alone").is_empty());
        assert_eq!(
            words("@bob@carol"),
            ["bob"],
            "an @ inside a word starts nothing"
        );
    }

    #[test]
    fn trailing_punctuation_gives_shorter_candidates() {
        let parsed = parse("thanks @bob. and @a.b_-");
        assert_eq!(
            parsed.candidates,
            vec![
                vec!["bob.".to_string(), "bob".to_string()],
                vec!["a.b_-".to_string(), "a.b_".to_string(), "a.b".to_string()],
            ]
        );
        assert!(!parsed.channel_wide);
    }

    #[test]
    fn channel_wide_words() {
        for message in ["@channel", "hey @ALL!", "@here.", "(@here)"] {
            let parsed = parse(message);
            assert!(parsed.channel_wide, "{message}");
            assert!(parsed.candidates.is_empty(), "{message}");
        }
        assert!(!parse("@channels @allison").channel_wide);
        assert!(!parse("x@here").channel_wide);
    }

    #[test]
    fn code_mentions_no_one() {
        assert!(words("run `@bob` now").is_empty());
        assert!(parse("```\n@channel\n```").candidates.is_empty());
        assert!(!parse("```\n@channel\n```").channel_wide);
        assert_eq!(words("```\n@carol\n```\n@bob"), ["bob"]);
        assert_eq!(words("`x` @bob `y`"), ["bob"]);
    }

    #[test]
    fn the_number_of_words_is_capped() {
        let message: String = (0..MAX_MENTION_WORDS + 10)
            .map(|i| format!("@user{i} "))
            .collect();
        assert_eq!(parse(&message).candidates.len(), MAX_MENTION_WORDS);
    }
}
