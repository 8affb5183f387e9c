//! `/rest/users`: the shared Rosetta users as OpenNMS users. Reads for everybody; writes (create or
//! replace, form updates, roles, delete) only for `ROLE_ADMIN`, answered as Horizon 33 does (a 400
//! `User x does not have write access to users!` for anybody else).

use std::collections::BTreeSet;

use http::StatusCode;
use rosetta_core::{GatewayError, Response};
use rosetta_model::query::Page;
use rosetta_model::{Meta, Native, TenantAccess, TenantLevel, User, ROOT_TENANT};
use rosetta_store::{Read, Tx};
use serde_json::Value;

use crate::call::{status, Call};
use crate::roles::{self, is_known};
use crate::wire::{Obj, Val};
use crate::xml::parse_xml;

const COMMENTS_KEY: &str = "opennms.comments";

/// The comments OpenNMS keeps on a user.
fn comments(user: &User) -> &str {
    user.native.get(COMMENTS_KEY).and_then(Value::as_str).unwrap_or_default()
}

/// The wire form of a user (password masked: Rosetta keeps only an argon2 hash).
pub fn user_obj(store: &impl Read, user: &User) -> Obj {
    Obj::new()
        .elem("user-id", &user.login)
        .text_nonempty("full-name", &user.fullname)
        .text_nonempty("user-comments", comments(user))
        .text_nonempty("email", &user.email)
        .elem("password", "xxxxxxx")
        .elem("passwordSalt", false)
        .list("role", None, roles::roles_of(store, user).into_iter().map(Val::from).collect())
        .list("duty-schedule", None, vec![])
}

/// `GET /rest/users`, sorted by login as Horizon does.
pub fn users(call: &Call) -> Result<Response, GatewayError> {
    let db = call.db();
    let mut users: Vec<_> = db.all::<User>().into_iter().filter(|user| user.active).collect();
    users.sort_by(|a, b| a.login.cmp(&b.login));
    let items: Vec<Obj> = users.iter().map(|user| user_obj(db, user)).collect();
    let total = items.len();
    Ok(call.list("users", "user", Page { items, total }, 0))
}

/// `GET /rest/users/{login}`.
pub fn user(call: &Call, login: &str) -> Result<Response, GatewayError> {
    let user = find(call.db(), login)?;
    Ok(call.entity("user", &user_obj(call.db(), &user)))
}

/// A user by login; 404 `User x does not exist.` otherwise.
pub fn find(store: &impl Read, login: &str) -> Result<std::sync::Arc<User>, GatewayError> {
    store.find_by_name::<User>(login).ok_or_else(|| GatewayError::not_found(format!("User {login} does not exist.")))
}

/// Only `ROLE_ADMIN` edits users (Horizon answers 400, not 403).
fn check_admin(call: &Call) -> Result<(), GatewayError> {
    let principal = call.principal()?;
    if principal.permissions().opennms_roles().contains(&"ROLE_ADMIN") {
        return Ok(());
    }
    Err(GatewayError::bad_request(format!("User {} does not have write access to users!", principal.login())))
}

/// A `<user>` document as posted.
#[derive(Debug, Clone, PartialEq, Eq)]
struct PostedUser {
    login: String,
    full_name: String,
    comments: String,
    email: String,
    password: String,
    roles: BTreeSet<String>,
}

fn valid_login(login: &str) -> bool {
    !login.is_empty()
        && login.len() <= 128
        && login.chars().all(|c| c.is_alphanumeric() || matches!(c, '_' | '.' | '@' | '-'))
}

