use super::*;
use crate::model::{Channel, Team, User, new_id};
use crate::ports::ChatStore;
use crate::sqlite::tests::temp_store;

struct Fixture {
    _dir: tempfile::TempDir,
    store: SqliteStore,
    alice: User,
    bob: User,
    team: Team,
    town: Channel,
    other: Channel,
}

fn user(name: &str) -> User {
    User {
        id: new_id(),
        username: name.into(),
        email: format!("{name}@example.com"),
        ..Default::default()
    }
}

fn channel(team_id: &str, name: &str) -> Channel {
    Channel {
        id: new_id(),
        team_id: team_id.into(),
        channel_type: "O".into(),
        name: name.into(),
        display_name: name.into(),
        ..Default::default()
    }
}

/// Alice and Bob in team `t`: Alice in `town` and `other`, Bob in `town`.
fn fixture() -> Fixture {
    let (dir, store) = temp_store();
    let (alice, bob) = (user("alice"), user("bob"));
    store.create_user(&alice, None).unwrap();
    store.create_user(&bob, None).unwrap();
    let team = Team {
        id: new_id(),
        name: "t".into(),
        team_type: "O".into(),
        ..Default::default()
    };
    store.create_team(&team).unwrap();
    let (town, other) = (channel(&team.id, "town"), channel(&team.id, "other"));
    store.create_channel(&town).unwrap();
    store.create_channel(&other).unwrap();
    for (c, u) in [(&town, &alice), (&town, &bob), (&other, &alice)] {
        store.add_channel_member(&c.id, &u.id, 1).unwrap();
    }
    Fixture {
        _dir: dir,
        store,
        alice,
        bob,
        team,
        town,
        other,
    }
}

fn upload(store: &SqliteStore, by: &User, channel: &Channel, name: &str, at: i64) -> FileInfo {
    let id = new_id();
    let info = FileInfo {
        path: format!("{}/{id}/content", &id[..2]),
        id,
        user_id: by.id.clone(),
        channel_id: channel.id.clone(),
        create_at: at,
        update_at: at,
        name: name.into(),
        extension: name
            .rsplit_once('.')
            .map(|(_, e)| e.into())
            .unwrap_or_default(),
        size: 3,
        mime_type: "text/plain".into(),
        ..Default::default()
    };
    store.create_file_info(&info).unwrap();
    info
}

fn post_with(by: &User, channel: &Channel, files: &[&FileInfo], at: i64) -> Post {
    Post {
        id: new_id(),
        create_at: at,
        update_at: at,
        user_id: by.id.clone(),
        channel_id: channel.id.clone(),
        file_ids: files.iter().map(|f| f.id.clone()).collect(),
        ..Default::default()
    }
}

#[test]
fn create_read_and_attach_with_the_post() {
    let f = fixture();
    let a = upload(&f.store, &f.alice, &f.town, "notes.txt", 10);
    let b = upload(&f.store, &f.alice, &f.town, "plan.pdf", 11);
    assert_eq!(f.store.file_info(&a.id).unwrap().unwrap(), a);
    assert!(f.store.file_info("missing").unwrap().is_none());
    let ids = vec![b.id.clone(), "nope".into(), a.id.clone()];
    let found: Vec<_> = f
        .store
        .file_infos(&ids)
        .unwrap()
        .into_iter()
        .map(|i| i.id)
        .collect();
    assert_eq!(found, vec![b.id.clone(), a.id.clone()]);

    let post = post_with(&f.alice, &f.town, &[&a, &b], 20);
    f.store.create_post(&post).unwrap();
    let attached = f.store.post_file_infos(&post.id, false).unwrap();
    assert_eq!(attached.len(), 2);
    assert!(attached.iter().all(|i| i.post_id == post.id));
    assert_eq!(attached[0].id, a.id, "oldest first");
}

#[test]
fn a_post_cannot_take_foreign_attached_or_other_channel_files() {
    let f = fixture();
    let bobs = upload(&f.store, &f.bob, &f.town, "bob.txt", 10);
    let elsewhere = upload(&f.store, &f.alice, &f.other, "x.txt", 10);
    let mine = upload(&f.store, &f.alice, &f.town, "mine.txt", 10);
    for bad in [&bobs, &elsewhere] {
        let post = post_with(&f.alice, &f.town, &[&mine, bad], 20);
        let err = f.store.create_post(&post).unwrap_err();
        assert!(
            matches!(&err, StoreError::Invalid(m) if m.starts_with("file_ids")),
            "{err:?}"
        );
        assert!(f.store.post(&post.id).unwrap().is_none(), "nothing stored");
        assert_eq!(f.store.file_info(&mine.id).unwrap().unwrap().post_id, "");
    }
    let first = post_with(&f.alice, &f.town, &[&mine], 30);
    f.store.create_post(&first).unwrap();
    let again = post_with(&f.alice, &f.town, &[&mine], 31);
    assert!(matches!(
        f.store.create_post(&again),
        Err(StoreError::Invalid(_))
    ));
    assert_eq!(
        f.store.file_info(&mine.id).unwrap().unwrap().post_id,
        first.id
    );
}

