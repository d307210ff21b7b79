//! Address → coordinates. GSI's address search (国土地理院, the default: Japanese addresses,
//! no key) or Nominatim; `off` never asks. Any failure is "no answer": the resident is saved
//! for a coordinator to place, never a 500.

use std::time::Duration;

use serde::Deserialize;

use crate::domain::area::Location;

pub const GSI_URL: &str = "https://msearch.gsi.go.jp/address-search/AddressSearch";
pub const NOMINATIM_URL: &str = "https://nominatim.openstreetmap.org/search";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provider {
    Gsi,
    Nominatim,
    Off,
}

impl Provider {
    pub fn as_str(self) -> &'static str {
        match self {
            Provider::Gsi => "gsi",
            Provider::Nominatim => "nominatim",
            Provider::Off => "off",
        }
    }

    pub fn default_url(self) -> &'static str {
        match self {
            Provider::Gsi => GSI_URL,
            Provider::Nominatim => NOMINATIM_URL,
            Provider::Off => "",
        }
    }
}

/// Why there is no location; only logged.
#[derive(Debug, thiserror::Error)]
pub enum GeocodeError {
    #[error("geocoder request failed: {0}")]
    Transport(String),
    #[error("geocoder answered {0}")]
    Status(u16),
    #[error("geocoder answer not understood: {0}")]
    Format(String),
}

#[derive(Deserialize)]
struct GsiFeature {
    geometry: GsiGeometry,
}

#[derive(Deserialize)]
struct GsiGeometry {
    /// [lon, lat]
    coordinates: [f64; 2],
}

#[derive(Deserialize)]
struct NominatimPlace {
    lat: String,
    lon: String,
}

#[derive(Clone)]
pub struct Geocoder {
    provider: Provider,
    url: String,
    http: reqwest::Client,
}

impl Geocoder {
    pub fn new(provider: Provider, url: Option<String>, timeout: Duration) -> Result<Self, String> {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!(
                "yui/",
                env!("CARGO_PKG_VERSION"),
                " (mutual-aid grocery service)"
            ))
            .build()
            .map_err(|e| format!("geocoder client: {e}"))?;
        Ok(Geocoder {
            provider,
            url: url.unwrap_or_else(|| provider.default_url().to_owned()),
            http,
        })
    }

    pub fn provider(&self) -> Provider {
        self.provider
    }

    /// The first match for `address`; `Ok(None)` when the service knows no such place.
    pub async fn locate(&self, address: &str) -> Result<Option<Location>, GeocodeError> {
        let request = match self.provider {
            Provider::Off => return Ok(None),
            Provider::Gsi => self.http.get(&self.url).query(&[("q", address)]),
            Provider::Nominatim => self.http.get(&self.url).query(&[
                ("q", address),
                ("format", "jsonv2"),
                ("limit", "1"),
            ]),
        };
        let response = request
            .send()
            .await
            .map_err(|e| GeocodeError::Transport(e.without_url().to_string()))?;
        if !response.status().is_success() {
            return Err(GeocodeError::Status(response.status().as_u16()));
        }
        let body = response
            .bytes()
            .await
            .map_err(|e| GeocodeError::Transport(e.without_url().to_string()))?;
        let location = match self.provider {
            Provider::Gsi => serde_json::from_slice::<Vec<GsiFeature>>(&body)
                .map_err(|e| GeocodeError::Format(e.to_string()))?
                .into_iter()
                .next()
                .map(|f| Location {
                    lon: f.geometry.coordinates[0],
                    lat: f.geometry.coordinates[1],
                }),
            Provider::Nominatim => match serde_json::from_slice::<Vec<NominatimPlace>>(&body)
                .map_err(|e| GeocodeError::Format(e.to_string()))?
                .into_iter()
                .next()
            {
                Some(place) => Some(Location {
                    lat: place
                        .lat
                        .parse()
                        .map_err(|_| GeocodeError::Format("lat".into()))?,
                    lon: place
                        .lon
                        .parse()
                        .map_err(|_| GeocodeError::Format("lon".into()))?,
                }),
                None => None,
            },
            Provider::Off => None,
        };
        // An answer outside the globe is no answer.
        Ok(location.and_then(|l| l.validate("location").ok()))
    }
}
