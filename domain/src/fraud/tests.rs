use super::*;
use proptest::prelude::*;

fn eur(minor: i64) -> Money {
    Money::new(minor, Currency::parse("EUR").unwrap()).unwrap()
}

fn card(number: &str) -> CardFacts {
    let card = CardNumber::parse(number).unwrap();
    CardFacts::new(&card, format!("fp-{}", card.last4()))
}

fn facts(minor: i64) -> Facts {
    Facts {
        amount: eur(minor),
        card: Some(card("4111111111111111")),
        ip_country: IpCountry::Known("NL".into()),
        recent: vec![],
    }
}

fn entry(id: i64, rule: Rule, action: Action) -> RuleEntry {
    RuleEntry { id, rule, action }
}

#[test]
fn maximum_amount_blocks_above_the_limit_in_its_currency_only() {
    let rules = [entry(
        1,
        parse_max_amount("100", "EUR").unwrap(),
        Action::Block,
    )];
    assert_eq!(
        screen(&rules, &facts(10_000)).result(),
        FraudResult::Accepted
    );
    let verdict = screen(&rules, &facts(10_001));
    assert_eq!(verdict.result(), FraudResult::Denied);
    assert_eq!(verdict.reason().unwrap(), "maximum amount 100.00 EUR");
    let mut usd = facts(99_999_999);
    usd.amount = Money::new(99_999_999, Currency::parse("USD").unwrap()).unwrap();
    assert_eq!(screen(&rules, &usd).result(), FraudResult::Accepted);
}

#[test]
fn card_country_comes_from_the_bin_table() {
    assert_eq!(card_country("41111111"), Some("US"));
    assert_eq!(card_country("40000000"), Some("NL"));
    assert_eq!(card_country("67030000"), Some("BE"));
    assert_eq!(card_country("99999999"), None);
    let rules = [entry(1, Rule::CardCountry("US".into()), Action::Review)];
    let verdict = screen(&rules, &facts(100));
    assert_eq!(verdict.result(), FraudResult::Challenged);
    let mut nl = facts(100);
    nl.card = Some(card("4000000000000002"));
    assert_eq!(screen(&rules, &nl).result(), FraudResult::Accepted);
}

#[test]
fn ip_country_without_a_database_is_unchecked_never_passed_silently() {
    let rules = [entry(7, Rule::IpCountry("NL".into()), Action::Block)];
    assert_eq!(screen(&rules, &facts(100)).result(), FraudResult::Denied);
    let mut none = facts(100);
    none.ip_country = IpCountry::Unavailable;
    let verdict = screen(&rules, &none);
    assert_eq!(verdict.result(), FraudResult::Accepted);
    assert_eq!(verdict.unchecked, vec![7]);
    none.ip_country = IpCountry::Unknown;
    assert!(screen(&rules, &none).unchecked.is_empty());
}

#[test]
fn bin_ranges_compare_the_same_number_of_digits() {
    let rule = parse_bin_range("411110-411112").unwrap();
    let rules = [entry(1, rule, Action::Block)];
    assert_eq!(screen(&rules, &facts(100)).result(), FraudResult::Denied);
    let one = [entry(
        2,
        parse_bin_range(" 41111111 ").unwrap(),
        Action::Block,
    )];
    assert_eq!(screen(&one, &facts(100)).result(), FraudResult::Denied);
    assert_eq!(parse_bin_range("41111"), Err(RuleError::BinRange));
    assert_eq!(parse_bin_range("411112-411110"), Err(RuleError::BinRange));
    assert_eq!(parse_bin_range("411110-4111120"), Err(RuleError::BinRange));
    assert_eq!(parse_bin_range("41111a"), Err(RuleError::BinRange));
}

