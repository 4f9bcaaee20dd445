//! `GET /v0/user/me` (sdk-ts `getUserAccount`): the user the KYC resources' `user` link points to,
//! so a client that follows every HAL link finds it. Only the fields `UserData` requires, from
//! the user's generated identity; the sandbox has no wallets, so `expand=wallets` gives `[]`.

use actix_web::{web, HttpRequest};
use serde_json::{json, Value};

use crate::providers::sumvin::auth::{Caller, CredentialKind};
use crate::providers::sumvin::errors::SumvinError;
use crate::providers::sumvin::wire::{epoch_ms, links, query_param, Hal};
use crate::providers::sumvin::Sumvin;

pub async fn me(
    req: HttpRequest,
    caller: Caller,
    sumvin: web::Data<Sumvin>,
) -> Result<Hal, SumvinError> {
    if caller.kind != CredentialKind::Jwt {
        return Err(SumvinError::UserJwtRequired);
    }
    let expand = query_param(&req, "expand").unwrap_or_default();
    let expanded = |name: &str| expand.split(',').any(|part| part.trim() == name);
    let now = sumvin.now();
    sumvin.with_tenant(&caller, |state| {
        let mut body = json!({
            "_links": links(&[
                ("self", "/v0/user/me", "GET", "this resource"),
                ("kyc-status", "/v0/kyc/status", "GET", "current KYC status"),
            ]),
            "user": {
                "id": state.user_id,
                "first_name": state.person.first_name,
                "last_names": state.person.last_name,
                "auth_provider": "dynamic",
                "auth_provider_id": format!("dyn_{}", &state.user_id[4..]),
                "primary_eoa_address": Value::Null,
                "primary_smart_wallet_address": Value::Null,
                "safe_creation_status": Value::Null,
                "email": state.person.email,
                "phone": Value::Null,
                "created_at": epoch_ms(state.created_at),
                "updated_at": epoch_ms(now),
                "deleted_at": Value::Null,
            },
        });
        if expanded("wallets") {
            body["wallets"] = json!([]);
        }
        if expanded("status_history") {
            body["status_history"] = json!([]);
        }
        Ok(Hal::ok(body))
    })
}
