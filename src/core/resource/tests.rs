//! A toy provider ("notes" behind an `x-who` header) pins down what every provider relies
//! on: where the id comes from, and in what order the refusals come.

use std::future::{ready, Ready};

use actix_web::http::StatusCode;
use actix_web::test::{call_service, init_service, read_body, TestRequest};
use actix_web::App;
use serde_json::{json, Value};

use super::*;
use crate::core::http::{
    self, endpoint, page_request, BrowserCors, Endpoints, PageBounds, PageRequest,
};
use crate::core::json_out::{self, RenderedBody};
use crate::core::tenant::{TenantId, TenantInfo, TenantMap, TenantState};

#[derive(Default)]
struct Desk {
    notes: Store<Note>,
    /// What `Note::delete` took away.
    trash: Vec<String>,
}

impl TenantState for Desk {
    fn holds_nothing(&self) -> bool {
        self.notes.is_empty() && self.trash.is_empty()
    }
}

/// One desk, kept as providers keep their tenants (so reads may be cached).
#[derive(Default)]
struct Notes(TenantMap<Desk>);

impl Notes {
    fn info() -> TenantInfo {
        TenantInfo {
            tenant: TenantId::parse("notes-desk"),
            provider: "notes",
            credential: "x-who".into(),
            created_at: DateTime::UNIX_EPOCH,
        }
    }

    fn desk(&self) -> Arc<TenantSlot<Desk>> {
        self.0
            .get(&Notes::info().tenant)
            .expect("the desk holds notes")
    }
}

struct Note(String);
struct Who;

#[derive(Debug, thiserror::Error)]
enum Oops {
    #[error("who are you?")]
    Unauthorized,
    #[error("{0}")]
    Bad(String),
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("pinned notes stay")]
    Pinned,
}

impl ResponseError for Oops {
    fn status_code(&self) -> StatusCode {
        match self {
            Oops::Unauthorized => StatusCode::UNAUTHORIZED,
            Oops::Bad(_) => StatusCode::BAD_REQUEST,
            Oops::NotFound(_) => StatusCode::NOT_FOUND,
            Oops::Pinned => StatusCode::CONFLICT,
        }
    }
}

impl FromRequest for Who {
    type Error = Oops;
    type Future = Ready<Result<Who, Oops>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let known = req.headers().contains_key("x-who");
        ready(known.then_some(Who).ok_or(Oops::Unauthorized))
    }
}

/// `limit`/`offset`, answered as `{items, total}`.
impl Listing<Notes, Note> for PageRequest {
    fn parse(req: &HttpRequest) -> Result<PageRequest, Oops> {
        let bounds = PageBounds {
            default_limit: 10,
            max_limit: 10,
            max_offset: 10,
        };
        page_request(req, bounds).map_err(|e| Oops::Bad(e.message))
    }

    fn page<'s>(&self, store: &'s Store<Note>) -> Page<'s, Note> {
        store.page(self.offset, self.limit, false)
    }

    fn reply(&self, items: Vec<Rendered>, total: usize) -> HttpResponse {
        json_out::object(|o| {
            o.array("items", |a| {
                for item in &items {
                    a.raw(item);
                }
            })
            .field("total", &total);
        })
        .ok()
    }
}

impl ResourceApi for Notes {
    type State = Desk;
    type Caller = Who;
    type Error = Oops;
    type Body = Value;
    type Query = PageRequest;

    fn with_state<T>(&self, _: &Who, f: impl FnOnce(&mut Desk) -> T) -> T {
        self.0.with(&Notes::info(), Desk::default, f)
    }

    fn tenant(&self, _: &Who) -> Option<Arc<TenantSlot<Desk>>> {
        self.0.get(&Notes::info().tenant)
    }

    fn now(&self) -> DateTime<Utc> {
        DateTime::UNIX_EPOCH
    }

    async fn read_body(req: &HttpRequest, payload: &mut web::Payload) -> Result<Value, Oops> {
        let bytes = http::read_body(req, payload, 1024).await;
        serde_json::from_slice(&bytes.unwrap_or_default()).map_err(|e| Oops::Bad(e.to_string()))
    }

    fn not_found<R: Resource<Self>>() -> Oops {
        Oops::NotFound(R::KIND)
    }

