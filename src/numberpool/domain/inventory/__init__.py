"""The AvailablePhoneNumbers inventory: deterministic, valid per ``phonenumbers``, never owned.

One module per job, each importing only the ones listed before it:

- ``data``: the static facts phonenumbers does not carry (names, capabilities, addresses, regions);
- ``countries``: the countries offered, the number types, what is fixed per country and type;
- ``facts``: what the inventory knows of one number (``facts(e164)``, ``NumberFacts``);
- ``filters``: a search's ``Filters``, and the tests of them that need no walk;
- ``places``: the geocoded digit prefixes of a locality or region;
- ``screen``: a cheap test of a candidate's digits from phonenumbers' metadata;
- ``candidates``: the digit strings a search walks, in a fixed order;
- ``search``: the bounded walk (``search``, ``number_for_area_code``).

Importers name the module that holds what they use; this package exports nothing itself.
"""
