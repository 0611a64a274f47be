use super::*;
use crate::fake::FakeHost;
use crate::host::{Channel, Post, User};

/// The basics plus: `carol` (a user in no channel but the team), private
/// channel `p1` (admin only), DM `d1` (admin, carol), archived `a1` (bob a
/// member), and posts `pp` (in p1), `pd` (in d1), `po` (in c1) and `px`
/// (in c1, deleted).
pub(crate) fn world() -> FakeHost {
    let mut host = FakeHost::with_basics();
    host.users.insert(
        "carol".into(),
        User {
            id: "carol".into(),
            username: "carol".into(),
            roles: "system_user".into(),
            is_bot: false,
        },
    );
    host.members
        .get_mut()
        .push(("team:t1".into(), "carol".into()));
    for (id, kind, deleted, members) in [
        ("p1", "P", 0, &["admin"][..]),
        ("d1", "D", 0, &["admin", "carol"][..]),
        ("a1", "O", 5, &["bob"][..]),
    ] {
        host.channels.get_mut().insert(
            id.into(),
            Channel {
                id: id.into(),
                team_id: if kind == "D" { "" } else { "t1" }.into(),
                channel_type: kind.into(),
                name: id.into(),
                delete_at: deleted,
                ..Default::default()
            },
        );
        for m in members {
            host.members.get_mut().push((id.into(), (*m).into()));
        }
    }
    for (id, channel, deleted) in [
        ("pp", "p1", 0),
        ("pd", "d1", 0),
        ("po", "c1", 0),
        ("px", "c1", 9),
    ] {
        host.posts.get_mut().push(Post {
            id: id.into(),
            channel_id: channel.into(),
            user_id: "admin".into(),
            message: format!("SECRET {id}"),
            delete_at: deleted,
            ..Default::default()
        });
    }
    host
}

pub(crate) fn viewer(id: &str) -> Viewer {
    Viewer {
        user_id: id.into(),
        is_system_admin: id == "admin",
    }
}

fn status(r: Checked<impl std::fmt::Debug>) -> &'static str {
    match r {
        Ok(_) => "ok",
        Err(RunError::NotFound(_)) => "404",
        Err(RunError::Forbidden(_)) => "403",
        Err(e) => panic!("unexpected {e:?}"),
    }
}

#[test]
fn posts_are_read_with_the_callers_rights() {
    let host = world();
    let bob = viewer("bob");
    assert_eq!(status(read_post(&host, &bob, "po", "post_id")), "ok");
    assert_eq!(status(read_post(&host, &bob, "pp", "post_id")), "403");
    assert_eq!(status(read_post(&host, &bob, "pd", "post_id")), "403");
    assert_eq!(status(read_post(&host, &bob, "px", "post_id")), "404");
    assert_eq!(status(read_post(&host, &bob, "nope", "post_id")), "404");
    // Carol reads the open channel as a team member, and her DM.
    let carol = viewer("carol");
    assert_eq!(status(read_post(&host, &carol, "po", "post_id")), "ok");
    assert_eq!(status(read_post(&host, &carol, "pd", "post_id")), "ok");
    // Admins read private channels, not other people's DMs.
    let mut host = world();
    host.members
        .get_mut()
        .retain(|(c, u)| !(c == "d1" && u == "admin"));
    assert_eq!(status(read_post(&host, &viewer("admin"), "pp", "x")), "ok");
    assert_eq!(status(read_post(&host, &viewer("admin"), "pd", "x")), "403");
}

#[test]
fn denials_name_the_field() {
    let host = world();
    match read_post(&host, &viewer("bob"), "pp", "post_id") {
        Err(RunError::Forbidden(m)) => assert!(m.starts_with("post_id: "), "{m}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn posting_needs_membership_and_a_live_channel() {
    let host = world();
    assert_eq!(status(postable_channel(&host, "bob", "c1", "f")), "ok");
    assert_eq!(status(postable_channel(&host, "bob", "p1", "f")), "403");
    assert_eq!(status(postable_channel(&host, "bob", "d1", "f")), "403");
    assert_eq!(status(postable_channel(&host, "bob", "a1", "f")), "403");
    assert_eq!(status(postable_channel(&host, "bob", "zz", "f")), "404");
    // Carol may read the open channel but not post in it.
    assert_eq!(
        status(read_channel(&host, &viewer("carol"), "c1", "f")),
        "ok"
    );
    assert_eq!(status(postable_channel(&host, "carol", "c1", "f")), "403");
}

#[test]
fn broadcast_channels_already_saved_may_be_kept() {
    let host = world();
    let ids = vec!["c1".to_owned(), "p1".to_owned()];
    assert_eq!(
        status(check_broadcast_channels(&host, "bob", &ids, &[])),
        "403"
    );
    assert_eq!(
        status(check_broadcast_channels(&host, "bob", &ids, &["p1".into()])),
        "ok"
    );
    assert_eq!(
        split_postable(&host, "bob", &ids),
        (vec!["c1".to_owned()], vec!["p1".to_owned()])
    );
}

#[test]
fn people_must_be_in_the_team() {
    let mut host = world();
    host.users.insert(
        "dave".into(),
        User {
            id: "dave".into(),
            username: "dave".into(),
            ..Default::default()
        },
    );
    assert!(require_team_user(&host, "t1", "carol", "owner_user_id").is_ok());
    match require_team_user(&host, "t1", "dave", "owner_user_id") {
        Err(RunError::Invalid(e)) => assert_eq!(e.field, "owner_user_id"),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        require_team_user(&host, "t1", "ghost", "assignee_id"),
        Err(RunError::Invalid(_))
    ));
}
