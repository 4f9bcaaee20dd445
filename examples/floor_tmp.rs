use actix_web::{web, App, HttpResponse, HttpServer};
use parking_lot::Mutex;
static STORE: Mutex<Vec<(String, Vec<u8>)>> = Mutex::new(Vec::new());
const BODY: &str = include_str!("/tmp/floor/body.json");
async fn fixed() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(BODY)
}
async fn create(body: web::Bytes) -> HttpResponse {
    let id = uuid::Uuid::new_v4().simple().to_string();
    let mut out = Vec::with_capacity(1024);
    out.extend_from_slice(b"{\"id\":\"");
    out.extend_from_slice(id.as_bytes());
    out.extend_from_slice(b"\"}");
    STORE.lock().push((id, body.to_vec()));
    HttpResponse::Created()
        .content_type("application/json")
        .body(out)
}
#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let port: u16 = std::env::args()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    HttpServer::new(|| {
        App::new()
            .route("/c", web::post().to(create))
            .default_service(web::to(fixed))
    })
    .bind(("127.0.0.1", port))?
    .run()
    .await
}
