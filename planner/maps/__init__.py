"""Folium maps of a mission and its plan that render without internet.

- `selection`: what one map shows (a role's or a filter's stations, TECs, teams and
  routes); the tables beside the maps use the same selection.
- `payloads`: what the browser is given to draw: compact rows, styles, popups, colours
  and the legend's rows.
- `layers`: the folium elements that turn those payloads into Leaflet layers.
- `render`: a whole map from a mission, a plan and a view.

Leaflet and its plugins are served by the app itself (`static/vendor`, Streamlit static
serving), so the data layers draw on a laptop with no connection; the OpenStreetMap tile
layer is only a backdrop that appears when online.

This file imports nothing, so the selection can be used without loading folium.
"""
