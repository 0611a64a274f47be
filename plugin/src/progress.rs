//! Progress rows (`kv_import (name, cursor, done)`): how far a long,
//! resumable job got — the KV import's phases, the run counts' recount,
//! the name index's build. A job writes its row in the same transaction as
//! the work it records, so a crash or the hook's deadline loses nothing
//! and the next `activate` goes on from there.

use crate::host::{Host, HostResult};
use crate::params;
use crate::sql::Statement;

/// Job `name`'s cursor (`None` when it never ran or starts over) and
/// whether it is done.
pub fn read<H: Host + ?Sized>(host: &H, name: &str) -> HostResult<(Option<String>, bool)> {
    let rows = host.sql_query(
        "SELECT cursor, done FROM kv_import WHERE name = $1",
        &params![name],
    )?;
    Ok(match rows.first() {
        Some(r) => (r.opt_text("cursor")?, r.i64("done")? != 0),
        None => (None, false),
    })
}

/// Whether job `name` is done.
pub fn is_done<H: Host + ?Sized>(host: &H, name: &str) -> HostResult<bool> {
    Ok(read(host, name)?.1)
}

/// The statement that records job `name` at `cursor`, done or not.
pub fn record(name: &str, cursor: Option<&str>, done: bool) -> Statement {
    Statement::new(
        "INSERT INTO kv_import (name, cursor, done) VALUES ($1, $2, $3) \
         ON CONFLICT (name) DO UPDATE SET cursor = excluded.cursor, done = excluded.done",
        params![name, cursor, done],
    )
}

/// Starts job `name` over: not done, no cursor.
pub fn restart<H: Host + ?Sized>(host: &H, name: &str) -> HostResult<()> {
    host.sql_transaction(&[record(name, None, false)])?;
    Ok(())
}