#[test]
fn a_blocked_card_matches_by_fingerprint_and_velocity_counts_earlier_attempts() {
    let rules = [
        entry(
            1,
            Rule::CardNumber {
                fingerprint: "fp-1111".into(),
                masked: "411111******1111".into(),
            },
            Action::Block,
        ),
        entry(
            2,
            parse_velocity(Dimension::Email, "3", "60").unwrap(),
            Action::Review,
        ),
    ];
    let mut f = facts(100);
    f.card = Some(card("5555555555554444"));
    f.recent = vec![(2, 2)];
    assert_eq!(screen(&rules, &f).result(), FraudResult::Accepted);
    f.recent = vec![(2, 3)];
    let verdict = screen(&rules, &f);
    assert_eq!(verdict.result(), FraudResult::Challenged);
    f.card = Some(card("4111111111111111"));
    let verdict = screen(&rules, &f);
    assert_eq!(verdict.result(), FraudResult::Denied);
    assert_eq!(verdict.hits[0].rule_id, 1, "block rules come first");
    assert_eq!(
        verdict.reason().unwrap(),
        "blocked card 411111******1111; more than 3 attempts per e-mail in 60 min"
    );
}

#[test]
fn typed_values_are_checked() {
    assert_eq!(parse_max_amount("0", "EUR"), Err(RuleError::Amount));
    assert_eq!(parse_max_amount("-5", "EUR"), Err(RuleError::Amount));
    assert_eq!(parse_max_amount("10", "ZZZ"), Err(RuleError::Currency));
    assert_eq!(parse_country(" nl "), Ok("NL".into()));
    assert_eq!(parse_country("XX"), Err(RuleError::Country));
    assert_eq!(
        parse_velocity(Dimension::Ip, "0", "60"),
        Err(RuleError::Attempts)
    );
    assert_eq!(
        parse_velocity(Dimension::Ip, "5", "43201"),
        Err(RuleError::Window)
    );
    assert!(parse_card_number("4111111111111112").is_err());
    assert_eq!(Action::parse(Action::Review.code()), Some(Action::Review));
    assert_eq!(FraudResult::parse(Some("denied")), FraudResult::Denied);
    assert_eq!(FraudResult::parse(None), FraudResult::Accepted);
}

proptest! {
    #[test]
    fn the_verdict_follows_the_actions_of_the_hits(
        limits in proptest::collection::vec((1i64..1_000_000, any::<bool>()), 0..20),
        amount in 1i64..2_000_000,
    ) {
        let rules: Vec<RuleEntry> = limits
            .iter()
            .enumerate()
            .map(|(i, (limit, block))| entry(
                i as i64,
                Rule::MaxAmount(eur(*limit)),
                if *block { Action::Block } else { Action::Review },
            ))
            .collect();
        let verdict = screen(&rules, &facts(amount));
        let hit: Vec<&(i64, bool)> = limits.iter().filter(|(l, _)| amount > *l).collect();
        prop_assert_eq!(verdict.hits.len(), hit.len());
        let expected = if hit.iter().any(|(_, b)| *b) {
            FraudResult::Denied
        } else if hit.is_empty() {
            FraudResult::Accepted
        } else {
            FraudResult::Challenged
        };
        prop_assert_eq!(verdict.result(), expected);
        // Block rules first.
        let first_review = verdict.hits.iter().position(|h| h.action == Action::Review);
        if let Some(p) = first_review {
            prop_assert!(verdict.hits[p..].iter().all(|h| h.action == Action::Review));
        }
    }

    #[test]
    fn a_bin_range_holds_exactly_the_numbers_between_its_bounds(
        low in 400_000u32..499_999, span in 0u32..500, bin in 400_000u32..500_999,
    ) {
        let high = (low + span).min(999_999);
        let rule = parse_bin_range(&format!("{low}-{high}")).unwrap();
        let rules = [entry(1, rule, Action::Block)];
        let mut f = facts(100);
        f.card = Some(CardFacts { bin: format!("{bin}00"), fingerprint: String::new() });
        let inside = (low..=high).contains(&bin);
        prop_assert_eq!(screen(&rules, &f).result() == FraudResult::Denied, inside);
    }

    #[test]
    fn rules_beyond_the_bound_are_not_read(extra in 0usize..50) {
        let rules: Vec<RuleEntry> = (0..MAX_RULES + extra)
            .map(|i| entry(i as i64, Rule::MaxAmount(eur(1)), Action::Review))
            .collect();
        prop_assert_eq!(screen(&rules, &facts(100)).hits.len(), MAX_RULES);
    }
}