/// Reads a `<user>` body. The password is the clear text: with `hashPassword=true` Horizon hashes it,
/// without it Horizon stores a ready-made digest, which Rosetta cannot verify, so a body that says
/// it carries one (`<passwordSalt>true</passwordSalt>`) is refused.
fn parse_user(body: &[u8], hash_password: bool) -> Result<PostedUser, GatewayError> {
    if body.iter().find(|byte| !byte.is_ascii_whitespace()) != Some(&b'<') {
        return Err(GatewayError::new(
            rosetta_core::ErrorKind::UnsupportedMediaType,
            "Users are posted as XML (<user>...</user>).",
        ));
    }
    let root = parse_xml(body).map_err(|err| GatewayError::bad_request(err.to_string()))?;
    if !root.name.eq_ignore_ascii_case("user") {
        return Err(GatewayError::bad_request(format!("Expected a <user> document, got <{}>", root.name)));
    }
    let text = |name: &str| root.child_text(name).unwrap_or_default().to_owned();
    let login = text("user-id");
    if !valid_login(&login) {
        return Err(GatewayError::bad_request(format!("Invalid user-id {login:?}")));
    }
    let password = root.child_text("password").ok_or_else(|| GatewayError::bad_request("'password' cannot be null!"))?;
    if !hash_password && text("passwordSalt").eq_ignore_ascii_case("true") {
        return Err(GatewayError::bad_request(
            "Pre-hashed OpenNMS passwords cannot be verified by Rosetta; post the clear text with ?hashPassword=true",
        ));
    }
    let mut roles = BTreeSet::new();
    for role in root.children_ignore_case("role").map(|node| node.text.trim().to_owned()) {
        if !is_known(&role) {
            return Err(GatewayError::bad_request(format!("Invalid role {role}!")));
        }
        roles.insert(role);
    }
    if roles.is_empty() {
        roles.insert("ROLE_USER".to_owned());
    }
    Ok(PostedUser {
        login,
        full_name: text("full-name"),
        comments: text("user-comments"),
        email: text("email"),
        password: password.to_owned(),
        roles,
    })
}

fn hash(call: &Call, password: &str) -> Result<String, GatewayError> {
    call.ctx.app.auth.hash_password(password).map_err(GatewayError::internal)
}

fn set_comments(user: &mut User, comments: &str) {
    if comments.is_empty() {
        user.native.remove(COMMENTS_KEY);
    } else {
        user.native.insert(COMMENTS_KEY.to_owned(), Value::from(comments));
    }
}

/// `POST /rest/users[?hashPassword=true]` (XML) → 201 + Location. A user-id that exists is replaced
/// (Horizon overwrites too); a new user gets write access to every tenant, its role decides the rest.
pub async fn create(call: &Call) -> Result<Response, GatewayError> {
    check_admin(call)?;
    let posted = parse_user(&call.body, call.flag("hashPassword").unwrap_or(false))?;
    let password_hash = hash(call, &posted.password)?;
    let login = posted.login.clone();
    call.db()
        .write(call.ctx.actor("opennms"), move |tx| {
            let existing = tx.find_by_name::<User>(&posted.login);
            let mut user = existing.as_deref().cloned().unwrap_or_else(|| User {
                meta: Meta::new(0),
                login: posted.login.clone(),
                fullname: String::new(),
                email: String::new(),
                role: 0,
                tenants: vec![TenantAccess { tenant: ROOT_TENANT, level: TenantLevel::Write }],
                active: true,
                password_hash: None,
                native: Native::new(),
            });
            user.fullname = posted.full_name;
            user.email = posted.email;
            user.password_hash = Some(password_hash);
            set_comments(&mut user, &posted.comments);
            roles::assign(tx, &mut user, &posted.roles);
            save(tx, user, existing.is_some());
            Ok::<_, GatewayError>(())
        })
        .await?;
    Ok(call.created(&login))
}

fn save(tx: &mut Tx<'_>, user: User, exists: bool) {
    if exists {
        tx.update(user);
    } else {
        tx.insert(user);
    }
}

/// `PUT /rest/users/{login}` form `fullName`, `comments`, `email`, `password` → 204, or 304 when no
/// known field was given. The password is always the clear text (`hashPassword` is accepted).
pub async fn update(call: &Call, login: &str) -> Result<Response, GatewayError> {
    check_admin(call)?;
    let user = find(call.db(), login)?;
    let mut changed = (*user).clone();
    let mut modified = false;
    if let Some(value) = call.param("fullName") {
        changed.fullname = value.to_owned();
        modified = true;
    }
    if let Some(value) = call.param("comments") {
        set_comments(&mut changed, value);
        modified = true;
    }
    if let Some(value) = call.param("email") {
        changed.email = value.to_owned();
        modified = true;
    }
    if let Some(value) = call.params.get("password") {
        changed.password_hash = Some(hash(call, value)?);
        modified = true;
    }
    if !modified {
        return Ok(status(StatusCode::NOT_MODIFIED));
    }
    call.db()
        .write(call.ctx.actor("opennms"), move |tx| {
            tx.update(changed);
            Ok::<_, GatewayError>(())
        })
        .await?;
    Ok(status(StatusCode::NO_CONTENT))
}