#[test]
fn deleting_a_thread_deletes_its_files() {
    let f = fixture();
    let a = upload(&f.store, &f.alice, &f.town, "a.txt", 10);
    let b = upload(&f.store, &f.bob, &f.town, "b.txt", 10);
    let root = post_with(&f.alice, &f.town, &[&a], 20);
    f.store.create_post(&root).unwrap();
    let reply = Post {
        root_id: root.id.clone(),
        ..post_with(&f.bob, &f.town, &[&b], 21)
    };
    f.store.create_post(&reply).unwrap();
    f.store.delete_post(&root.id, 50).unwrap();
    for id in [&a.id, &b.id] {
        assert_eq!(f.store.file_info(id).unwrap().unwrap().delete_at, 50);
    }
    assert!(f.store.post_file_infos(&root.id, false).unwrap().is_empty());
    assert_eq!(f.store.post_file_infos(&root.id, true).unwrap().len(), 1);
}

#[test]
fn search_sees_only_the_members_attached_files() {
    let f = fixture();
    let town_pdf = upload(&f.store, &f.alice, &f.town, "Incident Report.pdf", 10);
    let other_pdf = upload(&f.store, &f.alice, &f.other, "incident_other.pdf", 11);
    let bob_png = upload(&f.store, &f.bob, &f.town, "graph 100%.png", 12);
    let _pending = upload(&f.store, &f.bob, &f.town, "incident pending.pdf", 13);
    f.store
        .create_post(&post_with(&f.alice, &f.town, &[&town_pdf], 20))
        .unwrap();
    f.store
        .create_post(&post_with(&f.alice, &f.other, &[&other_pdf], 21))
        .unwrap();
    f.store
        .create_post(&post_with(&f.bob, &f.town, &[&bob_png], 22))
        .unwrap();
    let search = |member: &User, edit: &dyn Fn(&mut FileSearch)| {
        let mut s = FileSearch {
            team_id: f.team.id.clone(),
            member_id: member.id.clone(),
            limit: 100,
            ..Default::default()
        };
        edit(&mut s);
        f.store
            .search_file_infos(&s)
            .unwrap()
            .into_iter()
            .map(|i| i.name)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        search(&f.alice, &|_| {}),
        vec![
            "graph 100%.png",
            "incident_other.pdf",
            "Incident Report.pdf"
        ]
    );
    assert_eq!(
        search(&f.bob, &|_| {}),
        vec!["graph 100%.png", "Incident Report.pdf"],
        "Bob is not in `other`; unattached uploads are not listed"
    );
    assert_eq!(
        search(&f.bob, &|s| s.words = vec!["incident".into()]),
        vec!["Incident Report.pdf"]
    );
    assert_eq!(
        search(&f.alice, &|s| s.words =
            vec!["incident".into(), "report".into()]),
        vec!["Incident Report.pdf"]
    );
    assert_eq!(
        search(&f.alice, &|s| {
            s.words = vec!["graph".into(), "report".into()];
            s.any_word = true;
        }),
        vec!["graph 100%.png", "Incident Report.pdf"]
    );
    assert_eq!(
        search(&f.alice, &|s| s.words = vec!["_".into()]),
        vec!["incident_other.pdf"]
    );
    assert_eq!(
        search(&f.alice, &|s| s.words = vec!["%".into()]),
        vec!["graph 100%.png"]
    );
    assert_eq!(
        search(&f.alice, &|s| s.channel_names = vec!["other".into()]),
        vec!["incident_other.pdf"]
    );
    assert_eq!(
        search(&f.alice, &|s| s.user_ids = vec![f.bob.id.clone()]),
        vec!["graph 100%.png"]
    );
    assert_eq!(
        search(&f.alice, &|s| s.extensions = vec!["pdf".into()]),
        vec!["incident_other.pdf", "Incident Report.pdf"]
    );
    assert_eq!(
        search(&f.alice, &|s| {
            s.limit = 1;
            s.offset = 1;
        }),
        vec!["incident_other.pdf"]
    );
}
