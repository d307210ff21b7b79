//! Queries on `job_leases`: which instance runs a kind of timed work, until when, and when
//! it is next due. A lease is taken by a conditional update, so on PostgreSQL exactly one of
//! several instances gets it; one whose holder died is taken over once it runs out.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConnection;
use super::schema::job_leases;
use crate::error::AppError;

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = job_leases)]
pub struct JobLeaseRow {
    pub name: String,
    pub owner: Option<String>,
    pub lease_until: Option<NaiveDateTime>,
    pub next_run_at: NaiveDateTime,
    pub last_finished_at: Option<NaiveDateTime>,
    pub last_error: Option<String>,
}

pub fn find(conn: &mut DbConnection, name: &str) -> Result<Option<JobLeaseRow>, AppError> {
    Ok(job_leases::table
        .find(name)
        .select(JobLeaseRow::as_select())
        .get_result(conn)
        .optional()?)
}

/// Takes job `name` for `owner` until `until` if it is due at `now` and nobody holds it
/// (the row is made on first use): true when taken.
pub fn claim(
    conn: &mut DbConnection,
    name: &str,
    owner: &str,
    now: NaiveDateTime,
    until: NaiveDateTime,
) -> Result<bool, AppError> {
    let taken = diesel::update(
        job_leases::table
            .find(name)
            .filter(job_leases::next_run_at.le(now))
            .filter(
                job_leases::lease_until
                    .is_null()
                    .or(job_leases::lease_until.lt(now)),
            ),
    )
    .set((
        job_leases::owner.eq(owner),
        job_leases::lease_until.eq(until),
    ))
    .execute(conn)?;
    if taken == 1 {
        return Ok(true);
    }
    if find(conn, name)?.is_some() {
        return Ok(false);
    }
    let inserted = diesel::insert_into(job_leases::table)
        .values(JobLeaseRow {
            name: name.to_owned(),
            owner: Some(owner.to_owned()),
            lease_until: Some(until),
            next_run_at: now,
            last_finished_at: None,
            last_error: None,
        })
        .execute(conn);
    match inserted {
        Ok(_) => Ok(true),
        // Another instance made the row first: it holds the job.
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// Gives job `name` back after a run: due again at `next`, the run's error if any. Only the
/// holder can (an instance whose lease ran out and was taken over changes nothing).
pub fn finish(
    conn: &mut DbConnection,
    name: &str,
    owner: &str,
    finished_at: NaiveDateTime,
    next: NaiveDateTime,
    error: Option<String>,
) -> Result<bool, AppError> {
    let changed = diesel::update(
        job_leases::table
            .find(name)
            .filter(job_leases::owner.eq(owner)),
    )
    .set((
        job_leases::owner.eq(None::<String>),
        job_leases::lease_until.eq(None::<NaiveDateTime>),
        job_leases::next_run_at.eq(next),
        job_leases::last_finished_at.eq(Some(finished_at)),
        job_leases::last_error.eq(error),
    ))
    .execute(conn)?;
    Ok(changed == 1)
}

/// Every lease `owner` holds, given back at once (an instance shutting down).
pub fn release_all(conn: &mut DbConnection, owner: &str) -> Result<usize, AppError> {
    Ok(
        diesel::update(job_leases::table.filter(job_leases::owner.eq(owner)))
            .set((
                job_leases::owner.eq(None::<String>),
                job_leases::lease_until.eq(None::<NaiveDateTime>),
            ))
            .execute(conn)?,
    )
}
