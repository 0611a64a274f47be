//! Mattermost's search syntax, parsed into words, phrases and modifiers.
//!
//! Pure: no store, no clock. Names (`from:alice`, `in:town-square`,
//! `in:@bob`) stay names here; [`super::resolve`] turns them into ids.
//!
//! Grammar (case-insensitive, whitespace-separated):
//! * `word`, `word*` (prefix), `"a phrase"`; a leading `-` excludes
//!   (`-word`, `-"a phrase"`);
//! * `from:username`, `-from:username`; `@` before the name is allowed;
//! * `in:channel-name` (also `channel:`; `~` before the name is allowed),
//!   `in:@username` for the direct channel with that person, `-in:…`;
//! * `before:YYYY-MM-DD`, `after:YYYY-MM-DD`, `on:YYYY-MM-DD`, days in the
//!   searcher's time zone (`time_zone_offset`, seconds east of UTC);
//!   `before:` is before that day, `after:` after it, `on:` during it.
//! * `#hashtag` and `@mention` search for the word (the tokenizer drops the
//!   sign).
//!
//! A term with no letter or digit (`*`, `!!`, `"…"`) matches nothing and is
//! dropped, as Mattermost drops a bare `*`.

use chat_store::ports::search::SearchTerm;

/// Longest `terms` accepted, in characters.
pub const MAX_TERMS_CHARS: usize = 1024;
/// Most words, phrases and modifiers in one search.
pub const MAX_TERM_COUNT: usize = 32;
/// Most characters in one word or phrase.
pub const MAX_WORD_CHARS: usize = 256;
/// Largest `time_zone_offset` magnitude, in seconds (UTC±14 h is the widest
/// real zone; a day leaves room for odd clients).
pub const MAX_TIME_ZONE_OFFSET_SECS: i64 = 86_400;

const DAY_MS: i64 = 86_400_000;

/// Where to search: a channel of the team by name, or the direct channel
/// with a user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChannelRef {
    Name(String),
    Direct(String),
}

/// A parsed search. Time bounds are epoch milliseconds:
/// `after_ms <= create_at < before_ms`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ParsedSearch {
    pub terms: Vec<SearchTerm>,
    pub excluded_terms: Vec<SearchTerm>,
    pub from_users: Vec<String>,
    pub excluded_users: Vec<String>,
    pub in_channels: Vec<ChannelRef>,
    pub excluded_channels: Vec<ChannelRef>,
    pub after_ms: Option<i64>,
    pub before_ms: Option<i64>,
}

impl ParsedSearch {
    /// Whether anything narrows the search besides exclusions: without it a
    /// search would list every post, which Mattermost does not do either.
    pub fn is_selective(&self) -> bool {
        !self.terms.is_empty()
            || !self.from_users.is_empty()
            || !self.in_channels.is_empty()
            || self.after_ms.is_some()
            || self.before_ms.is_some()
    }

    /// Whether the time bounds leave no instant at all.
    pub fn is_empty_range(&self) -> bool {
        matches!((self.after_ms, self.before_ms), (Some(a), Some(b)) if a >= b)
    }
}

/// Why a search was refused; the message names the field, as every 400
/// does.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("terms: must not be empty")]
    Empty,
    #[error("terms: at most {MAX_TERMS_CHARS} characters")]
    TooLong,
    #[error("terms: at most {MAX_TERM_COUNT} words, phrases and modifiers")]
    TooManyTerms,
    #[error("terms: a word or phrase has at most {MAX_WORD_CHARS} characters")]
    WordTooLong,
    #[error("terms: {0:?} is not a date (expected {1}YYYY-MM-DD)")]
    BadDate(String, &'static str),
    #[error("time_zone_offset: must be between -86400 and 86400 seconds")]
    BadTimeZone,
}

/// One whitespace-separated piece of the input.
struct Token {
    excluded: bool,
    quoted: bool,
    text: String,
}

fn tokens(input: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut chars = input.chars().peekable();
    loop {
        while chars.next_if(|c| is_space(*c)).is_some() {}
        let Some(&first) = chars.peek() else {
            return out;
        };
        let mut excluded = false;
        if first == '-' {
            chars.next();
            match chars.peek() {
                Some(c) if !is_space(*c) => excluded = true,
                // A lone `-` is not a term.
                _ => continue,
            }
        }
        let mut text = String::new();
        let quoted = chars.next_if_eq(&'"').is_some();
        if quoted {
            // To the closing quote, or the end when there is none.
            for c in chars.by_ref() {
                if c == '"' {
                    break;
                }
                text.push(if c.is_control() { ' ' } else { c });
            }
        } else {
            while let Some(c) = chars.next_if(|c| !is_space(*c)) {
                text.push(c);
            }
        }
        out.push(Token {
            excluded,
            quoted,
            text,
        });
    }
}

