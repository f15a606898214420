"""Outlines for the places of `factories.make_nrw_chain`, so pages draw their maps: rectangles
roughly where the places are (Wuppertal from the Kreis layer, as the BKG ships it)."""

import json

from municipalities.boundaries import import_boundaries

BOXES = {
    "05": (6.0, 50.3, 9.5, 52.5),
    "051": (6.0, 51.0, 7.5, 51.5),
    "059": (7.5, 50.8, 9.5, 51.8),
    "05124": (7.0, 51.2, 7.3, 51.35),
    "05962": (7.5, 51.1, 7.9, 51.4),
    "05962024": (7.5, 51.3, 7.7, 51.4),
}


def import_outlines(tmp_path) -> None:
    def feature(key, west, south, east, north):
        ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
        geometry = {"type": "Polygon", "coordinates": [ring]}
        return {"type": "Feature", "properties": {"AGS": key}, "geometry": geometry}

    features = [feature(key, *box) for key, box in BOXES.items()]
    path = tmp_path / "umrisse.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    import_boundaries(path)
