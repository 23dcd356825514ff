"""The hub map: rates per area, hexagon hotspots, what is drawn and where, its figures and words.

No streamlit here. :mod:`.hub_map` assembles the map a page, the bench and the tests show,
from :mod:`.rates` (records and rates per area), :mod:`.hexagons` (hotspots), :mod:`.view`
(GeoJSON, the view, boundary notes), :mod:`.figures` and :mod:`.words`.
"""
