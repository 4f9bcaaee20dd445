//! The admin API answers only the developer's own machine; provider mounts stay open to browsers.

use reqwest::Method;

use crate::common::{spawn_app, spawn_with};

#[tokio::test]
async fn admin_refuses_foreign_hosts_and_other_sites_pages() {
    let app = spawn_app().await;
    // DNS rebinding: the browser sends the attacker's name in Host.
    for path in ["/__admin/requests", "/__admin/reset", "/"] {
        let method = if path.ends_with("reset") {
            Method::POST
        } else {
            Method::GET
        };
        let reply = app
            .send(
                app.request(method, path)
                    .header("Host", "evil.example:4747"),
            )
            .await;
        assert_eq!(reply.status, 403, "{path}: {}", reply.body);
        assert_eq!(reply.body["error"]["status"], 403);
    }
    // A page of another site posting to the admin API (a simple request needs no preflight).
    let reply = app
        .send(
            app.request(Method::POST, "/__admin/reset")
                .header("Origin", "https://evil.example")
                .header("Content-Type", "text/plain"),
        )
        .await;
    assert_eq!(reply.status, 403, "{}", reply.body);
    // No CORS grant for the admin API, even on a preflight.
    let preflight = app
        .send(
            app.request(Method::OPTIONS, "/__admin/requests")
                .header("Origin", "https://evil.example")
                .header("Access-Control-Request-Method", "GET"),
        )
        .await;
    assert!(preflight
        .headers
        .get("access-control-allow-origin")
        .is_none());

    // The developer's own tools still work: localhost names, the address, same-origin pages.
    for host in [
        "localhost:4747",
        "127.0.0.1",
        "[::1]:4747",
        "dashboard.localhost",
    ] {
        let reply = app
            .send(
                app.request(Method::GET, "/__admin/health")
                    .header("Host", host),
            )
            .await;
        assert_eq!(reply.status, 200, "{host}");
        assert!(reply.headers.get("access-control-allow-origin").is_none());
    }
    let same_origin = app
        .send(
            app.request(Method::POST, "/__admin/reset")
                .header("Origin", app.base.clone()),
        )
        .await;
    assert_eq!(same_origin.status, 200, "{}", same_origin.body);

    // Provider mounts answer any host and any origin, with CORS.
    let reply = app
        .send(
            app.sumvin(Method::GET, "pat-a", "/v0/kyc/status")
                .header("Host", "evil.example")
                .header("Origin", "https://app.example"),
        )
        .await;
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.headers["access-control-allow-origin"],
        "https://app.example"
    );
}

/// Review H2: `127.evil.example` passed as a loopback name (it starts with `127.`), so a
/// DNS-rebinding page could download the whole snapshot, secrets included.
#[tokio::test]
async fn names_that_only_look_like_loopback_addresses_are_refused() {
    let app = spawn_app().await;
    let port = app.base.rsplit(':').next().unwrap().to_owned();
    for host in [
        "127.evil.example".to_owned(),
        format!("127.evil.example:{port}"),
        format!("127.0.0.1.evil.example:{port}"),
    ] {
        let reply = app
            .send(
                app.request(Method::GET, "/__admin/snapshot")
                    .header("Host", host.clone()),
            )
            .await;
        assert_eq!(reply.status, 403, "{host}: {}", reply.body);
        assert_eq!(reply.body["error"]["status"], 403);
    }
    let reply = app
        .send(
            app.request(Method::POST, "/__admin/reset")
                .header("Origin", format!("http://127.evil.example:{port}")),
        )
        .await;
    assert_eq!(reply.status, 403, "{}", reply.body);
    for host in [format!("127.0.0.2:{port}"), "localhost".to_owned()] {
        let reply = app
            .send(
                app.request(Method::GET, "/__admin/snapshot")
                    .header("Host", host.clone()),
            )
            .await;
        assert_eq!(reply.status, 200, "{host}: {}", reply.body);
    }
    let reply = app
        .send(
            app.request(Method::POST, "/__admin/reset")
                .header("Origin", format!("http://127.0.0.2:{port}")),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
}

#[tokio::test]
async fn allow_host_opens_the_admin_api_to_more_names() {
    let app = spawn_with(|c| c.allow_hosts = vec!["sandbox".into()]).await;
    let reply = app
        .send(
            app.request(Method::GET, "/__admin/health")
                .header("Host", "sandbox:4747"),
        )
        .await;
    assert_eq!(reply.status, 200);
    let any = spawn_with(|c| c.allow_hosts = vec!["*".into()]).await;
    let reply = any
        .send(
            any.request(Method::GET, "/__admin/health")
                .header("Host", "evil.example"),
        )
        .await;
    assert_eq!(reply.status, 200);
}