/// Whitespace, and control characters, which never belong in a term.
fn is_space(c: char) -> bool {
    c.is_whitespace() || c.is_control()
}

fn has_word_char(text: &str) -> bool {
    text.chars().any(char::is_alphanumeric)
}

/// Parses `terms`; `time_zone_offset` (seconds east of UTC) places the days
/// of `before:`, `after:` and `on:`.
pub fn parse(terms: &str, time_zone_offset: i64) -> Result<ParsedSearch, ParseError> {
    if terms.chars().count() > MAX_TERMS_CHARS {
        return Err(ParseError::TooLong);
    }
    if terms.trim().is_empty() {
        return Err(ParseError::Empty);
    }
    if time_zone_offset.abs() > MAX_TIME_ZONE_OFFSET_SECS {
        return Err(ParseError::BadTimeZone);
    }
    let tokens = tokens(terms);
    if tokens.len() > MAX_TERM_COUNT {
        return Err(ParseError::TooManyTerms);
    }
    let mut parsed = ParsedSearch::default();
    for token in tokens {
        if !token.quoted && modifier(&mut parsed, &token, time_zone_offset)? {
            continue;
        }
        let mut text = token.text.trim().to_lowercase();
        let mut prefix = false;
        if !token.quoted && text.ends_with('*') {
            text = text.trim_end_matches('*').to_string();
            prefix = true;
        }
        if !has_word_char(&text) {
            continue;
        }
        if text.chars().count() > MAX_WORD_CHARS {
            return Err(ParseError::WordTooLong);
        }
        let term = SearchTerm { text, prefix };
        let list = if token.excluded {
            &mut parsed.excluded_terms
        } else {
            &mut parsed.terms
        };
        if !list.contains(&term) {
            list.push(term);
        }
    }
    Ok(parsed)
}

/// Applies `token` if it is a modifier (`name:value` with a known name and a
/// value); returns whether it was.
fn modifier(
    parsed: &mut ParsedSearch,
    token: &Token,
    time_zone_offset: i64,
) -> Result<bool, ParseError> {
    let Some((name, value)) = token.text.split_once(':') else {
        return Ok(false);
    };
    let name = name.to_ascii_lowercase();
    let value = value.trim().to_lowercase();
    if value.is_empty() {
        return Ok(false);
    }
    match name.as_str() {
        "from" => {
            let user = value.trim_start_matches('@').to_string();
            if user.is_empty() {
                // `from:@`: names nobody; ignored.
            } else if token.excluded {
                parsed.excluded_users.push(user);
            } else {
                parsed.from_users.push(user);
            }
        }
        "in" | "channel" => {
            let channel = match value.strip_prefix('@') {
                Some(user) => ChannelRef::Direct(user.to_string()),
                None => ChannelRef::Name(value.trim_start_matches('~').to_string()),
            };
            if matches!(&channel, ChannelRef::Direct(n) | ChannelRef::Name(n) if n.is_empty()) {
                // `in:@`, `in:~`: names nothing; ignored.
            } else if token.excluded {
                parsed.excluded_channels.push(channel);
            } else {
                parsed.in_channels.push(channel);
            }
        }
        "before" | "after" | "on" if !token.excluded => {
            let kind = match name.as_str() {
                "before" => "before:",
                "after" => "after:",
                _ => "on:",
            };
            let day =
                parse_day(&value).ok_or_else(|| ParseError::BadDate(token.text.clone(), kind))?;
            let start = day * DAY_MS - time_zone_offset * 1000;
            let (after, before) = match kind {
                "before:" => (None, Some(start)),
                "after:" => (Some(start + DAY_MS), None),
                _ => (Some(start), Some(start + DAY_MS)),
            };
            if let Some(after) = after {
                parsed.after_ms = Some(parsed.after_ms.map_or(after, |a| a.max(after)));
            }
            if let Some(before) = before {
                parsed.before_ms = Some(parsed.before_ms.map_or(before, |b| b.min(before)));
            }
        }
        _ => return Ok(false),
    }
    Ok(true)
}

/// `YYYY-MM-DD` (month and day may have one digit, as Mattermost pads them)
/// as days since 1970-01-01; `None` when it is not a real date.
pub fn parse_day(text: &str) -> Option<i64> {
    let mut parts = text.split('-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some()
        || y.len() != 4
        || !(1..=2).contains(&m.len())
        || !(1..=2).contains(&d.len())
        || ![y, m, d]
            .iter()
            .all(|p| p.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    let (y, m, d): (i64, i64, i64) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days_in_month = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    if !(1..=days_in_month).contains(&d) {
        return None;
    }
    // Days from civil (proleptic Gregorian), H. Hinnant's algorithm.
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

#[cfg(test)]
#[path = "parse_tests.rs"]
mod tests;
