//! `teams`: teams and team membership.

use super::R;
use crate::runtime::bindings::v0_2::chatops::plugin::teams;
use crate::runtime::bindings::wit;
use crate::runtime::convert::team_to_wit;
use crate::runtime::state::HostState;

impl teams::Host for HostState {
    fn get(&mut self, team_id: String) -> R<Option<wit::Team>> {
        Ok(self.services.chat.team(&team_id)?.map(team_to_wit))
    }

    fn get_by_name(&mut self, name: String) -> R<Option<wit::Team>> {
        Ok(self.services.chat.team_by_name(&name)?.map(team_to_wit))
    }

    fn is_member(&mut self, team_id: String, user_id: String) -> R<bool> {
        Ok(self.services.chat.is_team_member(&team_id, &user_id)?)
    }

    fn add_member(&mut self, team_id: String, user_id: String) -> R<()> {
        Ok(self.services.add_team_member(&team_id, &user_id)?)
    }
}