/// `PUT` (`grant`) or `DELETE` `/rest/users/{login}/roles/{role}` → 204, 304 when the user already
/// has (does not have) the role, 400 for a role Horizon does not know.
pub async fn change_role(call: &Call, login: &str, role: &str, grant: bool) -> Result<Response, GatewayError> {
    check_admin(call)?;
    if !is_known(role) {
        return Err(GatewayError::bad_request(format!("Invalid role {role}!")));
    }
    let user = find(call.db(), login)?;
    let mut wanted: BTreeSet<String> = roles::roles_of(call.db(), &user).into_iter().collect();
    let modified = if grant { wanted.insert(role.to_owned()) } else { wanted.remove(role) };
    if !modified {
        return Ok(status(StatusCode::NOT_MODIFIED));
    }
    call.db()
        .write(call.ctx.actor("opennms"), move |tx| {
            let mut changed = (*user).clone();
            roles::assign(tx, &mut changed, &wanted);
            tx.update(changed);
            Ok::<_, GatewayError>(())
        })
        .await?;
    Ok(status(StatusCode::NO_CONTENT))
}

/// `DELETE /rest/users/{login}` → 204. Group memberships naming the user stay, as in Horizon.
pub async fn delete(call: &Call, login: &str) -> Result<Response, GatewayError> {
    check_admin(call)?;
    let user = find(call.db(), login)?;
    call.db()
        .write(call.ctx.actor("opennms"), move |tx| {
            tx.delete::<User>(user.meta.id);
            Ok::<_, GatewayError>(())
        })
        .await?;
    Ok(status(StatusCode::NO_CONTENT))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn posted_users_are_read_with_their_roles() {
        let body = b"<user><user-id>jroe</user-id><full-name>Jane Roe</full-name><user-comments>NOC</user-comments>\
            <email>jane@example.org</email><password>s3cret</password><role>ROLE_REST</role><role>ROLE_MOBILE</role></user>";
        let user = parse_user(body, true).expect("user");
        assert_eq!(user.login, "jroe");
        assert_eq!(user.full_name, "Jane Roe");
        assert_eq!(user.comments, "NOC");
        assert_eq!(user.password, "s3cret");
        assert_eq!(user.roles.iter().map(String::as_str).collect::<Vec<_>>(), vec!["ROLE_MOBILE", "ROLE_REST"]);
    }

    #[test]
    fn bad_user_bodies_are_refused_with_a_reason() {
        let message = |body: &[u8], hash: bool| parse_user(body, hash).expect_err("refused").message;
        assert_eq!(message(b"<user><user-id>x</user-id></user>", true), "'password' cannot be null!");
        assert_eq!(message(b"<user><user-id>x</user-id><password>p</password><role>ROLE_X</role></user>", true), "Invalid role ROLE_X!");
        assert!(message(b"<user><user-id></user-id><password>p</password></user>", true).contains("user-id"));
        assert!(message(b"<user><user-id>x</user-id><password>AB</password><passwordSalt>true</passwordSalt></user>", false)
            .contains("hashPassword"));
        let broken = parse_user(b"<user><user-id>x</user-id>", true).expect_err("broken");
        assert_eq!(broken.kind, rosetta_core::ErrorKind::BadRequest);
        assert!(!broken.message.is_empty());
        let json = parse_user(b"{\"user-id\":\"x\"}", true).expect_err("json");
        assert_eq!(json.kind, rosetta_core::ErrorKind::UnsupportedMediaType);
    }

    #[test]
    fn a_user_without_roles_is_a_plain_user() {
        let user = parse_user(b"<user><user-id>x</user-id><password>p</password></user>", true).expect("user");
        assert!(user.roles.contains("ROLE_USER"));
    }
}