    fn check_id<R: Resource<Self>>(id: &str) -> Result<(), Oops> {
        match id.bytes().all(|b| b.is_ascii_digit()) {
            true => Ok(()),
            false => Err(Oops::Bad(format!("{id} is not an id"))),
        }
    }

    fn created<R: Resource<Self>>(call: &Call<Self>, state: &Desk, id: &str) -> HttpResponse {
        HttpResponse::Created().rendered(R::render(call, state, &R::store(state)[id]))
    }

    fn updated<R: Resource<Self>>(call: &Call<Self>, state: &Desk, id: &str) -> HttpResponse {
        R::render(call, state, &R::store(state)[id]).ok()
    }

    fn deleted<R: Resource<Self>>(_: &Call<Self>, _: &str) -> HttpResponse {
        HttpResponse::NoContent().finish()
    }
}

fn text(body: Value) -> Result<String, Oops> {
    let text = body.get("text").and_then(Value::as_str).map(str::to_owned);
    text.ok_or_else(|| Oops::Bad("text is required".into()))
}

impl Resource<Notes> for Note {
    const KIND: &'static str = "Note";
    const COLLECTION: &'static str = "notes";
    const ID: &'static str = "note_id";

    fn store(state: &Desk) -> &Store<Note> {
        &state.notes
    }

    fn store_mut(state: &mut Desk) -> &mut Store<Note> {
        &mut state.notes
    }

    fn render(_: &Call<Notes>, _: &Desk, note: &Note) -> Rendered {
        Rendered::of(&note.0)
    }

    fn read_changes_nothing(_: &Desk, _: &str) -> bool {
        true
    }

    fn delete(_: &Call<Notes>, state: &mut Desk, id: &str) -> Result<(), Oops> {
        if Note::find(state, id)?.0 == "pinned" {
            return Err(Oops::Pinned);
        }
        state.notes.remove(id);
        state.trash.push(id.to_owned());
        Ok(())
    }
}

impl Create<Notes> for Note {
    type Draft = String;

    fn draft(_: &Call<Notes>, body: Value) -> Result<String, Oops> {
        text(body)
    }

    fn insert(_: &Call<Notes>, state: &mut Desk, text: String) -> Result<String, Oops> {
        let id = (state.notes.len() + 1).to_string();
        state.notes.insert(id.clone(), Note(text));
        Ok(id)
    }
}

impl Update<Notes> for Note {
    type Patch = String;

    fn patch(_: &Call<Notes>, body: Value) -> Result<String, Oops> {
        text(body)
    }

    fn apply(_: &Call<Notes>, state: &mut Desk, id: &str, text: String) -> Result<(), Oops> {
        Note::find_mut(state, id)?.0 = text;
        Ok(())
    }
}

/// Sends each request to notes under `/orgs/{org}/`, so the id is read by its name, not by
/// its position; answers status and body per request.
async fn send(notes: &web::Data<Notes>, requests: Vec<TestRequest>) -> Vec<(u16, String)> {
    let app = init_service(
        App::new().app_data(notes.clone()).service(
            Endpoints::new(|| web::to(HttpResponse::NotFound))
                .service(
                    endpoint(vec!["/orgs/{org}/notes".into()], || {
                        web::to(HttpResponse::MethodNotAllowed)
                    })
                    .get(list::<Notes, Note>)
                    .post(create::<Notes, Note>),
                )
                .service(
                    endpoint(vec!["/orgs/{org}/notes/{note_id}".into()], || {
                        web::to(HttpResponse::MethodNotAllowed)
                    })
                    .get(show::<Notes, Note>)
                    .patch(update::<Notes, Note>)
                    .delete(remove::<Notes, Note>),
                )
                .mounted("", BrowserCors { finish: |res| res }),
        ),
    )
    .await;
    let mut answers = Vec::new();
    for req in requests {
        let res = call_service(&app, req.to_request()).await;
        let status = res.status().as_u16();
        let body = String::from_utf8_lossy(&read_body(res).await).into_owned();
        answers.push((status, body));
    }
    answers
}

fn to(method: &str, path: &str, body: Option<Value>) -> TestRequest {
    let req = TestRequest::default()
        .method(method.parse().expect("a method"))
        .uri(&format!("/orgs/o/notes{path}"))
        .insert_header(("x-who", "me"));
    match body {
        Some(body) => req.set_json(body),
        None => req,
    }
}

