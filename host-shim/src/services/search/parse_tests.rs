use super::*;

fn word(text: &str) -> SearchTerm {
    SearchTerm::word(text)
}

fn prefix(text: &str) -> SearchTerm {
    SearchTerm {
        text: text.into(),
        prefix: true,
    }
}

fn p(terms: &str) -> ParsedSearch {
    parse(terms, 0).unwrap()
}

#[test]
fn words_phrases_prefixes_and_exclusions() {
    let parsed = p(r#"Deploy  "Release Notes" build* -flaky -"known issue" -"#);
    assert_eq!(
        parsed.terms,
        vec![word("deploy"), word("release notes"), prefix("build")]
    );
    assert_eq!(
        parsed.excluded_terms,
        vec![word("flaky"), word("known issue")]
    );
    assert!(parsed.is_selective());
}

#[test]
fn terms_without_letters_or_digits_are_dropped_and_duplicates_merged() {
    let parsed = p(r#"* ** !! "" "  " -* alpha ALPHA"#);
    assert_eq!(parsed.terms, vec![word("alpha")]);
    assert!(parsed.excluded_terms.is_empty());
    assert!(!p("* !!").is_selective());
}

#[test]
fn an_unclosed_quote_runs_to_the_end_and_quotes_inside_words_stay_text() {
    assert_eq!(
        p(r#"x "open phrase"#).terms,
        vec![word("x"), word("open phrase")]
    );
    assert_eq!(p(r#"a"b"#).terms, vec![word("a\"b")]);
    // Inside quotes, modifiers and stars are text.
    assert_eq!(p(r#""from:alice ab*""#).terms, vec![word("from:alice ab*")]);
}

#[test]
fn control_characters_separate_terms() {
    assert_eq!(p("a\0b\u{7}c").terms, vec![word("a"), word("b"), word("c")]);
    assert_eq!(p("\"x\0y\"").terms, vec![word("x y")]);
}

#[test]
fn user_and_channel_modifiers() {
    let parsed =
        p("FROM:Alice from:@bob -from:carol in:Town-Square channel:~dev in:@Dave -in:random x");
    assert_eq!(parsed.from_users, ["alice", "bob"]);
    assert_eq!(parsed.excluded_users, ["carol"]);
    assert_eq!(
        parsed.in_channels,
        vec![
            ChannelRef::Name("town-square".into()),
            ChannelRef::Name("dev".into()),
            ChannelRef::Direct("dave".into()),
        ]
    );
    assert_eq!(
        parsed.excluded_channels,
        vec![ChannelRef::Name("random".into())]
    );
    assert_eq!(parsed.terms, vec![word("x")]);
    // A modifier alone is a selective search; an empty one is a word.
    assert!(p("from:alice").is_selective());
    assert_eq!(p("from:").terms, vec![word("from:")]);
    // Unknown names and URLs are words.
    assert_eq!(p("http://x.io").terms, vec![word("http://x.io")]);
}

#[test]
fn days_follow_the_time_zone() {
    // 2024-03-10 is day 19792 since the epoch.
    assert_eq!(parse_day("2024-03-10"), Some(19_792));
    assert_eq!(parse_day("1970-01-01"), Some(0));
    assert_eq!(parse_day("2024-3-9"), Some(19_791));
    let day = 19_792 * 86_400_000;
    let on = parse("on:2024-03-10", 0).unwrap();
    assert_eq!(
        (on.after_ms, on.before_ms),
        (Some(day), Some(day + 86_400_000))
    );
    // UTC+2: the local day starts two hours earlier in UTC.
    let on = parse("on:2024-03-10", 7200).unwrap();
    assert_eq!(on.after_ms, Some(day - 7_200_000));
    let before = parse("before:2024-03-10", -3600).unwrap();
    assert_eq!(
        (before.after_ms, before.before_ms),
        (None, Some(day + 3_600_000))
    );
    let after = parse("after:2024-03-10", 0).unwrap();
    assert_eq!(after.after_ms, Some(day + 86_400_000));
    // Several bounds intersect.
    let both = parse("after:2024-03-01 before:2024-03-10 on:2024-03-05", 0).unwrap();
    assert_eq!(both.after_ms, Some((19_787) * 86_400_000));
    assert_eq!(both.before_ms, Some((19_788) * 86_400_000));
    assert!(
        parse("after:2024-03-10 before:2024-03-10", 0)
            .unwrap()
            .is_empty_range()
    );
}

#[test]
fn bad_dates_name_the_terms() {
    for bad in [
        "on:2024-13-01",
        "before:2023-02-29",
        "after:yesterday",
        "on:24-01-01",
        "on:2024-01-01-01",
        "on:2024-001-01",
        "on:+024-01-01",
        "ON:2024/01/01",
    ] {
        let err = parse(bad, 0).unwrap_err();
        assert!(matches!(err, ParseError::BadDate(..)), "{bad}: {err:?}");
        assert!(err.to_string().starts_with("terms: "), "{err}");
    }
    assert!(parse("on:2024-02-29", 0).is_ok());
}

#[test]
fn limits() {
    assert_eq!(parse("", 0), Err(ParseError::Empty));
    assert_eq!(parse("   ", 0), Err(ParseError::Empty));
    assert_eq!(
        parse(&"a".repeat(MAX_TERMS_CHARS + 1), 0),
        Err(ParseError::TooLong)
    );
    assert!(parse(&"é".repeat(MAX_WORD_CHARS), 0).is_ok());
    assert_eq!(
        parse(&"é".repeat(MAX_WORD_CHARS + 1), 0),
        Err(ParseError::WordTooLong)
    );
    let many = vec!["w"; MAX_TERM_COUNT + 1].join(" ");
    assert_eq!(parse(&many, 0), Err(ParseError::TooManyTerms));
    assert!(parse(&vec!["w"; MAX_TERM_COUNT].join(" "), 0).is_ok());
    assert_eq!(parse("x", 86_401), Err(ParseError::BadTimeZone));
    assert!(parse("x", -86_400).is_ok());
    for err in [
        ParseError::TooLong,
        ParseError::TooManyTerms,
        ParseError::WordTooLong,
    ] {
        assert!(err.to_string().starts_with("terms: "));
    }
}

#[test]
fn never_panics_on_odd_input() {
    for input in [
        "-",
        "--",
        "-\"",
        "\"",
        "\"\"\"",
        ":",
        "in:",
        "-in:",
        "from:@",
        "in:@",
        "on:",
        "é\u{301}*",
        "*-*",
        "a:b:c",
        "\u{feff}",
        "🙂",
        "-🙂*",
    ] {
        let _ = parse(input, 0);
    }
    let empty = p("in:@ in:~ from:@ x");
    assert!(empty.in_channels.is_empty() && empty.from_users.is_empty());
}
