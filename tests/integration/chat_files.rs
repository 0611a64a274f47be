//! Files over real HTTP (decision 017): multipart uploads streamed to the
//! data dir, posts carrying `file_ids` and `metadata.files`, content,
//! thumbnails and previews, a post's file infos, team file search; the
//! limits (413 past the maximum size, 10 files) and, for every way in, that
//! nobody reads a file of a channel they cannot read.

use std::io::Cursor;

use reqwest::multipart::{Form, Part};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::client::{Client, assert_error, channel_with, team_with};
use crate::helpers::{TestApp, spawn_app, spawn_app_with};

/// A PNG of `w`×`h` pixels.
fn png(w: u32, h: u32) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    image::RgbImage::from_pixel(w, h, image::Rgb([10, 120, 200]))
        .write_to(&mut out, image::ImageFormat::Png)
        .unwrap();
    out.into_inner()
}

/// `POST /api/v4/files` with `parts` (name, bytes) as `files`, the channel
/// as a form field; status and body.
async fn upload_as(
    who: &Client<'_>,
    channel_id: Option<&str>,
    files: Vec<(&str, Vec<u8>)>,
    client_ids: &[&str],
) -> (StatusCode, Value) {
    let mut form = Form::new();
    if let Some(id) = channel_id {
        form = form.text("channel_id", id.to_string());
    }
    for id in client_ids {
        form = form.text("client_ids", id.to_string());
    }
    for (name, bytes) in files {
        form = form.part("files", Part::bytes(bytes).file_name(name.to_string()));
    }
    let resp = who
        .app
        .http
        .post(who.app.url("/api/v4/files"))
        .bearer_auth(&who.token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = resp.status();
    let text = resp.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

/// Uploads one file, asserting 201; its info.
async fn upload_one(who: &Client<'_>, channel_id: &str, name: &str, bytes: Vec<u8>) -> Value {
    let (status, body) = upload_as(who, Some(channel_id), vec![(name, bytes)], &[]).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["file_infos"][0].clone()
}

/// Raw `GET`: status, headers, bytes.
async fn fetch(who: &Client<'_>, path: &str) -> (StatusCode, reqwest::header::HeaderMap, Vec<u8>) {
    let resp = who
        .app
        .http
        .get(who.app.url(path))
        .bearer_auth(&who.token)
        .send()
        .await
        .unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    (status, headers, resp.bytes().await.unwrap().to_vec())
}

async fn post_files(who: &Client<'_>, channel_id: &str, file_ids: &[&str]) -> (StatusCode, Value) {
    who.call(
        Method::POST,
        "/api/v4/posts",
        Some(json!({"channel_id": channel_id, "message": "files", "file_ids": file_ids})),
    )
    .await
}

fn header<'h>(headers: &'h reqwest::header::HeaderMap, name: &str) -> &'h str {
    headers
        .get(name)
        .map(|v| v.to_str().unwrap())
        .unwrap_or_default()
}

/// The ids a team file search by `who` finds, checking each is in `file_infos`.
async fn search(who: &Client<'_>, team_id: &str, terms: &str) -> Vec<String> {
    let body = json!({"terms": terms, "is_or_search": false, "page": 0, "per_page": 20});
    let path = format!("/api/v4/teams/{team_id}/files/search");
    let list = who
        .expect(StatusCode::OK, Method::POST, &path, Some(body))
        .await;
    let order: Vec<String> = list["order"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    for id in &order {
        assert_eq!(list["file_infos"][id]["id"], id.as_str(), "{list}");
    }
    order
}

struct World<'a> {
    alice: Client<'a>,
    bob: Client<'a>,
    carol: Client<'a>,
    team_id: String,
    /// Private: Alice and Bob.
    private_id: String,
    /// Open: Alice only (Carol and Bob are team members).
    open_id: String,
}

/// An admin (who stays out of the way), Alice, Bob and Carol in one team.
async fn world(app: &TestApp) -> World<'_> {
    let admin = Client::new(app, "admin").await;
    let alice = Client::new(app, "alice").await;
    let bob = Client::new(app, "bob").await;
    let carol = Client::new(app, "carol").await;
    let team_id = team_with(&admin, "ops", &[&alice, &bob, &carol]).await;
    let private_id = channel_with(&alice, &team_id, "secret", "P", &[&bob]).await;
    let open_id = channel_with(&alice, &team_id, "open", "O", &[]).await;
    World {
        alice,
        bob,
        carol,
        team_id,
        private_id,
        open_id,
    }
}

