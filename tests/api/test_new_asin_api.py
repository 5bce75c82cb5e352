"""The new-ASIN API: product types from the cache, the mapping screen's data (suggested
defaults, attribute rows, validation counts read from Magento), saving a mapping with its
checks, and products chosen by hand queued for a worker run."""

import json
from datetime import datetime

from rq import Queue

from channel import jobs, new_asin, product_types
from sandbox import product_types as sandbox_types

NO_IDENTIFIER = 46  # the generated catalog gives every 23rd product no UPC/EAN
WITH_IDENTIFIER = 5


def cache_home(channel_db):
    raw = sandbox_types.document("HOME")
    definition = {"productType": "HOME", "displayName": "Home", "requirements": "LISTING",
                  "productTypeVersion": {"version": sandbox_types.VERSION, "latest": True},
                  "schema": {"checksum": sandbox_types.checksum(raw)}}
    with channel_db.engine.begin() as conn:
        product_types.store(conn, "ATVPDKIKX0DER", definition, json.loads(raw), datetime.utcnow())


def test_mapping_screen_suggests_defaults_and_counts_what_is_missing(api, channel_db, account_id):
    assert api.get(f"/api/v1/accounts/{account_id}/product-types/HOME").status_code == 404  # not fetched yet
    cache_home(channel_db)
    assert api.get(f"/api/v1/accounts/{account_id}/product-types").get_json()["product_types"][0]["name"] == "HOME"
    with channel_db.engine.begin() as conn:
        new_asin.queue_products(conn, account_id, [(NO_IDENTIFIER, "MG-0000046", "HOME"),
                                                   (WITH_IDENTIFIER, "MG-0000005", "HOME")])
    data = api.get(f"/api/v1/accounts/{account_id}/product-types/HOME").get_json()
    assert data["suggested"] is True
    suggested = {m["amazon_attribute"]: m["value"] for m in data["mapping"]}
    assert suggested["item_name"] == "name" and suggested["brand"] == "manufacturer"
    assert suggested["externally_assigned_product_identifier.value"] == "ean"
    names = {a["name"]: a for a in data["attributes"]}
    assert names["item_type_keyword"]["required"] == "required"
    assert names["externally_assigned_product_identifier"]["required"] == "conditional"
    assert "purchasable_offer" not in names and "variation_theme" not in names
    assert data["validation"]["products"] == 2 and data["validation"]["valid"] == 0

    rows = [{"amazon_attribute": k, "source": "attribute", "value": v} for k, v in suggested.items()]
    rows += [{"amazon_attribute": "externally_assigned_product_identifier.type", "source": "fixed", "value": "ean"},
             {"amazon_attribute": "bullet_point", "source": "template", "value": "{{name}} by {{manufacturer}}"},
             {"amazon_attribute": "item_type_keyword", "source": "fixed", "value": "Vases"}]
    saved = api.put(f"/api/v1/accounts/{account_id}/product-types/HOME/mapping", json={"rows": rows}).get_json()
    v = saved["validation"]
    assert (v["valid"], v["invalid"]) == (1, 1)
    assert v["by_attribute"] == {"externally_assigned_product_identifier": 1}  # the product without EAN
    data = api.get(f"/api/v1/accounts/{account_id}/product-types/HOME").get_json()
    assert data["suggested"] is False and len(data["mapping"]) == len(rows)


def test_a_mapping_naming_what_does_not_exist_is_refused(api, channel_db, account_id):
    cache_home(channel_db)
    url = f"/api/v1/accounts/{account_id}/product-types/HOME/mapping"
    bad_amazon = api.put(url, json={"rows": [{"amazon_attribute": "flux_capacitor", "source": "fixed", "value": "1"}]})
    assert bad_amazon.status_code == 422 and "flux_capacitor" in bad_amazon.get_json()["error"]["message"]
    bad_magento = api.put(url, json={"rows": [{"amazon_attribute": "brand", "source": "template",
                                               "value": "{{no_such_code}}"}]})
    assert bad_magento.status_code == 422 and "no_such_code" in bad_magento.get_json()["error"]["message"]
    bad_source = api.put(url, json={"rows": [{"amazon_attribute": "brand", "source": "guess", "value": "x"}]})
    assert bad_source.status_code == 422


