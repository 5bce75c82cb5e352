"""Every admin page says what it means and what to do there; every listing tab too."""

import html as htmllib
import re

from bridge.page_help import PAGES, TABS
from bridge.views import VIEWS
from bridge.views.pages import TAB_LABELS
from channel.tabs import VISIBLE_TABS


def _help(page: str) -> str:
    found = re.search(r'<details class="admin__fieldset channel-help" data-help="([a-z_]+)">(.*?)</details>', page, re.S)
    assert found, "no help block"
    return found.group(1), htmllib.unescape(found.group(2))


def test_every_page_and_tab_has_its_help_written():
    assert set(PAGES) == set(VIEWS)
    assert set(TABS) == {t.value for t in VISIBLE_TABS} == set(TAB_LABELS)
    for view, (what, todo) in PAGES.items():
        assert len(what) > 40 and len(todo) > 40, view


def test_every_page_renders_its_help(api, listed, account_id):
    needs = {"product": f"?account_id={account_id}&product_id=1", "listings": f"?account_id={account_id}",
             "dashboard": f"?account_id={account_id}"}
    for view in VIEWS:
        resp = api.get(f"/fragments/{view}{needs.get(view, '')}")
        page = resp.get_data(as_text=True)
        assert resp.status_code == 200, (view, page[:300])
        shown, text = _help(page)
        assert shown == view and PAGES[view][0] in text and PAGES[view][1] in text, view


def test_each_listing_tab_renders_its_own_help_and_every_tab_has_a_tooltip(api, listed, account_id):
    for tab in TABS:
        page = api.get(f"/fragments/listings?account_id={account_id}&tab={tab}").get_data(as_text=True)
        _, text = _help(page)
        assert TABS[tab] in text and f"{TAB_LABELS[tab]}:" in text, tab
        others = [t for t in TABS if t != tab]
        assert not any(TABS[t] in text for t in others), tab
        for t in TABS:
            assert f'data-tab="{t}" title="{htmllib.escape(TABS[t], quote=True)}"' in page, (tab, t)
