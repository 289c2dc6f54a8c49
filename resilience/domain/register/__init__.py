"""The hazard register: layers, edits, imports and exports, zones and exposure."""
