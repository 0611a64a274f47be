//! `/api/v4/teams*`: create, read, list, membership.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use super::access::{self, forbidden};
use super::auth::Caller;
use super::extract::{JsonBody, Paging, QueryParams};
use super::{ApiError, AppState};
use crate::error::AppError;
use crate::model::{Team, TeamMembership};
use crate::services::teams::NewTeam as NewTeamRequest;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v4/teams", post(create_team).get(list_teams))
        .route("/api/v4/teams/{team_id}", get(get_team))
        .route("/api/v4/teams/name/{name}", get(get_team_by_name))
        .route(
            "/api/v4/teams/{team_id}/members",
            get(team_members).post(add_member),
        )
        .route("/api/v4/users/{user_id}/teams", get(my_teams))
}

/// Mattermost `TeamMember`.
#[derive(Serialize)]
pub struct TeamMember {
    team_id: String,
    user_id: String,
    roles: String,
    delete_at: i64,
    scheme_user: bool,
    scheme_admin: bool,
}

impl From<TeamMembership> for TeamMember {
    fn from(m: TeamMembership) -> Self {
        let has = |role: &str| m.roles.split_whitespace().any(|r| r == role);
        Self {
            scheme_user: has("team_user"),
            scheme_admin: has("team_admin"),
            team_id: m.team_id,
            user_id: m.user_id,
            roles: m.roles,
            delete_at: 0,
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct NewTeam {
    name: String,
    display_name: String,
    description: String,
    #[serde(rename = "type")]
    team_type: String,
}

async fn create_team(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(body): JsonBody<NewTeam>,
) -> Result<(StatusCode, Json<Team>), ApiError> {
    let team = state.services.create_team(
        NewTeamRequest {
            name: body.name,
            display_name: body.display_name,
            description: body.description,
            team_type: body.team_type,
        },
        caller.id(),
    )?;
    Ok((StatusCode::CREATED, Json(team)))
}

/// Members and admins see a team; anyone logged in sees an open team.
fn visible(state: &AppState, caller: &Caller, team: Team) -> Result<Team, ApiError> {
    if team.team_type == "O"
        || caller.is_admin()
        || access::is_team_member(&state.services, caller, &team.id)?
    {
        Ok(team)
    } else {
        Err(forbidden())
    }
}

/// `GET /teams`: the open teams and the caller's own; admins see all.
async fn list_teams(
    State(state): State<AppState>,
    caller: Caller,
    QueryParams(paging): QueryParams<Paging>,
) -> Result<Json<Vec<Team>>, ApiError> {
    let (offset, limit) = paging.bounds();
    let member = (!caller.is_admin()).then(|| caller.id());
    Ok(Json(
        state.services.chat.listed_teams(member, offset, limit)?,
    ))
}

/// `GET /teams/{id}/members`: for the team's members (and admins).
async fn team_members(
    State(state): State<AppState>,
    caller: Caller,
    Path(team_id): Path<String>,
    QueryParams(paging): QueryParams<Paging>,
) -> Result<Json<Vec<TeamMember>>, ApiError> {
    access::require_team_member(&state.services, &caller, &team_id)?;
    let (offset, limit) = paging.bounds();
    let members = state.services.chat.team_members(&team_id, offset, limit)?;
    Ok(Json(members.into_iter().map(TeamMember::from).collect()))
}

async fn get_team(
    State(state): State<AppState>,
    caller: Caller,
    Path(team_id): Path<String>,
) -> Result<Json<Team>, ApiError> {
    let team = access::team(&state.services, &team_id)?;
    Ok(Json(visible(&state, &caller, team)?))
}

async fn get_team_by_name(
    State(state): State<AppState>,
    caller: Caller,
    Path(name): Path<String>,
) -> Result<Json<Team>, ApiError> {
    let team = state
        .services
        .chat
        .team_by_name(&name.to_lowercase())?
        .filter(|t| t.delete_at == 0)
        .ok_or_else(|| AppError::NotFound("team".into()))?;
    Ok(Json(visible(&state, &caller, team)?))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct MemberRequest {
    team_id: String,
    user_id: String,
}

/// Join an open team yourself; team members may add others (Mattermost's
/// default `add_user_to_team` for team users), admins anyone anywhere.
async fn add_member(
    State(state): State<AppState>,
    caller: Caller,
    Path(team_id): Path<String>,
    JsonBody(body): JsonBody<MemberRequest>,
) -> Result<(StatusCode, Json<TeamMember>), ApiError> {
    if !body.team_id.is_empty() && body.team_id != team_id {
        return Err(AppError::Invalid("team_id: does not match the URL".into()).into());
    }
    let team = access::team(&state.services, &team_id)?;
    let is_member = access::is_team_member(&state.services, &caller, &team_id)?;
    let allowed = caller.is_admin()
        || (body.user_id == caller.id() && team.team_type == "O")
        || (body.user_id != caller.id() && is_member);
    if !allowed {
        return Err(forbidden());
    }
    state.services.add_team_member(&team_id, &body.user_id)?;
    Ok((
        StatusCode::CREATED,
        Json(TeamMember {
            team_id,
            user_id: body.user_id,
            roles: "team_user".into(),
            delete_at: 0,
            scheme_user: true,
            scheme_admin: false,
        }),
    ))
}

async fn my_teams(
    State(state): State<AppState>,
    caller: Caller,
    Path(user_id): Path<String>,
) -> Result<Json<Vec<Team>>, ApiError> {
    let user_id = caller.self_or_admin(&user_id)?;
    Ok(Json(state.services.chat.teams_for_user(&user_id)?))
}
