// The area's depot, set by a click on the map: the click fills the depot's latitude and
// longitude in the settings form (which can also be typed in, without the map).
(function () {
  "use strict";
  var el = document.getElementById("depot-map");
  var lat = document.getElementById("depot_lat");
  var lon = document.getElementById("depot_lon");
  if (!el || !lat || !lon || typeof L === "undefined") {
    return;
  }
  var start = [parseFloat(el.dataset.lat), parseFloat(el.dataset.lon)];
  var known = isFinite(start[0]) && isFinite(start[1]);
  var map = L.map(el).setView(known ? start : [34.69, 135.83], known ? 13 : 10);
  L.tileLayer(el.dataset.tiles, { attribution: el.dataset.attribution, maxZoom: 18 }).addTo(map);
  var marker = known ? L.circleMarker(start, { radius: 9, color: "#990000", weight: 3 }).addTo(map) : null;
  map.on("click", function (event) {
    var at = event.latlng;
    lat.value = at.lat.toFixed(6);
    lon.value = at.lng.toFixed(6);
    if (marker) {
      marker.setLatLng(at);
    } else {
      marker = L.circleMarker(at, { radius: 9, color: "#990000", weight: 3 }).addTo(map);
    }
  });
})();
