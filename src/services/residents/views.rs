//! Residents and guardian links as the API reads and writes them (the wire shapes), and the
//! views built from the rows.

use super::*;
use crate::domain::text::{Line, Note};

/// Who consented, on whose behalf, on what basis, to which text.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Consent {
    pub given_by: Line,
    pub basis: Line,
    pub text_version: Line,
}

impl Consent {
    pub(crate) fn check(&self, field: &str) -> Result<(), AppError> {
        for (name, value) in [
            ("given_by", &self.given_by),
            ("basis", &self.basis),
            ("text_version", &self.text_version),
        ] {
            check_name(&format!("{field}.{name}"), value, 200)?;
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct NewResident {
    pub name: Line,
    pub phone: Line,
    pub address: Line,
    pub location: Option<Location>,
    pub fulfilment: Line,
    pub care_notes: Option<Note>,
    pub consent: Option<Consent>,
}

/// A resident as the API shows it. Care notes only to staff; each such read is audited.
#[derive(Debug, Clone, Serialize)]
pub struct ResidentView {
    pub id: ResidentId,
    pub area_id: AreaId,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    pub location: Option<Location>,
    pub location_status: LocationStatus,
    pub neighbourhood_id: Option<NeighbourhoodId>,
    pub fulfilment: Fulfilment,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub care_notes: Option<String>,
}

impl ResidentRow {
    pub fn area(&self) -> Result<AreaId, AppError> {
        Ok(self.area_id)
    }

    pub fn view(
        &self,
        with_contact: bool,
        with_care_notes: bool,
    ) -> Result<ResidentView, AppError> {
        Ok(ResidentView {
            id: self.id,
            area_id: self.area()?,
            name: self.name.clone(),
            phone: with_contact.then(|| self.phone.clone()),
            address: with_contact.then(|| self.address.clone()),
            location: match (self.lat, self.lon) {
                (Some(lat), Some(lon)) => Some(Location { lat, lon }),
                _ => None,
            },
            location_status: self.location_status,
            neighbourhood_id: self.neighbourhood_id,
            fulfilment: self.fulfilment,
            care_notes: if with_care_notes {
                self.care_notes.clone()
            } else {
                None
            },
        })
    }
}

/// What a coordinator may correct on a resident; absent fields stay.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResidentChanges {
    pub name: Option<Line>,
    pub phone: Option<Line>,
    pub address: Option<Line>,
    pub location: Option<Location>,
    pub fulfilment: Option<Line>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewGuardianLink {
    pub user_id: UserId,
    pub relation: Line,
    pub consent: Consent,
}

#[derive(Debug, Clone, Serialize)]
pub struct GuardianLinkView {
    pub id: GuardianLinkId,
    pub resident_id: ResidentId,
    pub user_id: UserId,
    pub relation: String,
    pub status: GuardianLinkStatus,
    /// None while the link is only requested.
    pub consent: Option<Consent>,
}

/// A link code as its coordinator sees it, once: only its digest is kept.
#[derive(Debug, Clone, Serialize)]
pub struct LinkCodeView {
    pub code: String,
    pub resident_id: ResidentId,
    pub expires_at: String,
}

impl GuardianLinkRow {
    pub(super) fn view(&self) -> Result<GuardianLinkView, AppError> {
        let consent = match (
            &self.consent_given_by,
            &self.consent_basis,
            &self.consent_text_version,
        ) {
            (Some(given_by), Some(basis), Some(text_version)) => Some(Consent {
                given_by: given_by.as_str().into(),
                basis: basis.as_str().into(),
                text_version: text_version.as_str().into(),
            }),
            _ => None,
        };
        Ok(GuardianLinkView {
            id: self.id,
            resident_id: self.resident_id,
            user_id: self.user_id,
            relation: self.relation.clone(),
            status: self.status,
            consent,
        })
    }
}
