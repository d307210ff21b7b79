use actix_web::{HttpResponse, web};
use serde::Deserialize;

use crate::domain::ids::AreaId;
use crate::domain::text::Line;
use crate::error::AppError;
use crate::http::access::Staff;
use crate::http::body::Query;
use crate::services::Services;
use crate::services::impact::ImpactQuery;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImpactParams {
    area_id: Option<AreaId>,
    from: Line,
    to: Line,
    group_by: Option<Line>,
}

/// `GET /impact`: what an area's deliveries achieved over a period.
pub async fn report(
    services: web::Data<Services>,
    staff: Staff,
    query: Query<ImpactParams>,
) -> Result<HttpResponse, AppError> {
    let query = query.into_inner();
    let report = services
        .impact
        .report(
            &staff.0,
            ImpactQuery {
                area: query.area_id,
                from: &query.from,
                to: &query.to,
                group_by: query.group_by.as_deref(),
            },
        )
        .await?;
    Ok(HttpResponse::Ok().json(report))
}
