from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from bridge.reasons import REASONS
from channel.tabs import ListingState, Policy, ProductFacts, Reason, Tab, classify

facts_st = st.builds(
    ProductFacts, in_website=st.booleans(), enabled=st.booleans(), passes_rules=st.booleans(),
    quantity=st.integers(0, 50), price=st.one_of(st.none(), st.decimals("0.01", "999", places=2)),
    condition=st.sampled_from([None, "new_new", "used_good"]), has_asin=st.booleans(),
    has_identifier=st.booleans(), is_parent=st.booleans())
issue_st = st.fixed_dictionaries({"code": st.sampled_from(["90220", "8541"]), "message": st.text(min_size=1, max_size=20),
                                  "severity": st.sampled_from(["ERROR", "WARNING"])})
state_st = st.builds(
    ListingState, on_amazon=st.booleans(), amazon_status=st.sampled_from([None, "BUYABLE", "DISCOVERABLE"]),
    issues=st.lists(issue_st, max_size=2).map(tuple),
    match_status=st.sampled_from(["matched", "third_party", "multiple_matches", "has_variants", "no_match",
                                  "unresolved"]),
    pending_action=st.sampled_from([None, "publish", "end", "relist", "update"]),
    ended_by_merchant=st.booleans(), submitted=st.booleans(), fulfilled_by_amazon=st.booleans())
policy_st = st.builds(Policy, auto_publish=st.booleans())


@given(st.one_of(st.none(), facts_st), state_st, policy_st)
def test_every_product_lands_in_one_tab_with_a_reason_or_in_none(facts, state, policy):
    result = classify(facts, state, policy)
    if result is None:
        # Only never-listed products that fail eligibility get no tab.
        assert facts is not None and not state.on_amazon and not state.ended_by_merchant
        return
    assert isinstance(result.tab, Tab) and isinstance(result.reason, Reason)
    assert result.reason.value in REASONS


@given(facts_st, state_st, policy_st)
def test_ineligible_never_ends_a_listing(facts, state, policy):
    result = classify(facts, state, policy)
    if result and result.tab == Tab.INELIGIBLE:
        assert state.on_amazon and not state.ended_by_merchant
        assert result.reason in (Reason.EXCLUDED_BY_RULE, Reason.BELOW_STOCK_THRESHOLD,
                                 Reason.DISABLED_IN_MAGENTO, Reason.NOT_IN_WEBSITE)


@given(facts_st, state_st, policy_st)
def test_ended_stays_ended_until_the_merchant_publishes(facts, state, policy):
    state = ListingState(**{**state.__dict__, "ended_by_merchant": True})
    result = classify(facts, state, policy)
    if state.pending_action in ("publish", "relist"):
        assert result.tab == Tab.RELIST_IN_PROGRESS
    elif state.pending_action == "end" and state.on_amazon:
        assert result.tab == Tab.ENDING_IN_PROGRESS
    else:
        assert result.tab == Tab.ENDED


@given(facts_st, policy_st)
def test_amazon_refusals_are_inactive_never_ineligible(facts, policy):
    eligible = ProductFacts(**{**facts.__dict__, "in_website": True, "enabled": True, "passes_rules": True,
                               "quantity": 5})
    state = ListingState(on_amazon=True, amazon_status="DISCOVERABLE",
                         issues=({"code": "8541", "message": "Brand not approved", "severity": "ERROR"},))
    result = classify(eligible, state, policy)
    assert result.tab == Tab.INACTIVE and result.detail == "Brand not approved"


def ready_facts(**kw):
    base = dict(price=Decimal("10"), quantity=3, has_asin=True, has_identifier=True)
    return ProductFacts(**{**base, **kw})


def test_auto_publish_turns_ready_into_list_in_progress():
    assert classify(ready_facts(), ListingState(), Policy(False)).tab == Tab.READY_TO_LIST
    assert classify(ready_facts(), ListingState(), Policy(True)).tab == Tab.LIST_IN_PROGRESS


def test_incomplete_reasons_name_what_is_missing():
    assert classify(ready_facts(condition=None), ListingState()).reason == Reason.MISSING_CONDITION
    assert classify(ready_facts(price=None), ListingState()).reason == Reason.MISSING_PRICE
    assert classify(ready_facts(has_asin=False, has_identifier=False), ListingState()).reason == \
        Reason.MISSING_IDENTIFIER
    assert classify(ready_facts(), ListingState(match_status="multiple_matches")).reason == Reason.MULTIPLE_MATCHES
    assert classify(ready_facts(is_parent=True), ListingState()).reason == Reason.HAS_VARIANTS
    assert classify(ready_facts(), ListingState(match_status="no_match")).reason == Reason.UNABLE_TO_ASSIGN


def test_never_listed_products_failing_rules_get_no_tab():
    assert classify(ready_facts(passes_rules=False), ListingState()) is None
    assert classify(ready_facts(quantity=0), ListingState()) is None


def test_listed_product_out_of_stock_is_ineligible_but_fba_is_not():
    state = ListingState(on_amazon=True, amazon_status="BUYABLE")
    assert classify(ready_facts(quantity=0), state).tab == Tab.INELIGIBLE
    fba = ListingState(on_amazon=True, amazon_status="BUYABLE", fulfilled_by_amazon=True)
    assert classify(ready_facts(quantity=0), fba).tab == Tab.ACTIVE


def test_third_party_listing_without_product():
    assert classify(None, ListingState(on_amazon=True, match_status="third_party")).tab == Tab.NEW_THIRD_PARTY
    assert classify(None, ListingState(match_status="multiple_matches")).tab == Tab.INCOMPLETE


def test_every_reason_has_a_sentence_and_an_action():
    for reason in Reason:
        text = REASONS[reason.value]
        assert text.sentence and text.action
