//! Who is calling: the signed-in account as every use case sees it.

use crate::domain::account::{Locale, Role, UserStatus};
use crate::domain::ids::{AreaId, UserId};
use crate::error::AppError;

/// Who is calling, as every authenticated request sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub user_id: UserId,
    pub role: Role,
    pub status: UserStatus,
    pub area_id: Option<AreaId>,
    /// The language the account reads; answers use it unless `Accept-Language` says otherwise.
    pub locale: Locale,
}

impl Caller {
    /// The area a coordinator (or an admin with an area) works in.
    pub fn area(&self) -> Result<AreaId, AppError> {
        self.area_id
            .ok_or_else(|| AppError::conflict("conflict-no-area"))
    }

    /// Whether this caller may see and change objects of `area`: admins everywhere, staff and
    /// field roles in their own area.
    pub fn works_in(&self, area: AreaId) -> bool {
        self.role == Role::Admin || self.area_id == Some(area)
    }
}