#[tokio::test]
async fn upload_post_and_read_back_images_and_other_files() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let image = png(400, 300);
    let text = b"incident notes\n".to_vec();
    let (status, body) = upload_as(
        &w.alice,
        Some(&w.private_id),
        vec![("diagram.png", image.clone()), ("notes.txt", text.clone())],
        &["c1", "c2"],
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["client_ids"], json!(["c1", "c2"]));
    let (img, txt) = (&body["file_infos"][0], &body["file_infos"][1]);
    assert_eq!(img["name"], "diagram.png");
    assert_eq!(img["extension"], "png");
    assert_eq!(img["mime_type"], "image/png");
    assert_eq!(img["size"], image.len());
    assert_eq!(
        (img["width"].as_i64(), img["height"].as_i64()),
        (Some(400), Some(300))
    );
    assert_eq!(img["has_preview_image"], true);
    assert_eq!(img["user_id"], w.alice.id.as_str());
    assert_eq!(img["channel_id"], w.private_id.as_str());
    assert_eq!(img["post_id"], "");
    assert!(img.get("path").is_none(), "storage keys stay inside: {img}");
    assert_eq!(txt["mime_type"], "text/plain");
    assert_eq!(txt["has_preview_image"], false);
    let (img_id, txt_id) = (img["id"].as_str().unwrap(), txt["id"].as_str().unwrap());

    // The uploader sees an unattached file; the post attaches both.
    let (status, _, bytes) = fetch(&w.alice, &format!("/api/v4/files/{img_id}")).await;
    assert_eq!((status, bytes.len()), (StatusCode::OK, image.len()));
    let (status, post) = post_files(&w.alice, &w.private_id, &[img_id, txt_id]).await;
    assert_eq!(status, StatusCode::CREATED, "{post}");
    let post_id = post["id"].as_str().unwrap();
    assert_eq!(post["file_ids"], json!([img_id, txt_id]));
    let files = post["metadata"]["files"].as_array().unwrap();
    assert_eq!(files.len(), 2);
    assert_eq!(files[0]["id"], img_id);
    assert_eq!(files[0]["post_id"], post_id);
    assert_eq!(files[1]["name"], "notes.txt");

    // Bob reads everything through the channel.
    let listed = w
        .bob
        .get_ok(&format!("/api/v4/channels/{}/posts", w.private_id))
        .await;
    assert_eq!(
        listed["posts"][post_id]["metadata"]["files"][1]["id"],
        txt_id
    );
    let infos = w
        .bob
        .get_ok(&format!("/api/v4/posts/{post_id}/files/info"))
        .await;
    let ids: Vec<_> = infos
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].clone())
        .collect();
    assert_eq!(ids, vec![json!(img_id), json!(txt_id)]);
    assert_eq!(infos[0]["post_id"], post_id);
    let info = w.bob.get_ok(&format!("/api/v4/files/{img_id}/info")).await;
    assert_eq!(info["post_id"], post_id);

    let (status, headers, bytes) = fetch(&w.bob, &format!("/api/v4/files/{img_id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(bytes, image);
    assert_eq!(header(&headers, "content-type"), "image/png");
    assert!(header(&headers, "content-disposition").starts_with("inline;"));
    assert_eq!(header(&headers, "x-content-type-options"), "nosniff");
    assert!(header(&headers, "content-security-policy").starts_with("sandbox"));

    let (status, headers, bytes) =
        fetch(&w.bob, &format!("/api/v4/files/{img_id}?download=1")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(bytes, image);
    assert_eq!(header(&headers, "content-type"), "application/octet-stream");
    assert!(header(&headers, "content-disposition").starts_with("attachment;"));

    let (status, headers, bytes) = fetch(&w.bob, &format!("/api/v4/files/{txt_id}")).await;
    assert_eq!((status, bytes), (StatusCode::OK, text));
    assert_eq!(header(&headers, "content-type"), "application/octet-stream");
    assert_eq!(
        header(&headers, "content-disposition"),
        "attachment; filename=\"notes.txt\"; filename*=UTF-8''notes.txt"
    );

    let (status, headers, bytes) =
        fetch(&w.bob, &format!("/api/v4/files/{img_id}/thumbnail")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(header(&headers, "content-type"), "image/jpeg");
    let thumb = image::load_from_memory(&bytes).unwrap();
    assert!(
        thumb.width() <= 120 && thumb.height() <= 100,
        "{}x{}",
        thumb.width(),
        thumb.height()
    );
    let (status, _, bytes) = fetch(&w.bob, &format!("/api/v4/files/{img_id}/preview")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(image::load_from_memory(&bytes).unwrap().width(), 400);
    let (status, body) = w
        .bob
        .get(&format!("/api/v4/files/{txt_id}/thumbnail"))
        .await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "file_id");

    // Deleting the post deletes its files.
    w.alice
        .expect(
            StatusCode::OK,
            Method::DELETE,
            &format!("/api/v4/posts/{post_id}"),
            None,
        )
        .await;
    for path in [
        format!("/api/v4/files/{img_id}"),
        format!("/api/v4/files/{txt_id}/info"),
    ] {
        let (status, _, _) = fetch(&w.alice, &path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
    }
}

#[tokio::test]
async fn nobody_reads_files_of_a_channel_they_cannot_read() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let img = upload_one(&w.alice, &w.private_id, "secret.png", png(50, 50)).await;
    let img_id = img["id"].as_str().unwrap();
    let paths = |id: &str| {
        [
            format!("/api/v4/files/{id}"),
            format!("/api/v4/files/{id}/info"),
            format!("/api/v4/files/{id}/thumbnail"),
            format!("/api/v4/files/{id}/preview"),
        ]
    };
    // Not attached yet: only the uploader, not even channel members.
    for path in paths(img_id) {
        for who in [&w.bob, &w.carol] {
            let (status, body) = who.get(&path).await;
            assert_error(status, &body, StatusCode::NOT_FOUND, "file_id");
        }
        let (status, _, _) = fetch(&w.alice, &path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
    }
    let (status, post) = post_files(&w.alice, &w.private_id, &[img_id]).await;
    assert_eq!(status, StatusCode::CREATED, "{post}");
    let post_id = post["id"].as_str().unwrap();
    // Attached: members read it; Carol gets the same answer as for an
    // unknown id, and no post file infos.
    for path in paths(img_id) {
        let (status, _, _) = fetch(&w.bob, &path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        let (status, denied) = w.carol.get(&path).await;
        let (unknown_status, unknown) = w.carol.get(&paths("x".repeat(26).as_str())[0]).await;
        assert_eq!(
            (status, &denied["id"]),
            (unknown_status, &unknown["id"]),
            "{path}"
        );
        assert_error(status, &denied, StatusCode::NOT_FOUND, "file_id");
    }
    let (status, body) = w
        .carol
        .get(&format!("/api/v4/posts/{post_id}/files/info"))
        .await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "");
    // Without a session: nothing.
    let resp = app
        .http
        .get(app.url(&format!("/api/v4/files/{img_id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    // Search does not list it for Carol, does for Bob.
    assert!(search(&w.carol, &w.team_id, "secret").await.is_empty());
    assert_eq!(
        search(&w.bob, &w.team_id, "secret").await,
        vec![img_id.to_string()]
    );
}

#[tokio::test]
async fn posts_take_only_the_authors_own_unattached_files_of_that_channel() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let alices = upload_one(&w.alice, &w.private_id, "a.txt", b"a".to_vec()).await;
    let alices_id = alices["id"].as_str().unwrap();
    let elsewhere = upload_one(&w.alice, &w.open_id, "b.txt", b"b".to_vec()).await;
    let elsewhere_id = elsewhere["id"].as_str().unwrap();
    let before = w
        .alice
        .get_ok(&format!("/api/v4/channels/{}", w.private_id))
        .await["total_msg_count"]
        .clone();

    // Someone else's upload: 403.
    let (status, body) = post_files(&w.bob, &w.private_id, &[alices_id]).await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "file_ids");
    // Uploaded to another channel, unknown, listed twice, too many: 400.
    let (status, body) = post_files(&w.alice, &w.private_id, &[alices_id, elsewhere_id]).await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "file_ids");
    let unknown = "u".repeat(26);
    let (status, body) = post_files(&w.alice, &w.private_id, &[&unknown]).await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "file_ids");
    let (status, body) = post_files(&w.alice, &w.private_id, &[alices_id, alices_id]).await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "file_ids");
    let eleven: Vec<String> = (0..11).map(|i| format!("{i:0>26}")).collect();
    let eleven: Vec<&str> = eleven.iter().map(String::as_str).collect();
    let (status, body) = post_files(&w.alice, &w.private_id, &eleven).await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "file_ids");
    // Nothing was stored, the file is still free; a client's own
    // metadata.files is not believed.
    let after = w
        .alice
        .get_ok(&format!("/api/v4/channels/{}", w.private_id))
        .await["total_msg_count"]
        .clone();
    assert_eq!(before, after);
    let (status, post) = w
        .alice
        .call(
            Method::POST,
            "/api/v4/posts",
            Some(
                json!({"channel_id": w.private_id, "message": "x", "file_ids": [alices_id],
                        "metadata": {"files": [{"id": "forged"}]}}),
            ),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{post}");
    assert_eq!(post["metadata"]["files"][0]["id"], alices_id);
    // Already attached: 400.
    let (status, body) = post_files(&w.alice, &w.private_id, &[alices_id]).await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "file_ids");
}

#[tokio::test]
async fn uploads_need_a_channel_one_can_post_in_and_respect_the_limits() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let file = || vec![("x.txt", b"x".to_vec())];
    // Carol: not a member of the private channel, nor of the open one.
    let (status, body) = upload_as(&w.carol, Some(&w.private_id), file(), &[]).await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "");
    let (status, body) = upload_as(&w.carol, Some(&w.open_id), file(), &[]).await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "");
    let (status, body) = upload_as(&w.alice, None, file(), &[]).await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "channel_id");
    let (status, body) = upload_as(&w.alice, Some(&w.open_id), vec![], &[]).await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "files");
    let many: Vec<_> = (0..11).map(|_| ("x.txt", b"x".to_vec())).collect();
    let (status, body) = upload_as(&w.alice, Some(&w.open_id), many, &[]).await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "files");
    let long = format!("{}.txt", "n".repeat(300));
    let (status, body) = upload_as(
        &w.alice,
        Some(&w.open_id),
        vec![(&long, b"x".to_vec())],
        &[],
    )
    .await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "files");
    let (status, body) = upload_as(&w.alice, Some(&w.open_id), file(), &["a", "b"]).await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "client_ids");
    // The channel as a query parameter; a path in the name is dropped.
    let resp = app
        .http
        .post(app.url(&format!("/api/v4/files?channel_id={}", w.open_id)))
        .bearer_auth(&w.alice.token)
        .multipart(Form::new().part(
            "files",
            Part::bytes(b"q".to_vec()).file_name("../../etc/passwd"),
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::CREATED);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["file_infos"][0]["name"], "passwd");
    // Larger than every other route's 8 MiB body limit: the upload route
    // raises it for itself; the bytes come back intact.
    let big: Vec<u8> = (0..9 * 1024 * 1024).map(|i| (i % 251) as u8).collect();
    let info = upload_one(&w.alice, &w.open_id, "big.bin", big.clone()).await;
    assert_eq!(info["size"], big.len());
    let (status, _, bytes) = fetch(
        &w.alice,
        &format!("/api/v4/files/{}", info["id"].as_str().unwrap()),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(bytes == big, "the download differs from the upload");
    // Not multipart: 400.
    let (status, body) = w
        .alice
        .call(
            Method::POST,
            &format!("/api/v4/files?channel_id={}", w.open_id),
            Some(json!({})),
        )
        .await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "files");
    // Archived channel: 400.
    w.alice
        .expect(
            StatusCode::OK,
            Method::DELETE,
            &format!("/api/v4/channels/{}", w.open_id),
            None,
        )
        .await;
    let (status, body) = upload_as(&w.alice, Some(&w.open_id), file(), &[]).await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "channel_id");
}

