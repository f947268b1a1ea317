//! Request bodies, read by the small reader in `json.rs` (values borrow from the body).

use crate::json::{self, Json};
use crate::{too_many_rows, EdgeError};

/// Parses `{"rows": [...]}` (other members are ignored) and returns the rows.
pub(crate) fn parse_rows<'a>(
    doc: &'a Json<'a>,
    max_rows: usize,
) -> Result<&'a [Json<'a>], EdgeError> {
    let rows =
        match doc.get("rows") {
            Some(Json::Arr(rows)) => rows,
            Some(_) => return Err(EdgeError::new(
                400,
                "\"rows\" must be an array of objects: {\"rows\": [{\"column\": value, ...}, ...]}",
            )),
            None => return Err(EdgeError::new(
                400,
                "the body has no \"rows\" member: send {\"rows\": [{\"column\": value, ...}, ...]}",
            )),
        };
    if rows.len() > max_rows {
        return Err(too_many_rows(max_rows));
    }
    Ok(rows)
}

/// Parses a JSON body.
pub(crate) fn parse_body(body: &[u8]) -> Result<Json<'_>, EdgeError> {
    json::parse(body).map_err(|e| {
        EdgeError::new(
            400,
            format!("the body is not valid JSON ({e}): send {{\"rows\": [{{\"column\": value, ...}}, ...]}}"),
        )
    })
}
