//! Admin routes declared once: the same table registers them and lists them (`GET /__admin`,
//! and the test that holds the OpenAPI document to what is mounted), so the two cannot differ.

pub use crate::core::provider::AdminRoute;

/// `route_table! { ROUTES, register; get "/health" => health, ... }` declares
/// `pub const ROUTES: &[AdminRoute]` and `pub fn register(cfg)`, which mounts exactly those routes.
macro_rules! route_table {
    ($table:ident, $register:ident; $( $method:ident $path:literal => $handler:expr ),* $(,)?) => {
        pub const $table: &[$crate::admin::table::AdminRoute] = &[
            $( $crate::admin::table::AdminRoute { method: stringify!($method), path: $path } ),*
        ];

        pub fn $register(cfg: &mut ::actix_web::web::ServiceConfig) {
            $( cfg.route($path, ::actix_web::web::$method().to($handler)); )*
        }
    };
}

pub(crate) use route_table;