#[tokio::test]
async fn files_past_the_maximum_size_get_413_naming_file_and_limit() {
    const LIMIT: u64 = 256 * 1024;
    let app = spawn_app_with(|c| c.files.max_file_size = LIMIT).await;
    let w = world(&app).await;
    let at_limit = vec![7u8; LIMIT as usize];
    let info = upload_one(&w.alice, &w.private_id, "exact.bin", at_limit.clone()).await;
    assert_eq!(info["size"], LIMIT);
    let (status, body) = upload_as(
        &w.alice,
        Some(&w.private_id),
        vec![("big.bin", vec![7u8; LIMIT as usize + 1])],
        &[],
    )
    .await;
    assert_error(status, &body, StatusCode::PAYLOAD_TOO_LARGE, "files");
    assert_eq!(
        body["id"],
        "api.file.upload_file.too_large_detailed.app_error"
    );
    let message = body["message"].as_str().unwrap();
    assert!(
        message.contains("big.bin") && message.contains(&LIMIT.to_string()),
        "{message}"
    );
    // Far past the limit: still 413, and the rest of the body is read so
    // the client hears it.
    let (status, body) = upload_as(
        &w.alice,
        Some(&w.private_id),
        vec![("huge.bin", vec![7u8; 3 * LIMIT as usize])],
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    // Nothing of the refused uploads is left behind.
    let staging = app.dir.path().join("files").join("tmp");
    assert_eq!(std::fs::read_dir(staging).unwrap().count(), 0);
}

#[tokio::test]
async fn team_file_search_by_name_channel_uploader_and_extension() {
    let app = spawn_app().await;
    let w = world(&app).await;
    // Bob joins the open channel to share files there.
    w.bob
        .expect(
            StatusCode::CREATED,
            Method::POST,
            &format!("/api/v4/channels/{}/members", w.open_id),
            Some(json!({"user_id": w.bob.id})),
        )
        .await;
    let mut ids = Vec::new();
    for (who, channel, name) in [
        (&w.alice, &w.private_id, "Incident Timeline.pdf"),
        (&w.alice, &w.open_id, "incident-graph.png"),
        (&w.bob, &w.open_id, "runbook.md"),
    ] {
        let bytes = if name.ends_with(".png") {
            png(10, 10)
        } else {
            b"doc".to_vec()
        };
        let info = upload_one(who, channel, name, bytes).await;
        let id = info["id"].as_str().unwrap().to_string();
        let (status, body) = post_files(who, channel, &[&id]).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        ids.push(id);
    }
    assert_eq!(
        search(&w.alice, &w.team_id, "incident").await,
        vec![ids[1].clone(), ids[0].clone()]
    );
    assert_eq!(
        search(&w.alice, &w.team_id, "incident in:secret").await,
        vec![ids[0].clone()]
    );
    assert_eq!(
        search(&w.alice, &w.team_id, "from:bob").await,
        vec![ids[2].clone()]
    );
    assert_eq!(
        search(&w.alice, &w.team_id, "from:nobody").await,
        Vec::<String>::new()
    );
    assert_eq!(
        search(&w.alice, &w.team_id, "ext:png").await,
        vec![ids[1].clone()]
    );
    assert_eq!(
        search(&w.alice, &w.team_id, "\"incident timeline\"").await,
        vec![ids[0].clone()]
    );
    // Not a team member: 403; terms bounded.
    let stranger = Client::new(&app, "stranger").await;
    let (status, body) = stranger
        .call(
            Method::POST,
            &format!("/api/v4/teams/{}/files/search", w.team_id),
            Some(json!({"terms": "x"})),
        )
        .await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "");
    let (status, body) = w
        .alice
        .call(
            Method::POST,
            &format!("/api/v4/teams/{}/files/search", w.team_id),
            Some(json!({"terms": "x".repeat(1001)})),
        )
        .await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "terms");
}

#[tokio::test]
async fn svg_and_html_are_downloads_never_rendered() {
    let app = spawn_app().await;
    let w = world(&app).await;
    for (name, body) in [
        (
            "x.svg",
            &b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>"[..],
        ),
        ("x.html", &b"<script>alert(1)</script>"[..]),
        ("fake.png", &b"<html><script>alert(1)</script></html>"[..]),
    ] {
        let info = upload_one(&w.alice, &w.private_id, name, body.to_vec()).await;
        let id = info["id"].as_str().unwrap();
        assert_eq!(info["has_preview_image"], false, "{name}");
        let (status, headers, bytes) = fetch(&w.alice, &format!("/api/v4/files/{id}")).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(bytes, body);
        let ctype = header(&headers, "content-type");
        assert!(
            ctype == "application/octet-stream" || ctype == "image/png",
            "{name}: {ctype}"
        );
        if ctype != "image/png" {
            assert!(
                header(&headers, "content-disposition").starts_with("attachment;"),
                "{name}"
            );
        }
        assert!(
            header(&headers, "content-security-policy").starts_with("sandbox"),
            "{name}"
        );
        assert_eq!(header(&headers, "x-content-type-options"), "nosniff");
    }
}
