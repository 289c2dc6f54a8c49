"""The two coordinate reference systems of the project, named once."""

WGS84 = "EPSG:4326"  # storage and the web: longitude, latitude
BNG = "EPSG:27700"  # British National Grid: every distance, buffer and area, in metres
