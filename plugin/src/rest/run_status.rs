//! STUB.

use super::Handler;
use super::router::Router;
use crate::host::Host;

pub fn routes<H: Host>(router: Router<Handler<H>>) -> Router<Handler<H>> {
    router
}