fn answer(status: u16, body: &str) -> (u16, String) {
    (status, body.to_owned())
}

#[actix_web::test]
async fn writes_reads_and_deletes_by_the_named_id() {
    let notes = web::Data::new(Notes::default());
    let post = |t: &str| to("POST", "", Some(json!({"text": t})));
    let answers = send(
        &notes,
        vec![
            post("one"),
            post("two"),
            post("three"),
            to("PATCH", "/2", Some(json!({"text": "TWO"}))),
            to("GET", "/2", None),
            to("GET", "?offset=1&limit=1", None),
            to("DELETE", "/3", None),
            to("GET", "/3", None),
        ],
    )
    .await;
    assert_eq!(answers[2], answer(201, r#""three""#));
    assert_eq!(
        answers[3..5],
        [answer(200, r#""TWO""#), answer(200, r#""TWO""#)]
    );
    assert_eq!(answers[5], answer(200, r#"{"items":["TWO"],"total":3}"#));
    assert_eq!(
        answers[6..],
        [answer(204, ""), answer(404, "Note not found")]
    );
    assert_eq!(
        notes.desk().state.lock().trash,
        ["3"],
        "removed by `Note::delete`"
    );
}

/// Who calls, then the id's format, then the body, then whether the id names anything, then
/// what the resource itself refuses.
#[actix_web::test]
async fn refusals_come_in_order() {
    let notes = web::Data::new(Notes::default());
    let pinned = Some(json!({"text": "pinned"}));
    let answers = send(
        &notes,
        vec![
            TestRequest::get().uri("/orgs/o/notes/abc"),
            to("PATCH", "/abc", Some(json!({}))),
            to("PATCH", "/9", Some(json!({}))),
            to("PATCH", "/9", Some(json!({"text": "x"}))),
            to("DELETE", "/9", None),
            to("POST", "", pinned),
            to("DELETE", "/1", None),
        ],
    )
    .await;
    let expected = [
        answer(401, "who are you?"),
        answer(400, "abc is not an id"),
        answer(400, "text is required"),
        answer(404, "Note not found"),
        answer(404, "Note not found"),
        answer(201, r#""pinned""#),
        answer(409, "pinned notes stay"),
    ];
    assert_eq!(answers, expected);
    let desk = notes.desk();
    let desk = desk.state.lock();
    assert!(desk.notes.contains("1") && desk.trash.is_empty());
}

/// A read that changes nothing is kept until the desk changes, by the generic handlers or by
/// anything else that locks it (as admin transitions and scheduled steps do); the same read with
/// another header is kept apart.
#[actix_web::test]
async fn kept_reads_last_until_the_state_changes() {
    let notes = web::Data::new(Notes::default());
    let kept = |notes: &web::Data<Notes>| notes.desk().state.peek().parts().1.len();
    let answers = send(
        &notes,
        vec![
            to("POST", "", Some(json!({"text": "one"}))),
            to("GET", "/1", None),
            to("GET", "/1", None),
        ],
    )
    .await;
    assert_eq!(
        answers[1..],
        [answer(200, r#""one""#), answer(200, r#""one""#)]
    );
    assert_eq!(kept(&notes), 1);
    let answers = send(
        &notes,
        vec![
            to("GET", "/1", None).insert_header(("x-trace", "2")),
            to("GET", "/9", None),
        ],
    )
    .await;
    assert_eq!(
        answers,
        [answer(200, r#""one""#), answer(404, "Note not found")]
    );
    assert_eq!(kept(&notes), 2, "another header is another read");

    let answers = send(
        &notes,
        vec![
            to("PATCH", "/1", Some(json!({"text": "uno"}))),
            to("GET", "/1", None),
        ],
    )
    .await;
    assert_eq!(answers[1], answer(200, r#""uno""#));
    assert_eq!(
        kept(&notes),
        1,
        "the change dropped both, the read after it is kept"
    );

    notes
        .desk()
        .state
        .lock()
        .notes
        .get_mut("1")
        .expect("note 1")
        .0 = "eins".into();
    assert_eq!(kept(&notes), 0);
    let answers = send(&notes, vec![to("GET", "/1", None)]).await;
    assert_eq!(answers, [answer(200, r#""eins""#)]);
}
