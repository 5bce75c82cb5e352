"""Checks requests and responses against Amazon's published SP-API models.

Swagger 2.0 definitions are JSON Schema draft-4 with extensions; each operation's
response schema (by status) and body parameter schema are validated with jsonschema,
resolving ``#/definitions/...`` inside the model file.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import jsonschema

MODELS = ("sellersV1.json", "reports_2021-06-30.json", "feeds_2021-06-30.json", "listingsItems_2021-08-01.json",
          "catalogItems_2022-04-01.json", "orders_2026-01-01.json", "ordersV0.json", "notificationsV1.json",
          "productPricingV0.json", "productPricing_2022-05-01.json")


class Models:
    def __init__(self, folder: Path):
        self.operations = []
        for name in MODELS:
            model = json.loads((folder / name).read_text())
            for template, ops in model["paths"].items():
                pattern = re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", template) + "$")
                for method, op in ops.items():
                    if isinstance(op, dict) and "operationId" in op:
                        self.operations.append((method.upper(), pattern, template, op, model))

    def find(self, method: str, path: str):
        # The most specific template wins (fewest placeholders).
        hits = [o for o in self.operations if o[0] == method and o[1].match(path)]
        return min(hits, key=lambda o: o[2].count("{")) if hits else None

    @staticmethod
    def _validate(schema: dict, model: dict, instance) -> None:
        wrapper = {**schema, "definitions": model.get("definitions", {})}
        jsonschema.Draft4Validator(wrapper).validate(instance)

    def check_response(self, method: str, url: str, status: int, body) -> str:
        path = urlsplit(url).path
        found = self.find(method, path)
        if found is None:
            raise AssertionError(f"{method} {path} is not an SP-API operation of the models")
        _, _, _, op, model = found
        response = op["responses"].get(str(status))
        if response is None:
            raise AssertionError(f"{op['operationId']} does not document status {status}")
        if "schema" in response and body is not None:
            self._validate(response["schema"], model, body)
        return op["operationId"]

    def check_request(self, method: str, url: str, body) -> str:
        path = urlsplit(url).path
        found = self.find(method, path)
        if found is None:
            raise AssertionError(f"{method} {path} is not an SP-API operation of the models")
        _, _, _, op, model = found
        params = op.get("parameters", [])
        for param in params:
            if param.get("in") == "body" and body is not None:
                self._validate(param["schema"], model, body)
        return op["operationId"]
