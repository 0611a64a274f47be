//! The Markdown run report (`GET /runs/{id}/export`).
//!
//! STUB: filled in by the report work.
