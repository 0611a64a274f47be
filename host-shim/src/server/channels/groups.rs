//! `POST /api/v4/channels/group`: a list of user ids (the caller is added
//! if missing) → the group channel of those 3 to 8 people, 201 whether new
//! or existing (as Mattermost). The rules are the service's
//! ([`Services::group_channel`](crate::services::Services::group_channel)).

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use serde_json::Value;

use crate::error::AppError;
use crate::model::Channel;
use crate::server::auth::Caller;
use crate::server::extract::JsonBody;
use crate::server::{ApiError, AppState, blocking};

pub fn routes() -> Router<AppState> {
    Router::new().route("/api/v4/channels/group", post(create_group))
}

async fn create_group(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(body): JsonBody<Value>,
) -> Result<(StatusCode, Json<Channel>), ApiError> {
    let Value::Array(list) = body else {
        return Err(AppError::Invalid("user_ids: a list of user ids".into()).into());
    };
    let ids = list
        .into_iter()
        .map(|v| match v {
            Value::String(id) => Ok(id),
            other => Err(AppError::Invalid(format!(
                "user_ids: {other} is not a user id"
            ))),
        })
        .collect::<Result<Vec<String>, AppError>>()?;
    let (channel, _) = blocking(move || {
        state
            .services
            .group_channel(caller.id(), caller.is_admin(), &ids)
    })
    .await?;
    Ok((StatusCode::CREATED, Json(channel)))
}
