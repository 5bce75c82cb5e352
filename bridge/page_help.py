"""What each admin page and listing tab means and what to do there, in the merchant's words.

Every page renders its entry in a short help block at its top (``page_help.html``); the
listings page adds the entry of the tab shown. A test walks every page and every tab.
"""

from __future__ import annotations

#: view -> (what the page shows, what to do with it)
PAGES: dict[str, tuple[str, str]] = {
    "overview": ("Each connected Amazon account with its listings per tab, its last sync and anything that "
                 "needs you (alerts).",
                 "Deal with the alerts first: each says what happened and what to do. Open an account's "
                 "listings or dashboard from its row."),
    "dashboard": ("One account at a glance: listings per tab over time, price and stock changes sent, orders "
                  "imported and how the last syncs went.",
                  "A falling Active line or failed syncs are the signs to look at the Communication log and the "
                  "Ineligible and Incomplete tabs."),
    "listings": ("Every product of the Magento catalog that your listing rule selects, sorted into tabs by what "
                 "it is on Amazon, each with the reason why.",
                 "Pick a tab, filter or search, tick products and use the actions above the grid (publish, end, "
                 "relist, send price and stock now). For products without an ASIN, Find ASINs on Amazon lists "
                 "what Amazon's catalog holds for up to 100 ticked products: assign one per product, or every "
                 "product with exactly one candidate at once. Open a product to see every step that decided it."),
    "accounts": ("Your Amazon seller accounts connected to this store, each with its status, its credential check "
                 "and its last sync.",
                 "Pause an account to stop syncing it for a while; resume it when ready. Check the credentials "
                 "after changing them in Seller Central; rotate the LWA client secret before it expires; delete "
                 "an account you no longer sell on (you choose whether its listings end on Amazon)."),
    "onboarding": ("Connecting an Amazon account and setting it up: which product attribute holds the barcode, "
                   "which products to list, and how prices, stock and condition are sent.",
                   "Authorize with Amazon (or paste the credentials), then map the identifiers, write the listing "
                   "rule and check the settings on a sample product before the first sync. To see Amazon's "
                   "changes within seconds, turn on Amazon's notifications with an SQS queue (optional: the "
                   "five-minute cycle keeps the account in step either way). Repricing, also optional, moves each "
                   "offer's price with the competition within a floor and a ceiling you set."),
    "orders": ("The orders bought on Amazon for your accounts, with where each stands: imported into Magento, "
               "stock reserved, shipped, cancelled.",
               "Open an order that needs attention (it says why) to retry its import or see its items; "
               "filter by status or date to find one."),
    "order": ("One Amazon order: its items mapped to your products, its Magento order and what happened to it "
              "step by step.",
              "If an item is not mapped, fix the product's identifier and retry the import; shipping is sent to "
              "Amazon when the Magento order ships."),
    "log": ("Every call made to Amazon for your accounts: what was asked, what Amazon answered and how long it "
            "took.",
            "Filter by account, SKU or failures to see why a change did not reach Amazon; a throttled call is "
            "retried by itself."),
    "history": ("Every change made to your listings and settings, by whom and when, with the values before and "
                "after.",
                "Use it to find out who changed a price rule or ended a listing, and to see what the value was."),
    "product": ("One product on one Amazon account: which tab it is in and why, the price and quantity sent with "
                "each step that made them, and what Amazon answered.",
                "Fix what the reason points to (an identifier, a setting, stock), then send it now; the page "
                "follows Amazon's answer."),
    "search": ("Products and listings matching what you typed: SKU, ASIN, barcode or name.",
               "Open a result to see its product page; type a full SKU or ASIN to go straight to it."),
}

#: listing tab -> what being in it means and what to do
TABS: dict[str, str] = {
    "active": "Listed on Amazon and buyable. Prices and stock follow Magento by themselves; nothing to do.",
    "ready_to_list": "Match an Amazon product and pass your rule, but are not on Amazon yet. Publish them, or wait "
                     "for the next sync if publishing is automatic.",
    "inactive": "On Amazon but not buyable (no stock, a suppressed offer or a price Amazon rejects). The reason "
                "column says which; fix it in Magento or Seller Central.",
    "ineligible": "Cannot be listed: no Amazon product matches the barcode, several do, or the category needs an "
                  "approval. Check the identifier mapping or ask Amazon for the approval.",
    "incomplete": "Missing something Amazon needs (a barcode, a price, a condition, or an ASIN when the barcode "
                  "matched several Amazon products or none). Fill it in on the Magento product, or tick products and "
                  "use Find ASINs on Amazon to choose their ASIN; they move on at the next sync.",
    "ended": "Ended on Amazon (by you or because they left your rule). Relist them to sell them again.",
    "new_third_party": "Listings found in your Seller Central that this store did not create. Link them to a "
                       "Magento product by SKU, or leave them alone.",
}


def page_help(view: str) -> tuple[str, str]:
    return PAGES[view]