def test_products_chosen_by_hand_are_queued_and_a_run_enqueued(api, channel_db, account_id, redis_client):
    cache_home(channel_db)
    resp = api.post(f"/api/v1/accounts/{account_id}/new-asins",
                    json={"product_ids": [NO_IDENTIFIER], "product_type": "HOME"})
    assert resp.status_code == 202, resp.get_json()
    job = Queue(jobs.QUEUE, connection=redis_client).fetch_job(resp.get_json()["job_id"])
    assert job.func_name == new_asin.RUN_JOB and job.args == (account_id,)
    listed = api.get(f"/api/v1/accounts/{account_id}/new-asins").get_json()
    assert [(p["product_id"], p["seller_sku"], p["status"]) for p in listed["products"]] == \
        [(NO_IDENTIFIER, "MG-0000046", "queued")]
    assert api.post(f"/api/v1/accounts/{account_id}/new-asins",
                    json={"product_ids": [999999], "product_type": "HOME"}).status_code == 404
    assert api.post(f"/api/v1/accounts/{account_id}/new-asins",
                    json={"product_ids": [NO_IDENTIFIER], "product_type": "SPACESHIP"}).status_code == 404
    assert api.get(f"/api/v1/accounts/{account_id}/new-asins?status=lost").status_code == 400


def test_a_rule_choosing_products_is_checked_against_the_catalog_and_kept(api, channel_db, account_id):
    cache_home(channel_db)
    url = f"/api/v1/accounts/{account_id}/product-types/HOME/rule"
    bad = api.put(url, json={"rule": {"type": "attribute", "attribute": "no_such_code", "operator": "==",
                                      "value": "x"}})
    assert bad.status_code == 422
    rule = {"type": "combine", "aggregator": "all", "value": True,
            "conditions": [{"type": "attribute", "attribute": "color", "operator": "==", "value": "Red"}]}
    saved = api.put(url, json={"rule": rule})
    assert saved.status_code == 200 and saved.get_json()["job_id"]
    data = api.get(f"/api/v1/accounts/{account_id}/product-types/HOME").get_json()
    assert data["rule"]["conditions"][0]["attribute"] == "color"
    assert api.put(url, json={"rule": None}).get_json() == {"rule": None, "job_id": None}
    assert api.get(f"/api/v1/accounts/{account_id}/product-types/HOME").get_json()["rule"] is None


def test_value_maps_offer_magento_option_labels_are_kept_and_checked_against_amazons_values(
        api, channel_db, account_id):
    from sandbox import catalog as sample

    cache_home(channel_db)
    url = f"/api/v1/accounts/{account_id}/product-types/HOME"
    data = api.get(url).get_json()
    assert data["magento_options"]["color"] == list(sample.OPTIONS["color"])
    assert data["magento_options"]["manufacturer"] == list(sample.OPTIONS["manufacturer"])
    member = next(m for a in data["attributes"] if a["name"] == "color" for m in a["members"]
                  if m["name"] == "standardized_values")
    assert "Red" in member["enum"] and member["type"] == "array"

    row = {"amazon_attribute": "color.standardized_values", "source": "attribute", "value": "color",
           "value_map": {"Red": "Red", "Green": "Multicolor", "Blue": ""}}
    assert api.put(url + "/mapping", json={"rows": [row]}).status_code == 200
    (saved,) = [m for m in api.get(url).get_json()["mapping"] if m["amazon_attribute"] == "color.standardized_values"]
    assert saved["value_map"] == {"Red": "Red", "Green": "Multicolor"}  # an empty choice maps nothing

    bad = api.put(url + "/mapping", json={"rows": [{**row, "value_map": {"Red": "Crimson"}}]})
    assert bad.status_code == 422 and "Crimson" in bad.get_json()["error"]["message"]
