// The console map: neighbourhoods, hubs, residents and a date's runs from /console/map.json,
// drawn by Leaflet on a canvas; a resident waiting for a place is chosen in the list, then
// placed with a click on the map and "Place here". Without tiles the shapes still show.
(function () {
  "use strict";
  var el = document.getElementById("map");
  if (!el || typeof L === "undefined") {
    return;
  }
  var map = L.map(el, { preferCanvas: true }).setView([34.7, 136.0], 11);
  L.tileLayer(el.dataset.tiles, { attribution: el.dataset.attribution, maxZoom: 18 }).addTo(map);
  var colours = ["#0b5394", "#b45f06", "#38761d", "#741b47", "#990000", "#134f5c", "#7f6000", "#20124d"];
  var bounds = L.latLngBounds([]);

  function text(value) {
    var span = document.createElement("span");
    span.textContent = value;
    return span;
  }

  fetch(el.dataset.source, { credentials: "same-origin" })
    .then(function (answer) { return answer.json(); })
    .then(function (data) {
      data.neighbourhoods.forEach(function (n) {
        var layer = L.geoJSON(n.boundary, { style: { color: "#555", weight: 2, fillOpacity: 0.05 } })
          .bindTooltip(text(n.name))
          .addTo(map);
        bounds.extend(layer.getBounds());
      });
      data.hubs.forEach(function (h) {
        var at = [h.location.lat, h.location.lon];
        var storage = h.storage;
        L.circleMarker(at, { radius: 10, color: "#000", weight: 3, fillColor: "#f1c232", fillOpacity: 1 })
          .bindPopup(text(h.name + " (" + storage.ambient + " / " + storage.chilled + " / " + storage.frozen + ")"))
          .addTo(map);
        bounds.extend(at);
      });
      data.residents.forEach(function (r) {
        var at = [r.location.lat, r.location.lon];
        L.circleMarker(at, { radius: 4, color: "#0b5394", weight: 1, fillOpacity: 0.7 })
          .bindTooltip(text(r.name))
          .addTo(map);
        bounds.extend(at);
      });
      var carriers = {};
      data.runs.forEach(function (run) {
        if (!(run.carrier in carriers)) {
          carriers[run.carrier] = colours[Object.keys(carriers).length % colours.length];
        }
        if (run.path.length > 1) {
          L.polyline(run.path, { color: carriers[run.carrier], weight: 4, opacity: 0.85 })
            .bindTooltip(text(run.carrier))
            .addTo(map);
        }
      });
      if (bounds.isValid()) {
        map.fitBounds(bounds.pad(0.05));
      }
      el.dataset.ready = String(data.residents.length);
    });

  // Placing a resident: choose them in the list, click the map, confirm.
  var chosen = null;
  var status = document.getElementById("place-status");
  var pending = null;
  document.querySelectorAll("button.choose").forEach(function (button) {
    button.addEventListener("click", function () {
      document.querySelectorAll("button.choose").forEach(function (b) { b.setAttribute("aria-pressed", "false"); });
      button.setAttribute("aria-pressed", "true");
      chosen = { id: button.dataset.resident, name: button.textContent };
      status.textContent = el.dataset.chosenLabel.replace("{name}", chosen.name);
    });
  });
  map.on("click", function (event) {
    if (!chosen) {
      return;
    }
    if (pending) {
      map.removeLayer(pending);
    }
    var at = event.latlng;
    pending = L.circleMarker(at, { radius: 8, color: "#990000", weight: 3 }).addTo(map);
    status.textContent = chosen.name + " — " + at.lat.toFixed(5) + ", " + at.lng.toFixed(5) + " ";
    var place = document.createElement("button");
    place.type = "button";
    place.className = "primary";
    place.id = "place-here";
    place.textContent = el.dataset.placeLabel;
    var cancel = document.createElement("button");
    cancel.type = "button";
    cancel.textContent = el.dataset.cancelLabel;
    status.appendChild(place);
    status.appendChild(document.createTextNode(" "));
    status.appendChild(cancel);
    cancel.addEventListener("click", function () {
      map.removeLayer(pending);
      pending = null;
      status.textContent = "";
    });
    place.addEventListener("click", function () {
      var body = new URLSearchParams({ lat: String(at.lat), lon: String(at.lng) });
      fetch("/console/residents/" + chosen.id + "/place", {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRF-Token": el.dataset.csrf },
        body: body,
      }).then(function (answer) {
        if (answer.ok) {
          window.location.reload();
        } else {
          answer.text().then(function () { status.textContent = String(answer.status); });
        }
      });
    });
    place.focus();
  });
})();
