"""Column presets for the customer exports of the big shop platforms.

``padron import --preset NAME`` reads such an export as it is: the platform's
columns that carry a customer field are renamed to it, and every other column
(names, e-mail, phone, totals, tags …) is skipped, with one note. ``--map``
still wins for a column it names. The column names are those the platforms
document for their customer exports:

- ``shopify``: Shopify admin → Customers → Export (CSV). Its ids come with
  Excel's text guard (``'7001000000001``), which the import removes from codes.
  Exports before 2023 named the address columns without ``Default Address``.
- ``woocommerce``: WooCommerce's Customer/Order CSV Export, customer rows
  (``customer_id`` and the ``billing_*`` address).
- ``magento``: Magento 2 System → Export, entity "Customer Addresses"
  (``_email`` identifies the customer there) or the single-file
  "Customers and Addresses" (``email`` and the ``_address_*`` columns).

The map is data, not code: a platform that renames a column needs one line here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

PRESETS: Final[Mapping[str, Mapping[str, str]]] = {
    "shopify": {
        "Customer ID": "code",
        "ID": "code",
        "Default Address City": "city",
        "Default Address Province Code": "state",
        "Default Address Country Code": "country",
        "City": "city",
        "Province Code": "state",
        "Country Code": "country",
    },
    "woocommerce": {
        "customer_id": "code",
        "billing_city": "city",
        "billing_state": "state",
        "billing_country": "country",
    },
    "magento": {
        "_email": "code",
        "email": "code",
        "city": "city",
        "region": "state",
        "country_id": "country",
        "_address_city": "city",
        "_address_region": "state",
        "_address_country_id": "country",
    },
}


def preset(name: str | None) -> Mapping[str, str]:
    """The column map of a preset (empty for None); KeyError names the known ones."""
    if name is None:
        return {}
    try:
        return PRESETS[name.lower()]
    except KeyError:
        raise KeyError(f"unknown preset {name!r}; presets: {', '.join(PRESETS)}") from None
